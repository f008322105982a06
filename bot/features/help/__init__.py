"""`help`: every command with a description and an example."""
