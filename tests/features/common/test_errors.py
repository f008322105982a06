"""Tests for the errors cog's translation of exceptions into friendly replies."""

from __future__ import annotations

from unittest.mock import Mock

import discord
from discord.ext import commands

from bot.engine.session import DeadlinePassed
from bot.features.common.errors import UserFacingError, message_for


def forbidden() -> discord.Forbidden:
    """The 403 Discord sends when the bot lacks a permission in the channel."""
    response = Mock(status=403, reason="Forbidden")
    return discord.Forbidden(response, {"code": 50013, "message": "Missing Permissions"})


def test_user_errors_are_shown_as_they_are() -> None:
    """Errors written for users pass through, even wrapped by discord.py."""
    wrapped = commands.CommandInvokeError(DeadlinePassed("Time is up."))
    assert message_for(wrapped, "!") == "Time is up."
    assert message_for(UserFacingError("Nope."), "!") == "Nope."


def test_missing_discord_permission_says_which_are_needed() -> None:
    """A 403 from Discord becomes a hint about the bot's permissions, not 'went wrong'."""
    text = message_for(commands.CommandInvokeError(forbidden()), "!")
    assert text is not None
    assert "Embed Links" in text
    assert "Attach Files" in text


def test_bad_argument_has_no_double_period() -> None:
    """discord.py's own sentence is not followed by a second full stop."""
    text = message_for(commands.BadArgument('Channel "x" not found.'), "?")
    assert text == 'I could not read that: Channel "x" not found. See `?help`.'


def test_bugs_are_not_explained_to_users() -> None:
    """Anything else is a bug: None, so the cog logs it and says something generic."""
    assert message_for(commands.CommandInvokeError(KeyError("x")), "!") is None
