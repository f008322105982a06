"""`stats`: what a server's organisers learn from its answers (Manage Server only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.features.common.bot import AnnealBot


async def setup(bot: AnnealBot) -> None:
    """Add the organiser cog to `bot`."""
    # Imported here, not above, so the feature's plain modules load without Discord.
    from bot.features.organiser.cog import OrganiserCog

    await bot.add_cog(OrganiserCog(bot))
