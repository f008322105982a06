"""The daily problem in Discord: its turns running in the background, answers by reaction,
and `!daily` (today's problem, your streak, the server's best streaks).

`DailyProblems` keeps the live problems, `DailyTurns` posts and reveals them when due
(claimed through the database), `view` posts them and `reactions` (the challenges') turns
reactions on them into answers and hints. `!admin daily` (the admin feature) schedules them
through `services.daily`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import secrets
import socket
from collections.abc import Collection

import discord
from discord.ext import commands

from bot.challenges.daily import DailyProblems
from bot.challenges.daily_pick import DailyPicker, GenerateProblem, generator_on
from bot.challenges.daily_turns import DailyTurns, schedule_time
from bot.content.generator import GenerationError
from bot.engine.daily_times import day_from_number
from bot.engine.pace import Pace
from bot.engine.problems import Problem
from bot.engine.streaks import best_streaks
from bot.features.challenge.reactions import ReactionAnswers
from bot.features.challenge.view import log_failure
from bot.features.common.bot import AnnealBot, guild_of
from bot.features.common.embeds import message_link
from bot.features.common.errors import UserFacingError
from bot.features.common.warmup import ready_runner
from bot.features.daily import render
from bot.features.daily.view import DailyView

log = logging.getLogger("anneal.daily")


def process_name() -> str:
    """This process's name in the claims it makes: host, pid and a random part (a pid is
    reused after a restart; a claim of the process before must not pass for this one's)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class DailyCog(commands.Cog, name="Daily"):
    """`daily`, the reactions on daily problems, and the loop that posts them."""

    def __init__(self, bot: AnnealBot) -> None:
        self.bot = bot
        services = bot.services
        settings = services.settings
        self.view = DailyView(bot)
        self.problems = DailyProblems(
            services.db,
            services.library,
            self.view,
            services.clock,
            pace=Pace(settings.reveal_grace, settings.join_window, settings.retry_window),
            sleep=services.sleep,
            double_tap=services.double_tap,
        )
        generate: GenerateProblem | None = self._generate if services.runner is not None else None
        self.turns = DailyTurns(
            services.db,
            self.problems,
            DailyPicker(services.library, generate),
            clock=services.clock,
            sleep=services.sleep,
            owner=process_name(),
            # A process posts for the servers it is connected to (its shards' servers).
            owns=lambda guild_id: bot.get_guild(guild_id) is not None,
        )
        services.daily = self.turns  # `!admin daily` schedules through it; `!run` reads it
        self.reactions = ReactionAnswers(
            bot, self.problems, self.view, hint_needs_dms=render.HINT_NEEDS_DMS
        )
        self._loop: asyncio.Task[None] | None = None

    async def _generate(
        self, scheduler: str, rng: random.Random, taken: Collection[str]
    ) -> Problem:
        try:
            runner = await ready_runner(self.bot.services)
        except UserFacingError as exc:  # still warming up after a restart
            raise GenerationError(str(exc)) from None
        if runner is None:
            raise GenerationError("the torch workers are off")
        return await generator_on(runner)(scheduler, rng, taken)

    async def cog_load(self) -> None:
        """Take up the open daily problems and start the turns once the bot is ready."""
        task = asyncio.create_task(self._start_when_ready())
        task.add_done_callback(log_failure)

    async def cog_unload(self) -> None:
        """Stop the loop; every daily problem stays open in the database for the next start."""
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
        await self.problems.close()

    async def _start_when_ready(self) -> None:
        await self.bot.wait_until_ready()  # servers and channels are cached from here on
        if self._loop is not None:
            return
        found = await self.problems.resume_all(self.turns.owns)
        self._loop = asyncio.create_task(self.turns.run(), name="daily turns")
        self._loop.add_done_callback(log_failure)
        await self.reactions.read_back_all(found)

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        """A letter answers the daily problem, the bulb asks for its hint."""
        await self.reactions.on_reaction(payload)

    # mypy 2.4 cannot solve discord.py's Concatenate-based decorator types for a hybrid
    # command defined in a cog ("expected def (Never, ...)"); the ignore is only for that.
    @commands.hybrid_command(  # type: ignore[arg-type]
        name="daily", description="Today's daily problem, your streak and the best streaks"
    )
    @commands.guild_only()
    async def daily(self, ctx: commands.Context[AnnealBot]) -> None:
        """Today's daily problem (a link), your streak, and the server's best streaks."""
        guild = guild_of(ctx)
        await ctx.defer()  # a server with a long history takes a moment (bench/daily.py)
        services = self.bot.services
        db = services.db
        schedule = await db.daily_schedule(guild.id)
        on = schedule if schedule is not None and schedule.enabled else None
        when = schedule_time(on) if on is not None else None
        going = await self.turns.streaks(guild.id, going_only=True)
        yours = await self.turns.streaks(guild.id, ctx.author.id)
        embed = render.daily_embed(
            guild_name=guild.name,
            schedule=(when, on.channel_id) if when is not None and on is not None else None,
            next_at=when.next_slot(services.clock()) if when is not None else None,
            today=await self._today(guild.id),
            yours=yours.get(ctx.author.id),
            best=best_streaks(going),
            prefix=services.settings.prefix,
        )
        await ctx.send(embed=embed)

    async def _today(self, guild_id: int) -> render.Today | None:
        """The server's daily problem out now (posted, not revealed), if any."""
        db = self.bot.services.db
        latest = await db.latest_daily(guild_id)
        if latest is None or latest.revealed or latest.message_id is None or not latest.choice:
            return None
        sessions = await db.daily_sessions(guild_id, latest.day)
        daily = self.turns.picker.problem_of(latest.choice)
        if not sessions or daily is None:
            return None
        stored = sessions[0]
        live = self.problems.live_in(guild_id)
        playing = live is not None and live.session_id == stored.id and live.session.current
        return render.Today(
            day=day_from_number(latest.day),
            title=daily.problem.title,
            link=message_link(guild_id, stored.channel_id, latest.message_id),
            closes=stored.deadline,
            answered=live.session.answered_count() if live is not None and playing else None,
        )
