"""Tests for bot.storage._sessions: starting, moving on and ending sessions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.engine.session import HintUse
from bot.storage import ChannelBusy, Database, SessionNotOpen, SessionStatus, StorageFailed
from tests.storage.seeding import BOB, CHANNEL, GUILD, OTHER_CHANNEL, T0, answer, start_session


async def test_session_round_trip(seeded: Database) -> None:
    """A created session reads back with its problems, and the current problem updates."""
    session_id = await start_session(seeded)
    fresh = await seeded.session(session_id)
    assert fresh is not None
    assert fresh.problem_ids == ("p1", "p2", "p3")
    assert (fresh.current_index, fresh.opened_at, fresh.deadline) == (0, None, None)
    assert fresh.is_open

    await seeded.set_current_problem(session_id, 1, T0 + 60, T0 + 120)
    await seeded.set_problem_message(session_id, 555)

    stored = await seeded.session(session_id)
    assert stored is not None
    assert stored.current_problem_id == "p2"
    assert (stored.opened_at, stored.deadline, stored.message_id) == (T0 + 60, T0 + 120, 555)
    assert await seeded.open_session_in_channel(CHANNEL) == stored
    assert await seeded.open_sessions() == [stored]


async def test_second_session_in_a_busy_channel_is_refused(seeded: Database) -> None:
    """ChannelBusy carries the open session's id; another channel or a later start is fine."""
    first = await start_session(seeded)
    with pytest.raises(ChannelBusy) as caught:
        await start_session(seeded)
    assert caught.value.session_id == first

    other = await start_session(seeded, channel=OTHER_CHANNEL)
    await seeded.end_session(first, SessionStatus.STOPPED, T0 + 10)
    again = await start_session(seeded, started_at=T0 + 20)
    assert len({first, other, again}) == 3


async def test_ended_session_cannot_change(seeded: Database) -> None:
    """After end_session the session is closed for good: further updates raise SessionNotOpen."""
    session_id = await start_session(seeded)
    await seeded.end_session(session_id, SessionStatus.FINISHED, T0 + 300)

    stored = await seeded.session(session_id)
    assert stored is not None
    assert (stored.status, stored.ended_at) == (SessionStatus.FINISHED, T0 + 300)
    assert await seeded.open_sessions() == []
    assert await seeded.open_session_in_channel(CHANNEL) is None
    with pytest.raises(SessionNotOpen):
        await seeded.end_session(session_id, SessionStatus.EXPIRED, T0 + 400)
    with pytest.raises(SessionNotOpen):
        await seeded.set_current_problem(session_id, 1, T0 + 400, T0 + 460)
    with pytest.raises(SessionNotOpen):
        await answer(seeded, session_id, BOB, "p1", points=100, at=T0 + 400)
    with pytest.raises(SessionNotOpen):
        await seeded.save_hint(session_id, HintUse(BOB, "p1", T0 + 400))


async def test_foreign_key_violations_are_refused(seeded: Database) -> None:
    """A session in an unknown guild, or an attempt by an unknown user, is not stored.

    Such a call is a bug, so the member sees only StorageFailed's generic message; the
    sqlite3 error is its cause (and is logged).
    """
    with pytest.raises(StorageFailed) as caught:
        await start_session(seeded, guild=999)
    assert isinstance(caught.value.__cause__, sqlite3.IntegrityError)
    assert "FOREIGN KEY" in str(caught.value.__cause__)
    assert await seeded.open_sessions() == []

    session_id = await start_session(seeded)
    with pytest.raises(StorageFailed, match="went wrong saving") as caught:
        await answer(seeded, session_id, 999, "p1", points=100, at=T0)
    assert "FOREIGN KEY" in str(caught.value.__cause__)
    assert await seeded.attempts_for_session(session_id) == []


async def test_session_pack_round_trip(tmp_path: Path) -> None:
    """A generated pack saved with its session comes back as the same JSON."""
    async with await Database.open(tmp_path / "packs.db") as db:
        await db.upsert_guild(5, "g")
        await db.upsert_user(7, "u")
        session_id = await db.create_session(5, 9, "fresh", ["p"], 7, 1.0)
        assert await db.session_pack(session_id) is None
        await db.save_session_pack(session_id, '{"id": "fresh"}')
        assert await db.session_pack(session_id) == '{"id": "fresh"}'


async def test_recently_shown_lists_what_each_challenge_showed(seeded: Database) -> None:
    """Latest first, only the problems up to the one reached; other channels are not mixed in."""
    never_opened = await start_session(seeded)
    await seeded.end_session(never_opened, SessionStatus.STOPPED, T0 + 1)
    stopped_early = await start_session(seeded, started_at=T0 + 10)
    await seeded.set_current_problem(stopped_early, 1, T0 + 20, T0 + 80)
    await seeded.end_session(stopped_early, SessionStatus.STOPPED, T0 + 30)
    finished = await start_session(seeded, started_at=T0 + 40)
    await seeded.set_current_problem(finished, 2, T0 + 50, T0 + 110)
    await seeded.end_session(finished, SessionStatus.FINISHED, T0 + 120)
    elsewhere = await start_session(seeded, channel=OTHER_CHANNEL)
    await seeded.set_current_problem(elsewhere, 0, T0, T0 + 60)

    shown = await seeded.recently_shown(GUILD, CHANNEL, "warmup")
    assert shown == [["p1", "p2", "p3"], ["p1", "p2"]]
    assert await seeded.recently_shown(GUILD, CHANNEL, "warmup", limit=1) == [["p1", "p2", "p3"]]
    assert await seeded.recently_shown(GUILD, CHANNEL, "another-pack") == []
