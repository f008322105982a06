"""Anneal's shared Discord pieces: the bot type, embed limits, user-facing errors."""
