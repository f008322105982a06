"""Telling one member something privately: by DM, or, when their DMs are closed, in a short
note in the channel that mentions them and deletes itself.

Everything goes through the outgoing queue, so no caller waits for Discord. Closed DMs are
remembered for a while (Discord answers 403 / 50007 every time), so a member with closed
DMs costs one failed call, not one per answer. Notes waiting for the same channel are sent
as one message: under a burst a channel allows only about 5 messages per 5 s.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import discord

from bot.engine.session import Clock
from bot.features.common.outgoing import Outgoing, dm_lane, messages_lane, retry_delay

log = logging.getLogger("anneal.notify")
T = TypeVar("T")

CANNOT_DM = 50007  # Discord's code for "Cannot send messages to this user"
NOTE_SECONDS = 10.0  # how long a channel note stays before it deletes itself
CLOSED_DMS_REMEMBERED = 600.0  # seconds before trying a member's closed DMs again
NOTES_PER_MESSAGE = 10  # keeps a merged note far below Discord's 2,000 characters
REMEMBERED_USERS = 1000  # how many members' DM facts are kept (oldest forgotten first)


@dataclass
class _Note:
    user_id: int
    text: str
    told: asyncio.Future[bool]


@dataclass
class _Channel:
    notes: list[_Note] = field(default_factory=list)


class Notifier:
    """Private words to members: a DM, else a self-deleting channel note; never waited on."""

    def __init__(
        self,
        client: discord.Client,
        outgoing: Outgoing,
        clock: Clock,
        *,
        note_seconds: float = NOTE_SECONDS,
        remember_closed: float = CLOSED_DMS_REMEMBERED,
    ) -> None:
        self.client = client
        self.outgoing = outgoing
        self.clock = clock
        self.note_seconds = note_seconds
        self.remember_closed = remember_closed
        # Both bounded (least recently used goes first), so a big server leaks nothing.
        self._closed_until: OrderedDict[int, float] = OrderedDict()
        self._dm_opened: OrderedDict[int, None] = OrderedDict()  # DM channel opened before
        self._channels: dict[int, _Channel] = {}

    def dms_closed(self, user_id: int) -> bool:
        """Whether the member's DMs were found closed recently (so a DM is not tried)."""
        until = self._closed_until.get(user_id)
        if until is None:
            return False
        if self.clock() >= until:
            del self._closed_until[user_id]
            return False
        return True

    def tell(
        self, user_id: int, channel_id: int, private: str, public: str
    ) -> asyncio.Future[bool]:
        """DM `private`; if DMs are closed, note `public` in the channel (it must not give
        away the member's pick). The future is True once the member has been told."""
        told: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        def after_dm(delivered: bool) -> None:
            if delivered:
                told.set_result(True)
            else:
                _chain(self.note(channel_id, user_id, public), told)

        when_done(self.dm(user_id, private), after_dm)
        return told

    def dm(self, user_id: int, text: str) -> asyncio.Future[bool]:
        """Send a DM; the future is True if it was delivered, False if DMs are closed."""
        if self.dms_closed(user_id):
            done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
            done.set_result(False)
            return done

        async def send() -> bool:
            channel = await self.client.create_dm(discord.Object(user_id))
            _remember(self._dm_opened, user_id, None)
            try:
                await channel.send(text)
            except discord.Forbidden as error:
                if error.code == CANNOT_DM:
                    _remember(self._closed_until, user_id, self.clock() + self.remember_closed)
                return False
            return True

        # Opening the DM channel is one more REST call, once per member.
        cost = 1 if user_id in self._dm_opened else 2
        return self.outgoing.submit(dm_lane(user_id), send, what=f"a DM to {user_id}", cost=cost)

    def note(self, channel_id: int, user_id: int, text: str) -> asyncio.Future[bool]:
        """Mention the member with `text` in the channel, in a message that deletes itself.

        Notes that wait for the same channel go out together in one message.
        """
        told: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._channels.setdefault(channel_id, _Channel()).notes.append(_Note(user_id, text, told))
        self._submit_notes(channel_id)
        return told

    def _submit_notes(self, channel_id: int) -> None:
        self.outgoing.submit(
            messages_lane(channel_id),
            lambda: self._send_notes(channel_id),
            what=f"notes in channel {channel_id}",
            key="notes",  # one waiting job sends every note that is waiting by then
        )

    async def _send_notes(self, channel_id: int) -> None:
        pending = self._channels.get(channel_id)
        if pending is None or not pending.notes:
            return
        batch = pending.notes[:NOTES_PER_MESSAGE]
        users = list(dict.fromkeys(note.user_id for note in batch))
        channel = self.client.get_partial_messageable(channel_id)
        try:
            await channel.send(
                "\n".join(f"<@{note.user_id}> {note.text}" for note in batch),
                delete_after=self.note_seconds,
                allowed_mentions=discord.AllowedMentions(users=[discord.Object(u) for u in users]),
            )
        except discord.HTTPException as error:
            if retry_delay(error, 1) is not None:
                raise  # the queue waits and calls again; the notes stay pending
            log.warning("could not post notes in channel %d: %s", channel_id, error)
            self._settle(pending, batch, told=False)
            return
        self._settle(pending, batch, told=True)
        if pending.notes:
            self._submit_notes(channel_id)
        else:
            self._channels.pop(channel_id, None)

    @staticmethod
    def _settle(pending: _Channel, batch: list[_Note], *, told: bool) -> None:
        del pending.notes[: len(batch)]
        for note in batch:
            if not note.told.done():
                note.told.set_result(told)


def _remember(facts: OrderedDict[int, T], user_id: int, value: T) -> None:
    """Keep `value` for the user as the newest fact, forgetting the oldest beyond the bound."""
    facts[user_id] = value
    facts.move_to_end(user_id)
    while len(facts) > REMEMBERED_USERS:
        facts.popitem(last=False)


def when_done(future: asyncio.Future[Any], then: Callable[[bool], object]) -> None:
    """Call `then(succeeded)` once `future` is done (cancelled, failed or False: False)."""

    def call(done: asyncio.Future[Any]) -> None:
        then(not done.cancelled() and done.exception() is None and bool(done.result()))

    future.add_done_callback(call)


def _chain(source: asyncio.Future[bool], target: asyncio.Future[bool]) -> None:
    """Settle `target` as `source` settles (False if it failed or was dropped)."""

    def settle(ok: bool) -> None:
        if not target.done():
            target.set_result(ok)

    when_done(source, settle)
