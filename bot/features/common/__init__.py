"""Anneal's shared Discord pieces: the bot type, embed limits, user-facing errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.features.common.bot import AnnealBot


async def setup(bot: AnnealBot) -> None:
    """Add the errors cog, which answers for every other feature's commands to `bot`."""
    # Imported here, not above, so the feature's plain modules load without Discord.
    from bot.features.common.cog import ErrorsCog

    await bot.add_cog(ErrorsCog(bot))
