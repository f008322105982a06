"""Spaced review in Discord: `!review` serves a member's due misses in DMs; daily reminders."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.features.common.bot import AnnealBot


async def setup(bot: AnnealBot) -> None:
    """Add the review cog to `bot`."""
    # Imported here, not above, so the feature's plain modules load without Discord.
    from bot.features.review.cog import ReviewCog

    await bot.add_cog(ReviewCog(bot))
