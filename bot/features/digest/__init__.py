"""`admin digest`: last week's top 10, badges and most-missed problem, every Monday (UTC)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.features.common.bot import AnnealBot


async def setup(bot: AnnealBot) -> None:
    """Add the digest cog to `bot`, its `digest` group under `admin`."""
    # Imported here, not above, so the feature's plain modules load without Discord.
    from bot.features.common.nesting import nest_under
    from bot.features.digest.cog import DigestCog

    cog = DigestCog(bot)
    await bot.add_cog(cog)
    nest_under(bot, "admin", cog.digest)
