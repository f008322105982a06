"""Tests for bot.features.common."""
