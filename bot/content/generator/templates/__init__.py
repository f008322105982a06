"""What the fresh-problem generator knows about each scheduler, one template per scheduler."""
