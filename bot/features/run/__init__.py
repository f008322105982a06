"""`!run` in Discord: requests, fairness limits, and the reply with its chart."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.features.common.bot import AnnealBot


async def setup(bot: AnnealBot) -> None:
    """Add the `!run` cog to `bot`."""
    # Imported here, not above, so the feature's plain modules load without Discord.
    from bot.features.run.cog import RunCog

    await bot.add_cog(RunCog(bot))
