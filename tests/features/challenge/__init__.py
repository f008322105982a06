"""Tests for bot.features.challenge."""
