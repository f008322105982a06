"""Tests for the Notifier: DM or channel note, closed DMs remembered, notes merged.

A small fake client stands in for discord.py (DMs to some users answer 403 / 50007);
the end-to-end behaviour against the fake Discord is in tests/e2e/test_challenge_burst.py.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, cast
from unittest.mock import Mock

import discord
import pytest

from bot.features.common import notify
from bot.features.common.notify import CANNOT_DM, Notifier, when_done
from bot.features.common.outgoing import Outgoing
from tests.engine.conftest import FakeClock

OPEN, CLOSED = 1, 2
CHANNEL = 50


def cannot_dm() -> discord.Forbidden:
    """What Discord answers to a DM to a member whose DMs are closed."""
    response = Mock(status=403, reason="Forbidden", headers={})
    return discord.Forbidden(response, {"code": CANNOT_DM, "message": "Cannot send messages"})


@dataclass
class FakeChannel:
    """Records what was sent; a DM channel of a closed user refuses."""

    sent: list[tuple[str, dict[str, Any]]]
    closed: bool = False

    async def send(self, content: str, **options: Any) -> None:
        """Send, or raise 403 / 50007 for a closed DM."""
        if self.closed:
            raise cannot_dm()
        self.sent.append((content, options))


@dataclass
class FakeClient:
    """The two calls the Notifier makes on discord.Client."""

    closed_users: set[int] = field(default_factory=lambda: {CLOSED})
    dms: list[tuple[int, str]] = field(default_factory=list)
    dm_attempts: int = 0
    channel_messages: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    async def create_dm(self, user: discord.abc.Snowflake) -> FakeChannel:
        """The DM channel with `user`."""
        self.dm_attempts += 1
        sent: list[tuple[str, dict[str, Any]]] = []
        channel = FakeChannel(sent, closed=user.id in self.closed_users)
        original = channel.send

        async def send(content: str, **options: Any) -> None:
            await original(content, **options)
            self.dms.append((user.id, content))

        channel.send = send  # type: ignore[method-assign]
        return channel

    def get_partial_messageable(self, channel_id: int) -> FakeChannel:
        """The channel, without a cache lookup."""
        return FakeChannel(self.channel_messages)


@pytest.fixture
def clock() -> FakeClock:
    """The Notifier's clock (closed DMs are remembered on it)."""
    return FakeClock()


@pytest.fixture
def client() -> FakeClient:
    """A client on which user CLOSED has closed DMs."""
    return FakeClient()


@pytest.fixture
def notifier(client: FakeClient, clock: FakeClock) -> Notifier:
    """A Notifier over a fast outgoing queue."""
    outgoing = Outgoing(per_second=1000.0, burst=100.0)
    return Notifier(cast(discord.Client, client), outgoing, clock, remember_closed=60.0)


async def test_an_open_dm_is_used(notifier: Notifier, client: FakeClient) -> None:
    """With DMs open, the private text goes by DM and nothing is posted in the channel."""
    assert await notifier.tell(OPEN, CHANNEL, "B is right", "your answer is in")
    assert client.dms == [(OPEN, "B is right")]
    assert client.channel_messages == []


async def test_closed_dms_fall_back_to_a_note(notifier: Notifier, client: FakeClient) -> None:
    """With DMs closed, the public text is noted in the channel, mentioning only them."""
    assert await notifier.tell(CLOSED, CHANNEL, "B is right", "your answer is in")
    ((content, options),) = client.channel_messages
    assert content == f"<@{CLOSED}> your answer is in"
    assert options["delete_after"] == notifier.note_seconds
    assert [u.id for u in options["allowed_mentions"].users] == [CLOSED]


async def test_closed_dms_are_remembered_for_a_while(
    notifier: Notifier, client: FakeClient, clock: FakeClock
) -> None:
    """After one 403 the next answers go straight to a note; after a while, DMs are tried."""
    await notifier.tell(CLOSED, CHANNEL, "private", "public")
    await notifier.tell(CLOSED, CHANNEL, "private", "public")
    assert client.dm_attempts == 1
    assert notifier.dms_closed(CLOSED)
    clock.advance(60.0)
    assert not notifier.dms_closed(CLOSED)
    await notifier.tell(CLOSED, CHANNEL, "private", "public")
    assert client.dm_attempts == 2


async def test_waiting_notes_go_out_as_one_message(notifier: Notifier, client: FakeClient) -> None:
    """Notes for one channel that wait together are one message: 5 per 5 s is little."""
    gate = asyncio.Event()
    notifier.outgoing.submit(("messages", CHANNEL), gate.wait)  # the lane is busy
    told = [notifier.note(CHANNEL, user, f"note {user}") for user in (11, 12, 13)]
    gate.set()
    assert await asyncio.gather(*told) == [True, True, True]
    ((content, options),) = client.channel_messages
    assert content.splitlines() == ["<@11> note 11", "<@12> note 12", "<@13> note 13"]
    assert [u.id for u in options["allowed_mentions"].users] == [11, 12, 13]


async def test_a_note_that_cannot_be_posted_is_not_told(client: FakeClient) -> None:
    """If the channel refuses the note too, the future says the member was not told."""

    def refusing(channel_id: int) -> FakeChannel:
        return FakeChannel([], closed=True)

    client.get_partial_messageable = refusing  # type: ignore[method-assign]
    notifier = Notifier(cast(discord.Client, client), Outgoing(), FakeClock())
    assert not await notifier.tell(CLOSED, CHANNEL, "private", "public")


async def test_when_done_reports_success_and_failure() -> None:
    """`then(True)` for a truthy result; `then(False)` for False, an error or a cancel."""
    loop = asyncio.get_running_loop()
    seen: list[bool] = []
    futures: list[asyncio.Future[bool]] = [loop.create_future() for _ in range(4)]
    for future in futures:
        when_done(future, seen.append)
    futures[0].set_result(True)
    futures[1].set_result(False)
    futures[2].set_exception(RuntimeError("lost"))
    futures[3].cancel()
    await asyncio.sleep(0)
    assert seen == [True, False, False, False]


async def test_what_it_remembers_is_bounded(
    client: FakeClient, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closed DMs of more members than the bound: the oldest is forgotten, nothing grows."""
    monkeypatch.setattr(notify, "REMEMBERED_USERS", 3)
    client.closed_users = {21, 22, 23, 24}
    notifier = Notifier(cast(discord.Client, client), Outgoing(), clock)
    for user in (21, 22, 23, 24):
        await notifier.tell(user, CHANNEL, "private", "public")
    assert [notifier.dms_closed(user) for user in (21, 22, 23, 24)] == [False, True, True, True]
