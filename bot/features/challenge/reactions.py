"""Answers and hints by reaction, for any live problems a manager of `bot.challenges`
keeps (challenges, daily problems): judged and stored first, then the member is told
privately and their reaction removed, so nobody can copy their pick.

Each feature that posts problems answered by reactions owns one `ReactionAnswers` over
its manager and hands it every raw reaction event; a message that manager does not know
is ignored, so several can listen side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

import discord

from bot.challenges import DoubleTap, ReadBack
from bot.challenges.answering import AnsweringChallenges
from bot.engine.session import HINT_KEY, ChallengeError, OptionAlreadyTried
from bot.features.challenge import readback, render
from bot.features.challenge.view import DiscordChallengeView, log_failure
from bot.features.common.bot import AnnealBot
from bot.features.common.notify import when_done
from bot.features.common.outgoing import messages_lane, reactions_lane

log = logging.getLogger("anneal.challenge")

CRASHED = "something went wrong on my side and your answer was not counted: react again."
HINT_NEEDS_DMS = "I can't DM you the hint: use `/hint` (only you will see it) or open your DMs."


class ReactionAnswers:
    """Turns reactions on one manager's problem messages into answers and hints."""

    def __init__(
        self,
        bot: AnnealBot,
        manager: AnsweringChallenges,
        view: DiscordChallengeView,
        *,
        hint_needs_dms: str = HINT_NEEDS_DMS,
    ) -> None:
        self.bot = bot
        self.manager = manager
        self.view = view
        self.hint_needs_dms = hint_needs_dms  # the channel note when the hint's DM fails
        self._warned_channels: set[int] = set()  # told once that Manage Messages is missing
        self._tasks: set[asyncio.Task[None]] = set()  # hint charges after their DM went out

    async def read_back_all(self, found: list[ReadBack]) -> None:
        """`read_back` each message in turn; one that fails is logged, the others go on."""
        for each in found:
            try:
                await self.read_back(each)
            except Exception:
                log.exception("could not read back the reactions on %d", each.message_id)

    async def read_back(self, found: ReadBack) -> None:
        """Hand the reactions added while the bot was away to the live reaction handler."""
        try:
            await self._hand_in_missed(found)
        finally:
            self.manager.replays_done(found.message_id)  # the problem may now be revealed

    async def _hand_in_missed(self, found: ReadBack) -> None:
        assert self.bot.user is not None
        resumed_at = self.bot.services.clock()
        channel = await self.view.channel(found.channel_id)
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
            payload = readback.replayed_event(message, reaction, users[reaction.user_id])
            await self.on_reaction(payload)
        for user_id, picks in plan.ambiguous.items():
            for pick in picks:
                with contextlib.suppress(discord.HTTPException):
                    await message.remove_reaction(pick.emoji, discord.Object(user_id))
            private, public = readback.ambiguous_text(picks)
            self.bot.notifier.tell(user_id, found.channel_id, private, public)

    async def on_reaction(self, payload: discord.RawReactionActionEvent) -> None:
        """A letter answers the open problem, the bulb asks for its hint; others are ignored."""
        # The answer's time is when its event reached the bot, taken before any REST call:
        # a rate-limited Discord may slow the feedback, never the verdict.
        arrived = self.bot.services.clock()
        # Raw events, so problems posted before a restart (not cached) still take answers.
        if payload.guild_id is None or self.bot.user is None:
            return
        if payload.user_id == self.bot.user.id or (payload.member and payload.member.bot):
            return
        emoji = str(payload.emoji)
        letter = render.EMOJI_LETTER.get(emoji)
        if letter is None and emoji != render.HINT_EMOJI:
            return
        if not self.manager.knows_message(payload.message_id):
            return
        if letter is None:
            await self._hint_by_reaction(payload)
        else:
            await self._answer_by_reaction(payload, letter, arrived)

    async def _answer_by_reaction(
        self, payload: discord.RawReactionActionEvent, letter: str, arrived: float
    ) -> None:
        """Judge and store first; the reaction removal and the feedback are queued after."""
        user_id, channel_id = payload.user_id, payload.channel_id
        try:
            outcome = await self.manager.answer(
                message_id=payload.message_id,
                user_id=user_id,
                user_name=await self._display_name(payload),
                option=letter,
                answered_at=arrived,
            )
        except DoubleTap:
            self._hide_reaction(payload)  # the first pick's feedback is on its way
            return
        except ChallengeError as exc:
            public = (
                "you already tried that option; it was not counted again."
                if isinstance(exc, OptionAlreadyTried)
                else str(exc)
            )
            self._tell_then_hide(payload, str(exc), public)
            return
        except Exception:
            log.exception("the answer of %d in channel %d failed", user_id, channel_id)
            self._tell_then_hide(payload, CRASHED.capitalize(), CRASHED)
            return
        self._hide_reaction(payload)  # stored: hide the pick at once
        attempt = outcome.attempt
        private = render.answer_feedback(
            attempt.correct, outcome.attempts_left, attempt.points, attempt.option
        )
        public = render.public_feedback(attempt.correct, outcome.attempts_left)
        self.bot.notifier.tell(user_id, channel_id, private, public)

    def _tell_then_hide(
        self, payload: discord.RawReactionActionEvent, private: str, public: str
    ) -> None:
        """For a pick that did not count: its reaction goes only once the member knows why
        (so they can react again), and stays if they could not be told."""
        told = self.bot.notifier.tell(payload.user_id, payload.channel_id, private, public)
        when_done(told, lambda ok: self._hide_reaction(payload) if ok else None)

    async def _display_name(self, payload: discord.RawReactionActionEvent) -> str:
        """The reacting member's name; guild reaction events carry the member."""
        if payload.member is not None:
            return payload.member.display_name
        user = self.bot.get_user(payload.user_id) or await self.bot.fetch_user(payload.user_id)
        return user.display_name

    async def _hint_by_reaction(self, payload: discord.RawReactionActionEvent) -> None:
        self._hide_reaction(payload)  # nothing to store: hide the bulb at once
        user_id, channel_id = payload.user_id, payload.channel_id
        try:
            text = await self.manager.check_hint(
                message_id=payload.message_id, channel_id=channel_id, user_id=user_id
            )
        except ChallengeError as exc:
            self.bot.notifier.tell(user_id, channel_id, str(exc), str(exc))
            return
        name = await self._display_name(payload)

        def after_dm(delivered: bool) -> None:
            if delivered:  # charge only once the hint has reached the member privately
                self._background(self.charge_hint(payload.message_id, channel_id, user_id, name))
            else:
                self.bot.notifier.note(channel_id, user_id, self.hint_needs_dms)

        delivered = self.bot.notifier.dm(
            user_id, f"{render.HINT_EMOJI} Hint (it costs points): {text}"
        )
        when_done(delivered, after_dm)

    async def charge_hint(
        self, message_id: int | None, channel_id: int, user_id: int, user_name: str
    ) -> None:
        with contextlib.suppress(ChallengeError):  # e.g. the problem closed meanwhile
            await self.manager.take_hint(
                message_id=message_id, channel_id=channel_id, user_id=user_id, user_name=user_name
            )

    def _background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)  # a reference, so the task is not garbage-collected mid-way
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(log_failure)

    def _hide_reaction(self, payload: discord.RawReactionActionEvent) -> None:
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
