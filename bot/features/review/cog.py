"""`!review` / `/review`: a member's due misses in DMs, the queue's state, daily reminders.

The rules (what is due, where an answer moves a problem) are `bot.engine.review`; the
queue moves in storage with each answer; the reminder loop is `bot.challenges.reminders`,
which this cog runs with the bot's clock and sends through the notifier's DM lane.
"""

from __future__ import annotations

import asyncio
import logging

from discord import app_commands
from discord.ext import commands

from bot.challenges.due import due_problems
from bot.challenges.reminders import Delivery, ReviewReminders, stop
from bot.engine.review import ReviewQueue
from bot.features.common.bot import AnnealBot
from bot.features.common.errors import UserFacingError
from bot.features.review import render

log = logging.getLogger("anneal.review")

REMIND_CHOICES = [app_commands.Choice(name=word, value=word) for word in render.REMIND_CHOICES]


class ReviewCog(commands.Cog, name="Review"):
    """`review` (serve what is due, or say when it will be) and `review remind on|off`."""

    def __init__(self, bot: AnnealBot) -> None:
        self.bot = bot
        services = bot.services
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

    # mypy cannot solve discord.py's hybrid decorators on cog methods with parameters
    # ("expected def (Never, ...)"); the ignore is only for that.
    @commands.hybrid_command(  # type: ignore[arg-type]
        name="review", description="Go over the problems you missed, as each comes due"
    )
    @app_commands.describe(remind="turn the daily DM on or off (sent when something is due)")
    @app_commands.choices(remind=REMIND_CHOICES)
    async def review(self, ctx: commands.Context[AnnealBot], *, remind: str | None = None) -> None:
        """Serve your due misses in DMs, or say when the next is; `review remind on|off`."""
        prefix = self.bot.services.settings.prefix
        try:
            enabled = render.parse_remind(remind, prefix)
        except render.BadRemind as exc:
            raise UserFacingError(str(exc)) from None
        if enabled is None:
            await self._serve(ctx)
        else:
            await self._set_reminders(ctx, enabled)

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
        closed_at = await services.db.take_closed_dms_notice(ctx.author.id)
        due = await due_problems(services.db, services.library, ctx.author.id, services.clock())
        lines = [] if closed_at is None else [render.closed_dms_notice(closed_at, prefix)]
        if not due.problems:
            lines.append(render.queue_status(due.queue, services.settings.review_steps, prefix))
            await ctx.send("\n".join(lines), ephemeral=True)
            return
        raise UserFacingError("serving due problems arrives with the solo play")
