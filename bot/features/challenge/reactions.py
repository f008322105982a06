"""Answers by reaction, for any game a ChallengeManager runs (a challenge, a race).

The verdict comes first: the answer's time is when its event reached the bot, and it is
judged and stored before any REST call. Removing the reaction (so nobody copies the
pick) and the private feedback go through the bot's outgoing queue after, so a busy
channel slows the feedback, never the verdict. After a restart, the reactions added
while the bot was away are read back and handed to the same handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import discord

from bot.challenges import ChallengeManager, DoubleTap, ReadBack
from bot.engine.session import HINT_KEY, AnswerOutcome, ChallengeError, OptionAlreadyTried
from bot.features.challenge import readback, render
from bot.features.challenge.view import find_channel, log_failure
from bot.features.common.bot import AnnealBot
from bot.features.common.notify import when_done
from bot.features.common.outgoing import messages_lane, reactions_lane

log = logging.getLogger("anneal.challenge")

CRASHED = "something went wrong on my side and your answer was not counted: react again."

# What a member is told of their judged answer: privately (may name the pick), and in the
# channel when their DMs are closed (never names it).
Feedback = Callable[[AnswerOutcome], tuple[str, str]]
# The cog's reaction listener: read-back reactions are handed to it like live ones.
ReactionHandler = Callable[[discord.RawReactionActionEvent], Awaitable[None]]


def challenge_feedback(outcome: AnswerOutcome) -> tuple[str, str]:
    """A challenge's feedback: right or not, the points, the attempts left."""
    attempt = outcome.attempt
    private = render.answer_feedback(
        attempt.correct, outcome.attempts_left, attempt.points, attempt.option
    )
    return private, render.public_feedback(attempt.correct, outcome.attempts_left)


