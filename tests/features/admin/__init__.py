"""Tests for bot.features.admin."""
