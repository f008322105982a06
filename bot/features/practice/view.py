"""How solo runs look in DMs (the `SoloView` of bot/challenges/solo.py), and how one starts.

Every call goes through the outgoing queue in the member's DM lane, so a run's messages
arrive in order (verdict, then the next problem) and 429s are waited out. Review starts
its runs with `start_in_dms` too: the same DMs, the same reactions, the same replies.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord
from discord.ext import commands

from bot.challenges.solo import LiveSolo, SoloPlay, SoloSet
from bot.engine.solo import SoloProblem, SoloSummary, Verdict
from bot.features.challenge import render as challenge
from bot.features.challenge.view import add_reactions
from bot.features.common.bot import AnnealBot
from bot.features.common.errors import UserFacingError
from bot.features.common.notify import CANNOT_DM
from bot.features.common.outgoing import dm_lane
from bot.features.practice import render
from bot.features.run.variants import variant_hint
from bot.storage import SessionMode, SessionStatus

log = logging.getLogger("anneal.practice")


class DiscordSoloView:
    """Shows members' runs in their DM channels."""

    def __init__(self, bot: AnnealBot) -> None:
        self.bot = bot

    def channel(self, channel_id: int) -> discord.PartialMessageable:
        """The DM channel, to send to or fetch from."""
        # Partial: after a restart the DM channel is not cached, and sending needs only its id.
        return self.bot.get_partial_messageable(channel_id, type=discord.ChannelType.private)

    async def show_problem(self, live: LiveSolo, shown: SoloProblem) -> int:
        """Post the problem and, behind it in the lane, its reactions; returns its id."""
        channel = self.channel(live.channel_id)
        embed = render.problem_embed(live.title, shown)
        lane = dm_lane(live.user_id)
        message = await self.bot.outgoing.submit(
            lane,
            lambda: channel.send(embed=embed),
            what=f"problem {shown.number} to {live.user_id}",
        )
        emojis = challenge.problem_emojis(shown.problem)
        self.bot.outgoing.submit(
            lane,
            lambda: add_reactions(message, emojis),
            what=f"the reactions under {message.id}",
            cost=len(emojis),
        )
        return message.id

    async def show_verdict(self, live: LiveSolo, verdict: Verdict) -> None:
        """Reply to the problem answered with the verdict and the explanation."""
        variant = variant_hint(verdict.problem, self.bot.services.settings.prefix)
        embed = render.verdict_embed(verdict, variant=variant)
        # The newest message showing that problem (it may have been posted again).
        shown_on = max(
            (m for m, index in live.shown.items() if index == verdict.answered.index), default=None
        )
        channel = self.channel(live.channel_id)
        if shown_on is None:
            self._send(live.user_id, lambda: channel.send(embed=embed), "a verdict")
            return
        message = channel.get_partial_message(shown_on)
        self._send(live.user_id, lambda: message.reply(embed=embed), "a verdict")

    async def show_summary(
        self, live: LiveSolo, summary: SoloSummary, status: SessionStatus
    ) -> None:
        """Post the run's summary."""
        prefix = self.bot.services.settings.prefix
        embed = render.summary_embed(live.title, summary, status, prefix=prefix)
        channel = self.channel(live.channel_id)
        self._send(live.user_id, lambda: channel.send(embed=embed), "a summary")

    async def show_notice(self, user_id: int, channel_id: int, text: str) -> None:
        """Tell the member something in their DMs."""
        channel = self.channel(channel_id)
        self._send(user_id, lambda: channel.send(text), "a notice")

    def _send(self, user_id: int, call: Callable[[], Awaitable[object]], what: str) -> None:
        self.bot.outgoing.submit(dm_lane(user_id), call, what=f"{what} to {user_id}")


async def start_in_dms(
    ctx: commands.Context[AnnealBot],
    solo: SoloPlay,
    chosen: SoloSet,
    mode: SessionMode,
    *,
    asked: int | None = None,
) -> LiveSolo:
    """Start `chosen` in the author's DMs and answer where the command was typed (saying
    so when it has fewer problems than the `asked` count).

    The intro goes first: if the member's DMs are closed nothing is started and they are
    told how to open them (UserFacingError). In a server the reply is a short "check your
    DMs" (ephemeral for a slash command); typed in DMs, the run itself is the answer.
    """
    bot = ctx.bot
    user = ctx.author
    lane = dm_lane(user.id)
    prefix = bot.services.settings.prefix
    command = f"{prefix}{ctx.invoked_with or mode.value}"
    dm = await bot.outgoing.submit(lane, user.create_dm, what=f"opening DMs with {user.id}")
    open_run = solo.in_channel(dm.id)
    title = f"{mode.value.title()}: {chosen.label}"
    intro = render.intro_text(
        title,
        len(chosen.problems),
        prefix,
        replaced=open_run.title if open_run is not None else None,
        command=mode.value,  # `practice stop` and `review stop` both end any run
    )
    try:
        await bot.outgoing.submit(lane, lambda: dm.send(intro), what=f"a run's intro to {user.id}")
    except discord.Forbidden as refused:
        if refused.code != CANNOT_DM:
            raise
        raise UserFacingError(render.how_to_open_dms(command)) from None
    live = await solo.start(
        user_id=user.id,
        user_name=user.display_name,
        channel_id=dm.id,
        chosen=chosen,
        mode=mode,
    )
    if ctx.guild is not None:
        reply = render.check_your_dms(live.title, len(chosen.problems), asked)
        await ctx.send(reply, ephemeral=True)
    elif ctx.interaction is not None:  # a slash command must be answered, even in DMs
        await ctx.send(f"Here it comes: **{live.title}** ⬇️", ephemeral=True)
    return live


async def stop_in_dms(ctx: commands.Context[AnnealBot], solo: SoloPlay, *, none_open: str) -> None:
    """End the author's run (any solo mode) with its summary in their DMs, and say so where
    the command was typed; `none_open` (UserFacingError) when they have no run open."""
    live = solo.run_of(ctx.author.id)
    if live is None or await solo.stop(live.channel_id) is None:
        raise UserFacingError(none_open)
    if ctx.guild is not None or ctx.interaction is not None:
        await ctx.send(f"Stopped **{live.title}**: your summary is in your DMs.", ephemeral=True)
