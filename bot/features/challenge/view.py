"""How the ChallengeManager's games look in Discord: problems, progress, reveals, summaries."""

from __future__ import annotations

import asyncio
import logging

import discord

from bot.challenges import LiveChallenge
from bot.engine.pace import Progress
from bot.engine.session import OpenProblem, Reveal, Summary
from bot.features.challenge import render
from bot.features.common.bot import AnnealBot
from bot.features.common.outgoing import edits_lane, reactions_lane
from bot.features.run.variants import variant_hint
from bot.storage import SessionStatus

log = logging.getLogger("anneal.challenge")


class DiscordChallengeView:
    """Shows the manager's challenges in Discord channels."""

    def __init__(self, bot: AnnealBot) -> None:
        self.bot = bot

    async def channel(self, channel_id: int) -> discord.abc.Messageable:
        """The channel to post in, from the cache or else from the API."""
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            channel = await self.bot.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise TypeError(f"channel {channel_id} cannot receive messages")
        return channel

    def problem_embed(
        self, live: LiveChallenge, opened: OpenProblem, progress: Progress
    ) -> discord.Embed:
        """How an open problem looks (another mode's view may dress it its own way)."""
        return render.problem_embed(opened, progress)

    def reveal_embed(self, live: LiveChallenge, reveal: Reveal) -> discord.Embed:
        """How a reveal looks: the answer, who got it, and a `!run` variant to try."""
        variant = variant_hint(reveal.problem, self.bot.services.settings.prefix)
        return render.reveal_embed(reveal, variant)

    async def show_problem(
        self, live: LiveChallenge, opened: OpenProblem, progress: Progress
    ) -> int:
        """Post the problem, add its reactions in the background; returns the message id."""
        channel = await self.channel(live.channel_id)
        message = await channel.send(embed=self.problem_embed(live, opened, progress))
        # Reactions go on in the background (the problem is already open and timed), ahead
        # of the removals still waiting in the channel's lane: members answer by clicking them.
        emojis = render.problem_emojis(opened.problem)
        self.bot.outgoing.submit(
            reactions_lane(live.channel_id),
            lambda: add_reactions(message, emojis),
            what=f"the reactions under problem {message.id}",
            cost=len(emojis),
            first=True,
        )
        return message.id

    async def show_progress(
        self, live: LiveChallenge, opened: OpenProblem, progress: Progress
    ) -> None:
        """Queue an edit of the footer: how many answered, how many are still trying."""
        message_id = live.message_id
        if message_id is None:
            return
        message = self.bot.get_partial_messageable(live.channel_id).get_partial_message(message_id)
        embed = self.problem_embed(live, opened, progress)
        # Keyed by message: an edit still waiting is replaced by this newer count.
        self.bot.outgoing.submit(
            edits_lane(live.channel_id),
            lambda: message.edit(embed=embed),
            what=f"the answer count of problem {message_id}",
            key=("progress", message_id),
        )

    async def show_reveal(self, live: LiveChallenge, reveal: Reveal) -> None:
        """Post the answer, with a `!run` variant when the problem has a recipe."""
        channel = await self.channel(live.channel_id)
        await channel.send(embed=self.reveal_embed(live, reveal))

    async def show_summary(
        self, live: LiveChallenge, summary: Summary, new_badges: list[int], status: SessionStatus
    ) -> None:
        """Post the summary and the badges won when a challenge ends or is stopped."""
        channel = await self.channel(live.channel_id)
        await channel.send(embed=render.summary_embed(summary, new_badges, status))

    async def show_notice(self, channel_id: int, text: str) -> None:
        """Post a plain message from the manager (e.g. why a challenge could not go on)."""
        channel = await self.channel(channel_id)
        await channel.send(text)


async def add_reactions(message: discord.Message, emojis: list[str]) -> None:
    """Put the option letters and the bulb under a problem, in order.

    Each one added is crossed off `emojis`, so a retry after a 429 goes on where it stopped.
    """
    while emojis:
        await message.add_reaction(emojis[0])
        emojis.pop(0)


def log_failure(task: asyncio.Task[None]) -> None:
    """A done-callback for background Discord calls: log their failure, never raise it."""
    if not task.cancelled() and (error := task.exception()) is not None:
        log.warning("background Discord call failed: %s", error)
