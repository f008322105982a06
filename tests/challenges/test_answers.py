"""Tests for ChallengeManager.answer on a busy server: judged as it arrived, double taps,
and storage that fails (locked, full).

Time is a FakeClock; the database is a real SQLite file in a temp directory.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.challenges import AnswerNotSaved, ChallengeManager, DoubleTap, LiveChallenge
from bot.challenges.live import TapGuard
from bot.engine.session import OptionAlreadyTried
from bot.storage import Database, StorageError
from tests.challenges.fakes import (
    ALICE,
    BOB,
    CHANNEL,
    DEADLINE,
    GUILD,
    SCALE,
    FakeView,
    manager_for,
    start,
)
from tests.engine.conftest import FakeClock

CAROL = 3


@pytest.fixture
def clock() -> FakeClock:
    """The manager's clock; its timers sleep on it."""
    return FakeClock()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A database with the study group, its timers scaled by SCALE."""
    # A short busy wait: the locked-database test gives up in 0.3 s instead of 5 s.
    database = await Database.open(tmp_path / "answers.db", busy_wait=0.3)
    await database.upsert_guild(GUILD, "Study group")
    await database.update_guild_settings(GUILD, timer_scale=SCALE)
    yield database
    await database.close()


@pytest.fixture
async def manager(db: Database, clock: FakeClock) -> AsyncIterator[ChallengeManager]:
    """A manager of the tiny pack with a long grace (no early reveal)."""
    running = manager_for(db, FakeView(), clock, grace=60)
    yield running
    await running.close()


async def answer(
    manager: ChallengeManager,
    live: LiveChallenge,
    user_id: int,
    option: str,
    at: float | None = None,
) -> bool:
    """`user_id` picks `option` on the open problem (arrived `at`); True if it was right."""
    assert live.message_id is not None
    outcome = await manager.answer(
        message_id=live.message_id,
        user_id=user_id,
        user_name=f"user{user_id}",
        option=option,
        answered_at=at,
    )
    return outcome.correct


async def test_an_answer_that_arrived_in_time_counts_after_the_deadline(
    manager: ChallengeManager, db: Database, clock: FakeClock
) -> None:
    """An answer waiting its turn (here: behind a held lock) while the deadline passes is
    judged as it arrived, and the reveal waits for it."""
    view = manager.view
    assert isinstance(view, FakeView)
    live = await start(manager)
    async with live.lock:  # e.g. another answer being written to a slow disk
        waiting = asyncio.create_task(answer(manager, live, BOB, "B", at=clock()))
        await asyncio.sleep(0)  # the answer is now queued for the lock
        clock.advance(DEADLINE + 1)  # the reveal timer fires and queues behind it
        await asyncio.sleep(0)
    assert await waiting
    await view.until(lambda: view.reveals)
    assert view.reveals[0].first_try == [BOB]
    (stored,) = await db.attempts_for_session(live.session_id)
    assert stored.answered_at < view.problems[0].deadline


async def test_the_speed_bonus_counts_from_the_arrival(db: Database, clock: FakeClock) -> None:
    """With the speed bonus on, an early arrival earns it even if judged late."""
    await db.update_guild_settings(GUILD, speed_bonus=True)
    manager = manager_for(db, FakeView(), clock, grace=60)
    live = await start(manager)
    arrived = clock()
    clock.advance(DEADLINE - 0.5)
    await answer(manager, live, BOB, "B", at=arrived)
    await answer(manager, live, ALICE, "B")
    points = {a.user_id: a.points for a in await db.attempts_for_session(live.session_id)}
    assert points[BOB] > points[ALICE]
    await manager.close()


async def test_the_reveal_lists_solvers_in_arrival_order(
    manager: ChallengeManager, clock: FakeClock
) -> None:
    """Who was first is who arrived first, even if their answer was stored second."""
    view = manager.view
    assert isinstance(view, FakeView)
    live = await start(manager)
    alice_arrived = clock()
    clock.advance(0.5)
    await answer(manager, live, BOB, "B")
    await answer(manager, live, ALICE, "B", at=alice_arrived)
    await manager.stop(CHANNEL, ALICE, is_moderator=False)
    assert view.reveals[0].first_try == [ALICE, BOB]


async def test_a_double_tap_counts_once(
    manager: ChallengeManager, db: Database, clock: FakeClock
) -> None:
    """Two letters within the guard's window: the first counts, the second is ignored."""
    live = await start(manager)
    assert not await answer(manager, live, BOB, "A")
    clock.advance(0.2)
    with pytest.raises(DoubleTap):
        await answer(manager, live, BOB, "B")
    assert live.session.attempts_left(BOB) == 1
    clock.advance(manager.double_tap)
    assert await answer(manager, live, BOB, "B")  # a deliberate second try counts
    stored = await db.attempts_for_session(live.session_id)
    assert [(a.option, a.attempt_number) for a in stored] == [("A", 1), ("B", 2)]


