"""Timed challenges in Discord: commands, reaction answers, and the embeds they post."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.features.common.bot import AnnealBot


async def setup(bot: AnnealBot) -> None:
    """Add the challenge cog to `bot`."""
    # Imported here, not above, so the feature's plain modules load without Discord.
    from bot.features.challenge.cog import ChallengeCog

    await bot.add_cog(ChallengeCog(bot))
