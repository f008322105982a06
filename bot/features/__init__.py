"""The Discord edge: each cog turns commands and events into calls on the engine,
storage or runner, and their answers into messages. No rules of the game live here."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import AnnealBot


async def add_cogs(bot: AnnealBot) -> None:
    """Build every cog with the bot's services (no global state, so tests can do the same)."""
    from bot.features.admin.cog import AdminCog
    from bot.features.challenge.cog import ChallengeCog
    from bot.features.common.errors import ErrorsCog
    from bot.features.help.cog import HelpCog
    from bot.features.run.cog import RunCog
    from bot.features.stats.cog import StatsCog

    cogs = [
        ErrorsCog(bot),
        ChallengeCog(bot),
        RunCog(bot),
        StatsCog(bot),
        AdminCog(bot),
        HelpCog(bot),
    ]
    for cog in cogs:
        await bot.add_cog(cog)
