"""The event a feature sends when members' standings may have moved, for other features.

A mode sends it once what its players did may be public: a challenge at each reveal (for
everyone who answered) and at its summary (for the new badge holders). Role rewards
listen (`@commands.Cog.listener(LISTENER)`); the sender never waits for them, since
discord.py runs each listener as its own task.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from discord.ext import commands

EVENT = "anneal_progress"
LISTENER = "on_" + EVENT


@dataclass(frozen=True, slots=True)
class Progress:
    """Members whose points, streak or badges may have changed, and where they played."""

    guild_id: int
    channel_id: int  # where to say what they earned
    user_ids: tuple[int, ...]


def tell_progress(
    bot: commands.Bot, guild_id: int, channel_id: int, user_ids: Iterable[int]
) -> None:
    """Dispatch a Progress event to every listener (nothing if no member is named)."""
    users = tuple(dict.fromkeys(user_ids))
    if users:
        bot.dispatch(EVENT, Progress(guild_id, channel_id, users))
