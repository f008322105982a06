"""Tests for bot.features.learn."""
