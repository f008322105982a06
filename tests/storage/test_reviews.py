"""The review queue in storage: a miss anywhere enters it with its attempt, a review moves it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.engine.problems import Problem
from bot.engine.review import DEFAULT_STEPS, ReviewEntry, ReviewSteps
from bot.engine.session import Attempt
from bot.storage import LOCAL_GUILD_ID, Database, SessionMode, SessionStatus, StorageError
from tests.engine.conftest import make_pack, make_problem
from tests.storage.seeding import ADA, BOB, CHANNEL, DAY, GUILD, T0, answer, seed, start_session

DM_CHANNEL = 555
FIRST, SECOND = DEFAULT_STEPS.intervals[0], DEFAULT_STEPS.intervals[1]


async def solo(db: Database, mode: SessionMode, problems: tuple[str, ...] = ("p1", "p2")) -> int:
    """Bob's solo session in his DM channel (guild 0), e.g. a practice or a review."""
    return await db.create_session(0, DM_CHANNEL, "basics", list(problems), BOB, T0, mode=mode)


async def only_entry(db: Database, user_id: int = BOB) -> ReviewEntry:
    """The one entry (graduated or not) of the player's queue."""
    [entry] = await db.review_entries(user_id, graduated=True)
    return entry


async def review_answer(
    db: Database, problem_id: str, *, right: bool, at: float, attempt_number: int = 1
) -> None:
    """Bob answers the problem in a review session of its own."""
    session = await solo(db, SessionMode.REVIEW, (problem_id,))
    await answer(db, session, BOB, problem_id, points=100 if right else 0, at=at,
                 attempt_number=attempt_number)  # fmt: skip
    await db.end_session(session, SessionStatus.FINISHED, at)


@pytest.mark.parametrize(
    "mode", [SessionMode.CHALLENGE, SessionMode.PRACTICE, SessionMode.DAILY, SessionMode.RACE]
)
async def test_a_miss_in_any_mode_enters_the_queue_at_the_first_step(
    seeded: Database, mode: SessionMode
) -> None:
    """A wrong answer puts the problem in the player's queue, due one first step later."""
    session = await seeded.create_session(
        GUILD, CHANNEL, "warmup", ["p1", "p2"], ADA, T0, mode=mode
    )
    await answer(seeded, session, BOB, "p2", points=0, at=T0 + 7)
    entry = await only_entry(seeded)
    assert (entry.problem_id, entry.pack_id, entry.step) == ("p2", "warmup", 0)
    assert (entry.due_at, entry.entered_at, entry.moved_at) == (T0 + 7 + FIRST, T0 + 7, T0 + 7)
    assert (entry.misses, entry.reviews, entry.problem_json, entry.last_correct) == (
        1, 0, None, False
    )  # fmt: skip


async def test_a_terminal_miss_enters_the_queue_too(db: Database) -> None:
    """A local profile's miss in `anneal play` (guild 0, its own channel) is queued."""
    player = await db.local_user("ada")
    session = await db.create_session(LOCAL_GUILD_ID, player, "basics", ["p1"], player, T0)
    await db.save_attempt(session, Attempt(player, "p1", "C", False, 1, 0, T0 + 3))
    entry = await only_entry(db, player)
    assert (entry.problem_id, entry.due_at) == ("p1", T0 + 3 + FIRST)


async def test_right_answers_outside_review_enter_nothing(seeded: Database) -> None:
    """Getting it right (in a challenge or practice) puts nothing in the queue."""
    challenge = await start_session(seeded)
    await answer(seeded, challenge, BOB, "p1", points=100, at=T0 + 1)
    practice = await solo(seeded, SessionMode.PRACTICE)
    await answer(seeded, practice, BOB, "p2", points=100, at=T0 + 2)
    assert await seeded.review_entries(BOB, graduated=True) == []


