"""The Discord edge: each cog turns commands and events into calls on the engine,
storage or runner, and their answers into messages. No rules of the game live here."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import AnnealBot


async def add_cogs(bot: AnnealBot) -> None:
    """Build every cog with the bot's services (no global state, so tests can do the same)."""
    from bot.cogs.errors import ErrorsCog

    cogs = [ErrorsCog(bot)]
    for cog in cogs:
        await bot.add_cog(cog)
