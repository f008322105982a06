"""Races in Discord: `race [pack] [count]` and `race stop`, joining by ✅ in the lobby,
answers by reaction (judged on arrival, one each), and resuming after a restart.

The RaceManager runs the races; the challenge feature's `ReactionAnswers` judges and
acknowledges the reactions, with the race's feedback.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.challenges import ProblemClosed, RaceManager
from bot.engine.race import NO_HINTS
from bot.engine.selection import DEFAULT_COUNT
from bot.features.challenge.packs import (
    count_choices,
    fresh_maker,
    pack_and_count,
    pack_choices,
    start_here,
)
from bot.features.challenge.reactions import ReactionAnswers
from bot.features.challenge.render import EMOJI_LETTER, HINT_EMOJI
from bot.features.common.bot import AnnealBot, is_moderator
from bot.features.race import render
from bot.features.race.view import DiscordRaceView


class RaceCog(commands.Cog):
    """`race [pack] [count]`, `race stop`, joining with ✅ and answering by reaction."""

    def __init__(self, bot: AnnealBot) -> None:
        self.bot = bot
        services = bot.services
        settings = services.settings
        self.manager = RaceManager(
            services.db,
            services.library,
            DiscordRaceView(bot),
            services.clock,
            seconds=settings.race_seconds,
            lobby=settings.race_lobby,
            resume_window=settings.resume_window,
            double_tap=services.double_tap,
            fresh=fresh_maker(services),
            sleep=services.sleep,
        )
        services.races = self.manager  # so `!run` hides what a race has in play
        self.answers = ReactionAnswers(bot, self.manager, render.feedback)

    async def cog_load(self) -> None:
        """Resume the races that were open at shutdown, once the bot is ready."""
        self.answers.resume_when_ready(self.on_raw_reaction_add)

    async def cog_unload(self) -> None:
        """Stop the manager's timers; every open race stays saved for the next start."""
        await self.manager.close()

    # -- commands -----------------------------------------------------------------------

    # mypy rejects discord.py's hybrid decorators on methods with parameters (a known
    # false positive: "expected def (Never, ...)"); the ignores below are only for that.
    @commands.hybrid_group(name="race", fallback="start", invoke_without_command=True)  # type: ignore[arg-type]
    @commands.guild_only()
    @app_commands.describe(
        pack="Which pack to race (see `packs`); default: the first one",
        count=f"How many problems: a number, or all (default {DEFAULT_COUNT})",
    )
    async def race(
        self, ctx: commands.Context[AnnealBot], pack: str | None = None, count: str | None = None
    ) -> None:
        """Start a race in this channel: one answer per problem, points for speed."""
        pack_id, number = pack_and_count(self.bot.services.library, pack, count)
        await start_here(ctx, self.manager, pack_id, number, what="race")
        if ctx.interaction is not None:  # a slash command must be answered; `!` needs no reply
            await ctx.send(
                f"{render.FLAG} The race is open: react {render.JOIN_EMOJI} on it to join."
            )

    @race.autocomplete("pack")
    async def pack_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Packs whose id or title holds the typed text, and `fresh` when the runner is on."""
        return pack_choices(self.bot.services, current)

    @race.autocomplete("count")
    async def count_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """A few sensible counts for the chosen pack, and `all` with its size."""
        chosen = getattr(interaction.namespace, "pack", None)
        return count_choices(self.bot.services.library, chosen, current)

    @race.command(name="stop")  # type: ignore[arg-type]
    @commands.guild_only()
    async def race_stop(self, ctx: commands.Context[AnnealBot]) -> None:
        """Call off this channel's race (its starter or a moderator); the podium is shown."""
        await ctx.defer()
        await self.manager.stop(ctx.channel.id, ctx.author.id, is_moderator=is_moderator(ctx))
        await ctx.send("Race called off. Every answer is saved.")

    # -- reactions ----------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        """✅ on a lobby joins its race, a letter answers the open race problem."""
        arrived = self.bot.services.clock()  # before any REST call: see ReactionAnswers
        if payload.guild_id is None or self.bot.user is None:
            return
        if payload.user_id == self.bot.user.id or (payload.member and payload.member.bot):
            return
        emoji = str(payload.emoji)
        if emoji == render.JOIN_EMOJI and self.manager.lobby_of(payload.message_id):
            await self._join(payload)
            return
        if not self.manager.knows_message(payload.message_id):
            return
        letter = EMOJI_LETTER.get(emoji)
        if letter is not None:
            await self.answers.answer(payload, letter, arrived)
        elif emoji == HINT_EMOJI:
            self.answers.tell_then_hide(payload, NO_HINTS, NO_HINTS)

    async def _join(self, payload: discord.RawReactionActionEvent) -> None:
        """Count the member in; the ✅ stays, so everyone sees who races."""
        try:
            await self.manager.join(message_id=payload.message_id, user_id=payload.user_id)
        except ProblemClosed as exc:  # the lobby closed as the ✅ came in
            self.bot.notifier.tell(payload.user_id, payload.channel_id, str(exc), str(exc))
