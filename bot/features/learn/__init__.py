"""`!learn`: a learn card for each scheduler, with a chart of its typical schedule."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.features.common.bot import AnnealBot


async def setup(bot: AnnealBot) -> None:
    """Load the learn cards (from ANNEAL_CONTENT_DIR/cards) and add the `!learn` cog."""
    # Imported here, not above, so the feature's plain modules load without Discord.
    from bot.content.card_library import load_cards
    from bot.features.learn.cog import LearnCog

    cards = load_cards(bot.services.settings.cards_dir)
    await bot.add_cog(LearnCog(bot, cards))
