"""`admin`: a server's Anneal settings, for members with Manage Server."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.features.common.bot import AnnealBot


async def setup(bot: AnnealBot) -> None:
    """Add the admin cog to `bot`."""
    # Imported here, not above, so the feature's plain modules load without Discord.
    from bot.features.admin.cog import AdminCog

    await bot.add_cog(AdminCog(bot))
