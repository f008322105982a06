"""Tests for bot.features.race."""
