"""`help`: every command with a description and an example."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.features.common.bot import AnnealBot


async def setup(bot: AnnealBot) -> None:
    """Add the help cog to `bot`."""
    # Imported here, not above, so the feature's plain modules load without Discord.
    from bot.features.help.cog import HelpCog

    await bot.add_cog(HelpCog(bot))
