"""`!learn` and `/learn`: a scheduler's learn card, with a chart of its typical schedule.

The flow: the name → the card (`CardLibrary.find`: any case, aliases, typos) → the leak
rule (`in_play`: not while a challenge here asks about that scheduler) → its chart,
from the cache or computed once by the runner → the embed (`render`). The card is shown
even when the chart cannot be made (no runner, workers warming up, queue full).
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.content.card_library import CardLibrary, problems_about
from bot.content.cards import Card
from bot.features.common.bot import AnnealBot
from bot.features.common.errors import UserFacingError
from bot.features.common.warmup import ready_runner
from bot.features.learn.charts import ChartCache
from bot.features.learn.in_play import refusal, subjects_in_play
from bot.features.learn.render import card_reply, cards_embed, unknown_card
from bot.runner import Requester, RunError, RunSpec

log = logging.getLogger("anneal.learn")

NO_RUNNER = "The chart needs the torch workers, which are not available right now."


class LearnCog(commands.Cog):
    """`!learn <scheduler>`: the cards, their cached charts, and the name autocomplete."""

    def __init__(self, bot: AnnealBot, cards: CardLibrary) -> None:
        self.bot = bot
        self.cards = cards
        self.charts = ChartCache()

    # mypy cannot solve discord.py's Concatenate-based decorator types for a hybrid
    # command with parameters after ctx (see the run cog); only that check is silenced.
    @commands.hybrid_command(  # type: ignore[arg-type]
        name="learn",
        description="A scheduler's card: what it does, its rule, torch's defaults, a chart",
    )
    @app_commands.describe(scheduler="e.g. StepLR, cosine, onecycle; empty: every card")
    async def learn(self, ctx: commands.Context[AnnealBot], *, scheduler: str = "") -> None:
        """Show the learn card of `scheduler`, or the list of cards."""
        prefix = "/" if ctx.interaction is not None else self.bot.services.settings.prefix
        if not self.cards.cards:
            raise UserFacingError("No learn cards are installed on this bot.")
        if not scheduler.strip():
            await ctx.send(embed=cards_embed(self.cards, prefix))
            return
        match = self.cards.find(scheduler)
        if match.card is None:
            raise UserFacingError(unknown_card(scheduler, match.close, self.cards, prefix))
        card = match.card
        self._refuse_if_in_play(card, ctx.guild.id if ctx.guild is not None else None)
        chart, note = self.charts.cached(card), None
        if chart is None:
            async with ctx.typing():  # slash: deferred, as a cold worker may take seconds
                chart, note = await self._chart(ctx, card)
        problems = problems_about(self.bot.services.library, card.scheduler)
        guessed = scheduler if match.corrected else None
        reply = card_reply(card, problems, prefix, chart, note=note, guessed_from=guessed)
        await ctx.send(embed=reply.embed, files=reply.files())

    def _refuse_if_in_play(self, card: Card, guild_id: int | None) -> None:
        """UserFacingError while a challenge here (in DMs: anywhere) asks about the card."""
        manager = self.bot.services.challenges
        if manager is None:
            return
        if card.scheduler in subjects_in_play(manager.unrevealed_problems(guild_id)):
            raise UserFacingError(refusal(card.scheduler, in_dms=guild_id is None))

    async def _chart(
        self, ctx: commands.Context[AnnealBot], card: Card
    ) -> tuple[bytes | None, str | None]:
        """The card's chart, or None and the reason it is missing."""
        try:
            runner = await ready_runner(self.bot.services)
        except UserFacingError as exc:  # still warming up
            return None, str(exc)
        if runner is None:
            return None, NO_RUNNER
        requester = Requester(
            guild_id=ctx.guild.id if ctx.guild is not None else None, user_id=ctx.author.id
        )

        async def compute(spec: RunSpec) -> bytes:
            return (await runner.chart(spec, requester=requester)).png

        try:
            return await self.charts.chart(card, compute), None
        except RunError as exc:  # busy, timed out, crashed: the card is still worth showing
            log.warning("no chart for the %s card: %s", card.scheduler, exc)
            return None, f"No chart this time: {exc}"

    @learn.autocomplete("scheduler")
    async def _suggest_names(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=name, value=name) for name in self.cards.suggest(current)]
