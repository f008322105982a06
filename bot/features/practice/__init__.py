"""Practice alone in DMs (`practice [topic] [count]`), and the solo machinery every solo
mode (review too) plays through: commands, reactions in DMs, and the embeds they post."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.features.common.bot import AnnealBot


async def setup(bot: AnnealBot) -> None:
    """Add the practice cog to `bot` (before review, which plays through its SoloPlay)."""
    # Imported here, not above, so the feature's plain modules load without Discord.
    from bot.content.card_library import scheduler_aliases
    from bot.features.practice.cog import PracticeCog

    # The learn cards' other names for schedulers ("cosine", "plateau") are topics too.
    await bot.add_cog(PracticeCog(bot, scheduler_aliases(bot.services.settings.cards_dir)))