async def test_two_taps_arriving_together_count_once(
    manager: ChallengeManager, db: Database
) -> None:
    """The second tap is refused at once, while the first is still being stored."""
    live = await start(manager)
    first = asyncio.create_task(answer(manager, live, BOB, "A"))
    second = asyncio.create_task(answer(manager, live, BOB, "C"))
    results = await asyncio.gather(first, second, return_exceptions=True)
    assert results[0] is False
    assert isinstance(results[1], DoubleTap)
    assert [a.option for a in await db.attempts_for_session(live.session_id)] == ["A"]


async def test_the_guard_is_per_player(manager: ChallengeManager) -> None:
    """Others answering at the same moment are not double taps."""
    live = await start(manager)
    outcomes = await asyncio.gather(
        answer(manager, live, ALICE, "B"),
        answer(manager, live, BOB, "B"),
        answer(manager, live, CAROL, "A"),
    )
    assert list(outcomes) == [True, True, False]


async def test_a_refused_pick_does_not_block_the_next(
    manager: ChallengeManager, clock: FakeClock
) -> None:
    """A tap that did not count (same wrong option again) leaves no double-tap mark."""
    live = await start(manager)
    await answer(manager, live, BOB, "A")
    clock.advance(manager.double_tap)
    with pytest.raises(OptionAlreadyTried):
        await answer(manager, live, BOB, "A")
    clock.advance(0.1)
    assert await answer(manager, live, BOB, "B")


def test_tap_guard_release_keeps_a_later_claim() -> None:
    """Undoing an earlier pick's claim never erases a later pick's."""
    guard = TapGuard(window=1.0)
    assert guard.claim(BOB, 10.0) is None
    later = guard.claim(BOB, 12.0)
    assert later == 10.0
    guard.release(BOB, 10.0, None)  # the earlier pick failed after the later one claimed
    with pytest.raises(DoubleTap):
        guard.claim(BOB, 12.5)


@pytest.fixture
def lock_holder(db: Database) -> Iterator[sqlite3.Connection]:
    """A second connection to the same file, as another process would open it."""
    conn = sqlite3.connect(db.path, isolation_level=None, timeout=0.1)
    yield conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    conn.close()


async def test_a_locked_database_is_a_clear_refusal(
    manager: ChallengeManager,
    db: Database,
    lock_holder: sqlite3.Connection,
) -> None:
    """Another process holds the write lock past the busy timeout: AnswerNotSaved, nothing
    counted, and the player can try again once the lock is gone."""
    live = await start(manager)
    lock_holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(AnswerNotSaved, match="react again"):
        await answer(manager, live, BOB, "B")
    assert live.session.attempts_left(BOB) == 2
    lock_holder.execute("ROLLBACK")
    assert await answer(manager, live, BOB, "B")  # no double-tap mark from the failed try
    assert len(await db.attempts_for_session(live.session_id)) == 1


async def test_a_full_disk_is_a_clear_refusal(manager: ChallengeManager, db: Database) -> None:
    """SQLite's 'database or disk is full' (max_page_count reached) → AnswerNotSaved, and
    the player whose answer did not fit keeps every attempt."""
    live = await start(manager)
    pages = await db._writer.call(lambda conn: conn.execute("PRAGMA page_count").fetchone()[0])
    await db._writer.call(lambda conn: conn.execute(f"PRAGMA max_page_count = {pages}"))
    for user_id in range(100, 1000):  # the free space left in the last pages runs out
        try:
            await answer(manager, live, user_id, "B")
        except AnswerNotSaved:
            break
    else:
        pytest.fail("the database never filled up")
    assert live.session.attempts_left(user_id) == 2
    stored = {a.user_id for a in await db.attempts_for_session(live.session_id)}
    assert user_id not in stored
    assert stored == set(range(100, user_id))  # everything before it was kept
    await db._writer.call(lambda conn: conn.execute("PRAGMA max_page_count = 1073741823"))
    assert await answer(manager, live, user_id, "B")  # reacting again counts


async def test_a_storage_error_is_a_clear_refusal(
    manager: ChallengeManager, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Storage giving up on purpose (a StorageError, e.g. still busy) → AnswerNotSaved."""
    live = await start(manager)

    async def busy(*args: object, **kwargs: object) -> None:
        raise StorageError("database busy")

    monkeypatch.setattr(db, "save_attempt", busy)
    with pytest.raises(AnswerNotSaved):
        await answer(manager, live, BOB, "B")
    assert live.session.attempts_left(BOB) == 2
