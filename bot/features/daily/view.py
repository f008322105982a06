"""How the daily problems look in Discord: a challenge problem's post and reveal, dated."""

from __future__ import annotations

from datetime import date

import discord

from bot.challenges import LiveChallenge
from bot.challenges.daily import LiveDaily
from bot.engine.daily_times import EPOCH
from bot.engine.pace import Progress
from bot.engine.session import OpenProblem, Reveal, Summary
from bot.features.challenge.view import DiscordChallengeView
from bot.features.common.embeds import message_link
from bot.features.daily import render
from bot.storage import SessionStatus


class DailyView(DiscordChallengeView):
    """Posts the daily problems and their reveals, with the day they belong to."""

    def problem_embed(
        self, live: LiveChallenge, opened: OpenProblem, progress: Progress
    ) -> discord.Embed:
        """The problem, as the daily problem of its day."""
        return render.problem_embed(opened, progress, _day(live))

    def reveal_embed(self, live: LiveChallenge, reveal: Reveal) -> discord.Embed:
        """The challenge reveal, marked as the answer to its day's problem (linked to it)."""
        # The problem's message is among the closed ones once its reveal is under way.
        posted = max(live.closed_messages, default=None)
        link = None if posted is None else message_link(live.guild_id, live.channel_id, posted)
        return render.reveal_embed(super().reveal_embed(live, reveal), _day(live), link)

    async def show_summary(
        self, live: LiveChallenge, summary: Summary, new_badges: list[int], status: SessionStatus
    ) -> None:
        """A daily problem ends with its reveal, which names who got it: no summary."""


def _day(live: LiveChallenge) -> date:
    return live.day if isinstance(live, LiveDaily) else EPOCH
