"""Tests for bot.features: each feature's plain rules, renderings and cogs, without Discord."""
