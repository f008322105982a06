"""Tests for bot.features.stats."""
