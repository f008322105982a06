"""Timed challenges in Discord: commands, reaction answers, and the embeds they post."""