async def test_a_failing_write_after_the_miss_leaves_neither(seeded: Database) -> None:
    """If the transaction fails once the queue is written, neither the attempt nor the
    queue entry is kept; the same answer then stores both."""
    session = await start_session(seeded)
    fail = """
        CREATE TEMP TRIGGER fail_after_queue AFTER INSERT ON review_queue
        BEGIN SELECT RAISE(ABORT, 'disk trouble'); END
    """
    await seeded._writer.call(lambda conn: conn.execute(fail))
    with pytest.raises(StorageError):
        await answer(seeded, session, BOB, "p1", points=0, at=T0 + 1)
    assert await seeded.attempts_for_session(session) == []
    assert await seeded.review_entries(BOB) == []

    await seeded._writer.call(lambda conn: conn.execute("DROP TRIGGER fail_after_queue"))
    await answer(seeded, session, BOB, "p1", points=0, at=T0 + 2)
    assert len(await seeded.attempts_for_session(session)) == 1
    assert (await only_entry(seeded)).due_at == T0 + 2 + FIRST


async def test_a_refused_attempt_moves_nothing(seeded: Database) -> None:
    """A repeated attempt number is refused, and the queue stays where the first put it."""
    session = await start_session(seeded)
    await answer(seeded, session, BOB, "p1", points=0, at=T0 + 1)
    with pytest.raises(StorageError):
        await answer(seeded, session, BOB, "p1", points=0, at=T0 + 50)
    entry = await only_entry(seeded)
    assert (entry.moved_at, entry.misses) == (T0 + 1, 1)


async def test_a_generated_problem_round_trips(seeded: Database) -> None:
    """A miss of a generated problem (in no pack file) keeps the problem itself."""
    generated = make_problem("fresh-steplr-1a2b3c4d", answer="C", code="print(0.1)")
    pack = make_pack(make_problem("fresh-exponentiallr-00ff00ff"), generated)
    session = await seeded.create_session(
        GUILD, CHANNEL, "fresh", [p.id for p in pack.problems], ADA, T0
    )
    await seeded.save_session_pack(session, pack.model_dump_json())
    await answer(seeded, session, BOB, "fresh-steplr-1a2b3c4d", points=0, at=T0 + 4)
    entry = await only_entry(seeded)
    assert entry.problem_json is not None
    assert Problem.model_validate_json(entry.problem_json) == pack.problem(generated["id"])


async def test_right_in_review_moves_one_step_on(seeded: Database) -> None:
    """Reviewed right when due: step 1, due one second step after the review."""
    await answer(seeded, await start_session(seeded), BOB, "p1", points=0, at=T0)
    await review_answer(seeded, "p1", right=True, at=T0 + FIRST)
    entry = await only_entry(seeded)
    assert (entry.step, entry.due_at, entry.reviews, entry.last_correct) == (
        1, T0 + FIRST + SECOND, 1, True
    )  # fmt: skip


async def test_wrong_in_review_goes_back_to_the_first_step(seeded: Database) -> None:
    """Two steps on, a wrong review sends it back to step 0 and counts a miss."""
    await answer(seeded, await start_session(seeded), BOB, "p1", points=0, at=T0)
    await review_answer(seeded, "p1", right=True, at=T0 + 1_000)
    await review_answer(seeded, "p1", right=True, at=T0 + 2_000)
    assert (await only_entry(seeded)).step == 2
    await review_answer(seeded, "p1", right=False, at=T0 + 3_000)
    entry = await only_entry(seeded)
    assert (entry.step, entry.due_at, entry.misses, entry.reviews) == (
        0, T0 + 3_000 + FIRST, 2, 3
    )  # fmt: skip


async def test_a_second_attempt_right_in_review_does_not_move_it_on(seeded: Database) -> None:
    """Wrong then right in one review: back at step 0, not moved on by the second pick."""
    await answer(seeded, await start_session(seeded), BOB, "p1", points=0, at=T0)
    await review_answer(seeded, "p1", right=True, at=T0 + 1_000)
    session = await solo(seeded, SessionMode.REVIEW, ("p1",))
    await answer(seeded, session, BOB, "p1", points=0, at=T0 + 2_000)
    await answer(seeded, session, BOB, "p1", points=50, at=T0 + 2_010, attempt_number=2)
    entry = await only_entry(seeded)
    assert (entry.step, entry.due_at, entry.reviews) == (0, T0 + 2_000 + FIRST, 2)


