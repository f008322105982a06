"""Tests for bot.features.help."""
