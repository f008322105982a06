"""`!review` / `/review`: a member's due misses in DMs, the queue's state, daily reminders.

The rules (what is due, where an answer moves a problem) are `bot.engine.review`; the
queue moves in storage with each answer (no hook here: the solo machinery stores the
answer, and that moves it). A review is a solo run: its problems come from
`ReviewSource` (bot/challenges/due.py) and it plays through the practice feature's
machinery (`services.solo`, `start_in_dms`), so it looks and answers like practice. The
reminder loop is `bot.challenges.reminders`, run here on the bot's clock and sent through
the notifier's DM lane.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection

from discord import app_commands
from discord.ext import commands

from bot.challenges.due import NothingDue, ReviewSource
from bot.challenges.reminders import Delivery, ReviewReminders, stop
from bot.challenges.solo import SoloPlay
from bot.engine.review import ReviewQueue
from bot.features.common.bot import AnnealBot
from bot.features.common.errors import UserFacingError
from bot.features.practice.view import start_in_dms, stop_in_dms
from bot.features.review import render
from bot.storage import SessionMode

log = logging.getLogger("anneal.review")

REVIEW_RUN = 10  # due problems served in one review; `!review` again serves the next ones
ACTION_CHOICES = [
    app_commands.Choice(name=text, value=action.value)
    for action, text in render.ACTION_CHOICES.items()
]


class ReviewCog(commands.Cog, name="Review"):
    """`review` (serve what is due, or say when it will be), `review remind on|off`,
    `review stop`, and the daily reminder loop."""

    def __init__(self, bot: AnnealBot) -> None:
        self.bot = bot
        services = bot.services
        self.source = ReviewSource(
            services.db, services.library, services.clock, in_play=self._in_play
        )
        self.reminders = ReviewReminders(
            services.db, self._send_reminder, clock=services.clock, sleep=services.sleep
        )
        self._reminding: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        """Start the daily reminder loop once the bot is connected."""
        self._reminding = asyncio.create_task(self._remind_when_ready(), name="review reminders")

    async def cog_unload(self) -> None:
        """Stop the reminder loop (what it claimed is in the database)."""
        if self._reminding is not None:
            await stop(self._reminding)

    async def _remind_when_ready(self) -> None:
        await self.bot.wait_until_ready()
        try:
            await self.reminders.run()
        except Exception:
            log.exception("the review reminder loop stopped")
            raise

    async def _send_reminder(self, user_id: int, queue: ReviewQueue) -> Delivery:
        """DM one reminder through the notifier (rate limits, closed DMs remembered)."""
        text = render.reminder_text(queue, self.bot.services.settings.prefix)
        sending = self.bot.notifier.dm(user_id, text)
        await asyncio.wait([sending])  # a dropped DM is cancelled: not ours to re-raise
        if sending.cancelled() or sending.exception() is not None:
            return Delivery.FAILED
        return Delivery.SENT if sending.result() else Delivery.DMS_CLOSED

    def _in_play(self) -> Collection[str]:
        """Problems a live challenge (or a daily problem) has not revealed: a review must not
        explain them."""
        return {problem.id for problem in self.bot.services.unrevealed_problems(None)}

    def _solo(self) -> SoloPlay:
        solo = self.bot.services.solo
        if solo is None:  # the practice feature runs every solo mode
            raise UserFacingError("Reviews are off on this bot (its practice feature is off).")
        return solo

    # mypy cannot solve discord.py's hybrid decorators on cog methods with parameters
    # ("expected def (Never, ...)"); the ignore is only for that.
    @commands.hybrid_command(  # type: ignore[arg-type]
        name="review", description="Go over the problems you missed, as each comes due"
    )
    @app_commands.describe(action="reminders on or off, or stop a review (default: review now)")
    @app_commands.choices(action=ACTION_CHOICES)
    async def review(self, ctx: commands.Context[AnnealBot], *, action: str | None = None) -> None:
        """Serve your due misses in DMs, or say when the next is; `review remind on|off`;
        `review stop`."""
        prefix = self.bot.services.settings.prefix
        try:
            chosen = render.parse_action(action, prefix)
        except render.BadAction as exc:
            raise UserFacingError(str(exc)) from None
        await ctx.defer(ephemeral=True)
        if chosen is render.Action.SERVE:
            await self._serve(ctx)
        elif chosen is render.Action.STOP:
            await self._stop(ctx)
        else:
            await self._set_reminders(ctx, chosen is render.Action.REMIND_ON)

    async def _set_reminders(self, ctx: commands.Context[AnnealBot], enabled: bool) -> None:
        services = self.bot.services
        await services.db.set_review_reminders(
            ctx.author.id, enabled, display_name=ctx.author.display_name
        )
        queue = await services.db.review_queue(ctx.author.id, services.clock())
        reply = render.remind_reply(enabled, queue, services.settings.prefix)
        await ctx.send(reply, ephemeral=True)

    async def _serve(self, ctx: commands.Context[AnnealBot]) -> None:
        services = self.bot.services
        prefix = services.settings.prefix
        solo = self._solo()
        closed_at = await services.db.take_closed_dms_notice(ctx.author.id)
        notice = None if closed_at is None else render.closed_dms_notice(closed_at, prefix)
        live = solo.run_of(ctx.author.id)
        reviewing = live is not None and live.mode is SessionMode.REVIEW
        if live is not None and reviewing and await solo.repost(live.channel_id) is not None:
            # `review` during a review: its problem again, not a new run from the start.
            await ctx.send(render.joined(notice, render.going_on(live, prefix)), ephemeral=True)
            return
        try:
            chosen = await self.source.pick(ctx.author.id, REVIEW_RUN)
        except NothingDue as nothing:
            reminder = await services.db.review_reminder(ctx.author.id)
            status = render.queue_status(
                nothing.due.queue,
                services.settings.review_steps,
                prefix,
                reminding=reminder is not None and reminder.enabled,
            )
            held = str(nothing) if nothing.due.held else None
            await ctx.send(render.joined(notice, held or status), ephemeral=True)
            return
        try:
            await start_in_dms(ctx, solo, chosen, SessionMode.REVIEW)
        except UserFacingError as refused:  # e.g. DMs closed: say both at once
            raise UserFacingError(render.joined(notice, str(refused))) from None
        if notice is not None:
            await ctx.send(notice, ephemeral=True)

    async def _stop(self, ctx: commands.Context[AnnealBot]) -> None:
        prefix = self.bot.services.settings.prefix
        none_open = f"You have no review running. `{prefix}review` starts one."
        await stop_in_dms(ctx, self._solo(), none_open=none_open)
