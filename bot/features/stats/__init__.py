"""A server's standings and what can be earned: leaderboard, profile, badges, packs."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.features.common.bot import AnnealBot


async def setup(bot: AnnealBot) -> None:
    """Add the stats cog to `bot`."""
    # Imported here, not above, so the feature's plain modules load without Discord.
    from bot.features.stats.cog import StatsCog

    await bot.add_cog(StatsCog(bot))
