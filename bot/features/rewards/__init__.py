"""`admin reward`: roles given for a badge, a points total or a day streak (Manage Server)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.features.common.bot import AnnealBot


async def setup(bot: AnnealBot) -> None:
    """Add the rewards cog to `bot`, its `reward` group under `admin`."""
    # Imported here, not above, so the feature's plain modules load without Discord.
    from bot.features.common.nesting import nest_under
    from bot.features.rewards.cog import RewardsCog

    cog = RewardsCog(bot)
    await bot.add_cog(cog)
    nest_under(bot, "admin", cog.reward)