class ReactionAnswers:
    """Judges reactions on `manager`'s problem messages and tells each member privately."""

    def __init__(
        self, bot: AnnealBot, manager: ChallengeManager, feedback: Feedback = challenge_feedback
    ) -> None:
        self.bot = bot
        self.manager = manager
        self.feedback = feedback
        self._warned_channels: set[int] = set()  # told once that Manage Messages is missing
        self._resumed = False

    async def answer(
        self, payload: discord.RawReactionActionEvent, letter: str, arrived: float
    ) -> None:
        """Judge and store first; the reaction removal and the feedback are queued after."""
        user_id, channel_id = payload.user_id, payload.channel_id
        try:
            outcome = await self.manager.answer(
                message_id=payload.message_id,
                user_id=user_id,
                user_name=await self.display_name(payload),
                option=letter,
                answered_at=arrived,
            )
        except DoubleTap:
            self.hide(payload)  # the first pick's feedback is on its way
            return
        except ChallengeError as exc:
            public = (
                "you already tried that option; it was not counted again."
                if isinstance(exc, OptionAlreadyTried)
                else str(exc)
            )
            self.tell_then_hide(payload, str(exc), public)
            return
        except Exception:
            log.exception("the answer of %d in channel %d failed", user_id, channel_id)
            self.tell_then_hide(payload, CRASHED.capitalize(), CRASHED)
            return
        self.hide(payload)  # stored: hide the pick at once
        private, public = self.feedback(outcome)
        self.bot.notifier.tell(user_id, channel_id, private, public)

    def tell_then_hide(
        self, payload: discord.RawReactionActionEvent, private: str, public: str
    ) -> None:
        """For a pick that did not count: its reaction goes only once the member knows why
        (so they can react again), and stays if they could not be told."""
        told = self.bot.notifier.tell(payload.user_id, payload.channel_id, private, public)
        when_done(told, lambda ok: self.hide(payload) if ok else None)

    async def display_name(self, payload: discord.RawReactionActionEvent) -> str:
        """The reacting member's name; guild reaction events carry the member."""
        if payload.member is not None:
            return payload.member.display_name
        user = self.bot.get_user(payload.user_id) or await self.bot.fetch_user(payload.user_id)
        return user.display_name

    def hide(self, payload: discord.RawReactionActionEvent) -> None:
        """Queue the removal of the member's reaction, so others can't copy their pick."""
        channel_id, user = payload.channel_id, discord.Object(payload.user_id)
        if not self._may_manage_messages(channel_id):
            self._ask_for_manage_messages(channel_id)  # a call that would only be refused
            return
        message = self.bot.get_partial_messageable(channel_id).get_partial_message(
            payload.message_id
        )

        async def remove() -> None:
            try:
                await message.remove_reaction(payload.emoji, user)
            except discord.Forbidden:
                self._ask_for_manage_messages(channel_id)
            except discord.NotFound:
                pass  # the message is gone: nothing left to hide

        self.bot.outgoing.submit(
            reactions_lane(channel_id), remove, what=f"removing a reaction of {user.id}"
        )

    def _may_manage_messages(self, channel_id: int) -> bool:
        """False only when the cached permissions say Manage Messages is missing."""
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.abc.GuildChannel) or channel.guild.me is None:
            return True  # not cached: let Discord decide
        return channel.permissions_for(channel.guild.me).manage_messages

    def _ask_for_manage_messages(self, channel_id: int) -> None:
        if channel_id in self._warned_channels:
            return
        self._warned_channels.add(channel_id)  # once per channel, not once per answer
        channel = self.bot.get_partial_messageable(channel_id)
        self.bot.outgoing.submit(
            messages_lane(channel_id),
            lambda: channel.send(
                "I need the **Manage Messages** permission here to hide everyone's picks. "
                "Answers still count."
            ),
            what="asking for Manage Messages",
        )

    # -- after a restart ------------------------------------------------------------------

    def resume_when_ready(self, handle: ReactionHandler) -> None:
        """Once the bot is ready (channels cached), bring back the manager's open games and
        read back their missed reactions; once per bot, however often it reconnects."""

        async def resume() -> None:
            await self.bot.wait_until_ready()
            if not self._resumed:
                self._resumed = True
                await self.resume(handle)

        asyncio.create_task(resume()).add_done_callback(log_failure)

    async def resume(self, handle: ReactionHandler) -> None:
        """Bring back the manager's open games, then read back each one's missed reactions."""
        for found in await self.manager.resume_all():
            try:
                await self.read_back(found, handle)
            except Exception:
                log.exception("could not read back the reactions on %d", found.message_id)

    async def read_back(self, found: ReadBack, handle: ReactionHandler) -> None:
        """Hand the reactions added while the bot was away to the live reaction handler."""
        try:
            await self._hand_in_missed(found, handle)
        finally:
            self.manager.replays_done(found.message_id)  # the problem may now be revealed

    async def _hand_in_missed(self, found: ReadBack, handle: ReactionHandler) -> None:
        assert self.bot.user is not None
        resumed_at = self.bot.services.clock()
        channel = await find_channel(self.bot, found.channel_id)
        try:
            message = await channel.fetch_message(found.message_id)
        except discord.NotFound:
            return  # the problem message was deleted meanwhile
        seen, users = await readback.reactions_on(message, self.bot.user.id)
        heard = self.manager.heard_on(found.message_id)
        plan = readback.sort_out(seen, heard, late=found.late)
        letters = [(r.user_id, r.key) for r in plan.replay if r.key != HINT_KEY]
        # Judged as of the resume however long handing them in takes (removals are rate
        # limited), and the problem is not revealed meanwhile.
        self.manager.expect_replays(found.message_id, letters, resumed_at)
        for reaction in plan.replay:
            await handle(readback.replayed_event(message, reaction, users[reaction.user_id]))
        for user_id, picks in plan.ambiguous.items():
            for pick in picks:
                with contextlib.suppress(discord.HTTPException):
                    await message.remove_reaction(pick.emoji, discord.Object(user_id))
            private, public = readback.ambiguous_text(picks)
            self.bot.notifier.tell(user_id, found.channel_id, private, public)
