"""Races in Discord: `race [pack] [count]`, a lobby to join with ✅, answers by reaction
scored for speed and answers in a row, standings after each problem and a podium."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.features.common.bot import AnnealBot


async def setup(bot: AnnealBot) -> None:
    """Add the race cog to `bot`."""
    # Imported here, not above, so the feature's plain modules load without Discord.
    from bot.features.race.cog import RaceCog

    await bot.add_cog(RaceCog(bot))