async def test_right_at_the_last_step_graduates_and_a_new_miss_brings_it_back(
    db_path: Path,
) -> None:
    """With two steps, two right reviews take a miss out of the queue; missing it again
    re-enters it as new, keeping its history."""
    async with await Database.open(db_path, review_steps=ReviewSteps((60.0, 120.0))) as db:
        await seed(db)
        await answer(db, await start_session(db), BOB, "p1", points=0, at=T0)
        assert (await only_entry(db)).due_at == T0 + 60
        await review_answer(db, "p1", right=True, at=T0 + 60)
        assert (await only_entry(db)).due_at == T0 + 180
        await review_answer(db, "p1", right=True, at=T0 + 180)
        graduated = await only_entry(db)
        assert (graduated.due_at, graduated.queued) == (None, False)
        assert await db.review_entries(BOB) == []
        assert (await db.review_queue(BOB, T0 + 10**6)).queued == 0

        await answer(db, await start_session(db, channel=7), BOB, "p1", points=0, at=T0 + 900)
        back = await only_entry(db)
        assert (back.step, back.due_at, back.entered_at, back.misses, back.reviews) == (
            0, T0 + 960, T0 + 900, 2, 2
        )  # fmt: skip


async def test_a_miss_of_a_queued_problem_restarts_it_and_keeps_when_it_entered(
    seeded: Database,
) -> None:
    """Missed again in a challenge while queued: step 0 from the new miss, same entry."""
    await answer(seeded, await start_session(seeded), BOB, "p1", points=0, at=T0)
    await review_answer(seeded, "p1", right=True, at=T0 + FIRST)
    await answer(seeded, await start_session(seeded, channel=7), BOB, "p1", points=0, at=T0 + DAY)
    entry = await only_entry(seeded)
    assert (entry.step, entry.due_at, entry.entered_at, entry.misses) == (
        0, T0 + DAY + FIRST, T0, 2
    )  # fmt: skip


async def test_the_queue_says_what_is_due_and_when_next(seeded: Database) -> None:
    """Two misses a minute apart: neither due at first, then the older one, then both."""
    session = await start_session(seeded)
    await answer(seeded, session, BOB, "p1", points=0, at=T0)
    await answer(seeded, session, BOB, "p2", points=0, at=T0 + 60)
    waiting = await seeded.review_queue(BOB, T0 + 60)
    assert (waiting.due, waiting.next_due_at, waiting.queued) == ((), T0 + FIRST, 2)
    one = await seeded.review_queue(BOB, T0 + FIRST)
    assert ([e.problem_id for e in one.due], one.next_due_at) == (["p1"], T0 + 60 + FIRST)
    both = await seeded.review_queue(BOB, T0 + 60 + FIRST)
    assert ([e.problem_id for e in both.due], both.next_due_at) == (["p1", "p2"], None)
    assert (await seeded.review_queue(ADA, T0 + DAY)).queued == 0  # one queue per player


async def test_right_outside_review_does_not_move_a_queued_problem(seeded: Database) -> None:
    """Only a review moves a queued problem on; a right answer in practice leaves it due."""
    await answer(seeded, await start_session(seeded), BOB, "p1", points=0, at=T0)
    practice = await solo(seeded, SessionMode.PRACTICE, ("p1",))
    await answer(seeded, practice, BOB, "p1", points=100, at=T0 + 5)
    entry = await only_entry(seeded)
    assert (entry.step, entry.due_at, entry.reviews) == (0, T0 + FIRST, 0)


async def test_the_queue_survives_reopening_the_file(db_path: Path) -> None:
    """An entry is on disk once save_attempt returns: a new Database reads it back."""
    async with await Database.open(db_path) as db:
        await seed(db)
        await answer(db, await start_session(db), BOB, "p1", points=0, at=T0)
    async with await Database.open(db_path) as reopened:
        assert [e.problem_id for e in await reopened.review_entries(BOB)] == ["p1"]
    raw = sqlite3.connect(db_path)
    try:
        assert raw.execute("SELECT COUNT(*) FROM review_queue").fetchone() == (1,)
    finally:
        raw.close()
