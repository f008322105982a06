"""`!run` and `/run`: step a learning-rate scheduler with real torch (in a worker) and show it.

The flow: text → RunRequest (`request`: a problem's recipe with changes, or the user's
own expression or snippet) → the leak rule (`leaks`: nothing in play in a challenge
here) → fairness limits (`limits`) → the runner pool, in another process → an embed with
the table and a PNG chart (`render`). Nothing here imports torch or matplotlib, and
every wait is on the pool's pipes, so the event loop stays free.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator

import discord
from discord import app_commands
from discord.ext import commands

from bot.features.common.bot import AnnealBot
from bot.features.common.errors import UserFacingError
from bot.features.common.warmup import ready_runner
from bot.features.run.compare import (
    check_leaks,
    compare_example,
    resolve_compare,
    suggest_schedules,
    wants_compare,
)
from bot.features.run.leaks import InPlay
from bot.features.run.limits import LimitReached, RunLimits
from bot.features.run.render import build_compare_reply, build_reply
from bot.features.run.request import example, resolve, runnable, suggest_ids
from bot.features.run.variants import variant_command
from bot.runner import Requester, RunnerBusy, RunnerClosed, RunnerPool, describe_run

log = logging.getLogger("anneal.run")

# Discord cuts option descriptions at 100 characters.
TEXT_HELP = "StepLR(step_size=2) lr=0.1 steps=5 · a problem id with changes · compare A ; B"


class RunCog(commands.Cog):
    """`!run`: the runner's front door, with the limits that keep it shared fairly."""

    def __init__(self, bot: AnnealBot) -> None:
        self.bot = bot
        self.limits = RunLimits(bot.services.clock)

    # mypy 2.4 cannot solve discord.py's Concatenate-based decorator types for a hybrid
    # command with parameters after ctx and reports "expected def (Never, ...)"; the
    # signature is the one discord.py documents, so only that check is silenced.
    @commands.hybrid_command(  # type: ignore[arg-type]
        name="run", description="Step a PyTorch LR scheduler with real torch; get a table and chart"
    )
    @app_commands.describe(text=TEXT_HELP)
    async def run(self, ctx: commands.Context[AnnealBot], *, text: str = "") -> None:
        """Run a scheduler, a pasted training loop, or a problem's recipe with changes."""
        command = self._command(ctx)
        if self.bot.services.runner is None:
            raise UserFacingError(f"`{command}` is not available on this bot right now.")
        guild_id = ctx.guild.id if ctx.guild is not None else None
        if wants_compare(text):
            await self._compare(ctx, command, text)
            return
        library = self.bot.services.library
        in_play = self._in_play(guild_id)
        if not text.strip():
            raise UserFacingError(self._usage(command, in_play))
        # Refusals so far cost nothing, so they don't count against the limits below.
        in_play.check_text(text, command)
        hidden = in_play.hidden_ids(runnable(library).values())
        request = resolve(text, library, command, hidden)
        in_play.check(request, command)
        started = time.perf_counter()
        async with self._runner_for(ctx, command) as (runner, requester):
            chart = await runner.chart(request.spec, requester=requester)
        # A challenge may have started while the run waited for a worker.
        self._in_play(guild_id).check(request, command)
        log.info(
            "run by %d in %s: %s (%.0f ms)",
            ctx.author.id,
            guild_id,
            describe_run(request.spec),
            (time.perf_counter() - started) * 1000,
        )
        reply = build_reply(request, chart.result, chart.png, command=command)
        await ctx.reply(embed=reply.embed, files=reply.files())

    async def _compare(self, ctx: commands.Context[AnnealBot], command: str, text: str) -> None:
        """`!run compare A ; B ...`: every schedule in one job, on one chart and in one table."""
        guild_id = ctx.guild.id if ctx.guild is not None else None
        request = resolve_compare(text, command)
        check_leaks(request, self._in_play(guild_id), command)
        started = time.perf_counter()
        async with self._runner_for(ctx, command) as (runner, requester):
            comparison = await runner.compare(request.runs, requester=requester)
        check_leaks(request, self._in_play(guild_id), command)  # a challenge may have started
        log.info(
            "compare by %d in %s: %s (%.0f ms)",
            ctx.author.id,
            guild_id,
            " ; ".join(request.labels),
            (time.perf_counter() - started) * 1000,
        )
        reply = build_compare_reply(request, comparison.results, comparison.png)
        await ctx.reply(embed=reply.embed, files=reply.files())

    @contextlib.asynccontextmanager
    async def _runner_for(
        self, ctx: commands.Context[AnnealBot], command: str
    ) -> AsyncIterator[tuple[RunnerPool, Requester]]:
        """A warm runner and whose job it is, within the limits; the job runs in the block.

        A run or a comparison is one admission: one job, one turn of the cooldown. When
        nothing reaches a worker (busy, closed, warming up), the quota is given back.
        """
        guild_id = ctx.guild.id if ctx.guild is not None else None
        try:
            admission = self.limits.admit(ctx.author.id, guild_id)
        except LimitReached as exc:
            raise UserFacingError(str(exc)) from None
        with admission:
            # Slash: defer now (a cold worker can take over 3 s); prefix: "Anneal is typing".
            async with ctx.typing():
                try:
                    # Right after a restart the workers may still be warming up: wait a bit.
                    warm = await ready_runner(self.bot.services)
                    if warm is None:
                        raise UserFacingError(f"`{command}` is not available right now.")
                    # Whose run it is: the pool shares its queue fairly by server and member.
                    yield warm, Requester(guild_id=guild_id, user_id=ctx.author.id)
                except (RunnerBusy, RunnerClosed, UserFacingError):
                    admission.refund()  # nothing ran, so the user's wait should not grow
                    raise

    @run.autocomplete("text")
    async def _suggest_problem_ids(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        compare = suggest_schedules(current)
        if compare or wants_compare(current):
            return [app_commands.Choice(name=label, value=value) for label, value in compare]
        problems = runnable(self.bot.services.library)
        hidden = self._in_play(interaction.guild_id).hidden_ids(problems.values())
        shown = {pid: problem for pid, problem in problems.items() if pid not in hidden}
        return [
            app_commands.Choice(name=label, value=problem_id)
            for label, problem_id in suggest_ids(shown, current)
        ]

    def _in_play(self, guild_id: int | None) -> InPlay:
        """What `!run` must not show here: the guild's unrevealed problems, in DMs every guild's."""
        in_play = self.bot.services.unrevealed_problems(guild_id)
        return InPlay(tuple(in_play), in_dms=guild_id is None)

    def _command(self, ctx: commands.Context[AnnealBot]) -> str:
        """How the user invoked us, for examples: `/run` from a slash command, else `!run`."""
        if ctx.interaction is not None:
            return "/run"
        return f"{self.bot.services.settings.prefix}run"

    def _usage(self, command: str, in_play: InPlay) -> str:
        """What a bare `!run` answers: one example of each form it understands."""
        lines = ["Give me a scheduler to run, for example:", example(command)]
        lines.append(f"or 2 to 4 schedules to compare: {compare_example(command)}")
        library = self.bot.services.library
        problems = runnable(library, in_play.hidden_ids(runnable(library).values()))
        if problems:
            first = next(iter(problems.values()))
            lines.append(f"or a problem's recipe, changed: `{variant_command(first, command)}`")
        # Double backticks show the fence literally instead of opening a code block.
        lines.append("or paste a training loop in a code block that starts with `` ```py ``.")
        return "\n".join(lines)
