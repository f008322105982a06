"""The daily problem in Discord: one problem a day per server, answered by reactions like
a challenge problem, `!daily` with streaks; `!admin daily` schedules it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.features.common.bot import AnnealBot


async def setup(bot: AnnealBot) -> None:
    """Add the daily cog to `bot`."""
    # Imported here, not above, so the feature's plain modules load without Discord.
    from bot.features.daily.cog import DailyCog

    await bot.add_cog(DailyCog(bot))
