"""Tests for bot.storage._writer: whole transactions on one thread, group commit, busy and
full databases, and what a closed database says."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

from bot.engine.session import Attempt
from bot.storage import (
    AttemptAlreadyRecorded,
    Database,
    DatabaseClosed,
    StorageBusy,
    StorageFull,
)
from tests.storage.blocking import HANG_GUARD, queued, writer_blocked
from tests.storage.seeding import ADA, BOB, CY, GUILD, T0, TODAY, seed, start_session
from tests.storage.sql_trace import traced_statements, transactions


def attempt(user: int, problem: str, at: float, number: int = 1) -> Attempt:
    """A right first answer worth 100 points."""
    return Attempt(user, problem, "A", True, number, 100, at)


async def test_waiting_answers_share_one_commit(seeded: Database) -> None:
    """Answers queued while the writer is busy are committed together, each in a savepoint."""
    session_id = await start_session(seeded)
    async with traced_statements(seeded) as statements:
        async with writer_blocked(seeded):
            saves = [
                asyncio.ensure_future(
                    seeded.save_attempt(session_id, attempt(user, problem, T0 + n))
                )
                for n, (user, problem) in enumerate(
                    (u, p) for u in (ADA, BOB, CY) for p in ("p1", "p2", "p3")
                )
            ]
            await queued(seeded, len(saves))
        await asyncio.gather(*saves)
    assert transactions(statements) == 1
    assert statements.count("SAVEPOINT job") == 9
    assert statements[-1] == "COMMIT"
    assert len(await seeded.attempts_for_session(session_id)) == 9
    assert (await seeded.check_totals()).ok


async def test_a_refused_answer_in_a_batch_is_undone_alone(seeded: Database) -> None:
    """A repeated attempt fails on its own; the answers committed with it are all stored."""
    session_id = await start_session(seeded)
    await seeded.save_attempt(session_id, attempt(BOB, "p1", T0))
    async with writer_blocked(seeded):
        before = asyncio.ensure_future(seeded.save_attempt(session_id, attempt(CY, "p1", T0 + 1)))
        repeat = asyncio.ensure_future(
            seeded.save_attempt(session_id, attempt(BOB, "p1", T0 + 2), display_name="Robert")
        )
        after = asyncio.ensure_future(seeded.save_attempt(session_id, attempt(ADA, "p1", T0 + 3)))
        await queued(seeded, 3)
    await before
    with pytest.raises(AttemptAlreadyRecorded):
        await repeat
    await after
    stored = await seeded.attempts_for_session(session_id)
    assert [(a.user_id, a.answered_at) for a in stored] == [(BOB, T0), (CY, T0 + 1), (ADA, T0 + 3)]
    # The refused answer's rename was undone with it.
    assert (await seeded.profile(GUILD, BOB, TODAY)).display_name == "bob"
    board = await seeded.leaderboard(GUILD)
    assert sorted(row.points for row in board) == [100, 100, 100]


async def test_a_cancelled_caller_still_has_its_answer_stored(seeded: Database) -> None:
    """Cancelling the task that saves an answer never leaves it half-stored: it is committed."""
    session_id = await start_session(seeded)
    async with writer_blocked(seeded):
        save = asyncio.ensure_future(seeded.save_attempt(session_id, attempt(BOB, "p1", T0)))
        await queued(seeded, 1)
        save.cancel()
    with pytest.raises(asyncio.CancelledError):
        await save
    await seeded.upsert_user(CY, "cy")  # a later write: the writer has run the earlier one
    assert [a.user_id for a in await seeded.attempts_for_session(session_id)] == [BOB]
    assert (await seeded.check_totals()).ok


async def test_a_lock_held_by_another_process_is_waited_out(db_path: Path) -> None:
    """While another connection holds the write lock, an answer waits and is then stored."""
    async with await Database.open(db_path) as db:
        await seed(db)
        session_id = await start_session(db)
        tried = threading.Event()

        def watch(statement: str) -> None:
            if statement == "BEGIN IMMEDIATE":
                tried.set()

        await db._writer.call(lambda conn: conn.set_trace_callback(watch))
        with closing(sqlite3.connect(db_path, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")
            save = asyncio.ensure_future(db.save_attempt(session_id, attempt(BOB, "p1", T0)))
            await asyncio.to_thread(tried.wait, HANG_GUARD)
            other.execute("COMMIT")
            await asyncio.wait_for(save, HANG_GUARD)
        assert len(await db.attempts_for_session(session_id)) == 1


async def test_a_lock_held_too_long_gives_a_friendly_storage_busy(db_path: Path) -> None:
    """A lock that outlasts the retries: StorageBusy with a message for the member, no
    sqlite3 error, nothing stored; the next write works once the lock is gone."""
    async with await Database.open(db_path, busy_wait=0.3) as db:
        await seed(db)
        session_id = await start_session(db)
        with closing(sqlite3.connect(db_path, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")
            with pytest.raises(StorageBusy, match="busy right now, so that was not saved"):
                await asyncio.wait_for(
                    db.save_attempt(session_id, attempt(BOB, "p1", T0)), HANG_GUARD
                )
            other.execute("ROLLBACK")
        assert await db.attempts_for_session(session_id) == []
        await db.save_attempt(session_id, attempt(BOB, "p1", T0))
        assert len(await db.attempts_for_session(session_id)) == 1


async def test_a_full_disk_gives_storage_full_and_loses_nothing_stored(seeded: Database) -> None:
    """When the file cannot grow, answers fail with StorageFull; what was stored stays whole."""
    session_id = await start_session(seeded)
    pages = await seeded._writer.call(lambda conn: conn.execute("PRAGMA page_count").fetchone())
    # SQLite answers SQLITE_FULL ("database or disk is full") past max_page_count.
    await seeded._writer.call(lambda conn: conn.execute(f"PRAGMA max_page_count = {pages[0]}"))

    async def fill_up() -> None:
        for n in range(5_000):
            await seeded.save_attempt(session_id, attempt(BOB, f"q{n}", T0 + n))

    with pytest.raises(StorageFull, match="disk my database is on is full"):
        await fill_up()
    await seeded._writer.call(lambda conn: conn.execute("PRAGMA max_page_count = 1073741823"))
    report = await seeded.check_totals()
    assert report.ok, [m.describe() for m in report.mismatches]
    assert report.attempts == len(await seeded.attempts_for_session(session_id))


async def test_a_closed_database_refuses_reads_and_writes(db_path: Path) -> None:
    """After close, a read or a write raises DatabaseClosed instead of hanging."""
    db = await Database.open(db_path)
    await db.close()
    with pytest.raises(DatabaseClosed):
        await db.upsert_user(BOB, "bob")
    with pytest.raises(DatabaseClosed):
        await db.leaderboard(GUILD)
