"""Tests for bot.features.run."""
