"""Review as a solo run: ReviewSource picks the due problems, SoloPlay plays them, and each
answer moves the queue (no Discord: the solo tests' recording view, a temp database)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.challenges.due import REVIEW_LABEL, NothingDue, ReviewSource
from bot.challenges.solo import SoloPlay
from bot.content import ContentLibrary
from bot.engine.review import DEFAULT_STEPS, ReviewEntry
from bot.storage import Database, SessionMode, SessionStatus
from tests.challenges.test_solo import DM_BOB, RecordingView, library_of, posted, steps_pack
from tests.engine.conftest import FakeClock, make_pack, make_problem

BOB, ADA = 2, 1
FIRST, SECOND = DEFAULT_STEPS.intervals[0], DEFAULT_STEPS.intervals[1]
GUILD, CHANNEL = 7, 70


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A database with a study group, Bob and Ada."""
    async with await Database.open(tmp_path / "review.db") as database:
        await database.upsert_guild(GUILD, "Study group")
        await database.upsert_user(BOB, "bob")
        await database.upsert_user(ADA, "ada")
        yield database


@pytest.fixture
def library() -> ContentLibrary:
    """The steps pack: s1 (answer B), s2 (C), s3 (A)."""
    return library_of(steps_pack())


async def miss(db: Database, clock: FakeClock, *problem_ids: str, pack: str = "tiny") -> int:
    """Bob answers each problem wrong (option D) in a challenge of Ada's; its session id."""
    session = await db.create_session(GUILD, CHANNEL, pack, list(problem_ids), ADA, clock())
    for problem_id in problem_ids:
        await db.record_attempt(session, BOB, problem_id, "D", False, 1, 0, clock())
    await db.end_session(session, SessionStatus.FINISHED, clock())
    return session


async def entries(db: Database) -> dict[str, ReviewEntry]:
    """Bob's queue by problem id."""
    return {entry.problem_id: entry for entry in await db.review_entries(BOB, graduated=True)}


async def test_the_source_serves_what_is_due_longest_overdue_first(
    db: Database, library: ContentLibrary, clock: FakeClock
) -> None:
    """Nothing before the first step; then s2 (missed first) and s1; `count` cuts it."""
    await miss(db, clock, "s2")
    clock.advance(60)
    await miss(db, clock, "s1")
    source = ReviewSource(db, library, clock)
    with pytest.raises(NothingDue) as nothing:
        await source.pick(BOB, 10)
    assert (nothing.value.due.queue.queued, nothing.value.due.held) == (2, ())
    clock.advance(FIRST)
    chosen = await source.pick(BOB, 10)
    assert (chosen.label, [p.id for p in chosen.problems]) == (REVIEW_LABEL, ["s2", "s1"])
    assert chosen.generated is None  # both are in a shipped pack
    assert [p.id for p in (await source.pick(BOB, 1)).problems] == ["s2"]


async def test_problems_in_play_in_a_challenge_are_held_back(
    db: Database, library: ContentLibrary, clock: FakeClock
) -> None:
    """A due problem a live challenge has not revealed is not served (it stays due)."""
    await miss(db, clock, "s1", "s2")
    clock.advance(FIRST)
    in_play = {"s1"}
    source = ReviewSource(db, library, clock, in_play=lambda: in_play)
    assert [p.id for p in (await source.pick(BOB, 10)).problems] == ["s2"]
    in_play = {"s1", "s2"}
    with pytest.raises(NothingDue, match="2 of your due problems are in a challenge"):
        await source.pick(BOB, 10)


async def test_a_review_run_moves_each_answer_in_the_queue(
    db: Database, library: ContentLibrary, clock: FakeClock
) -> None:
    """Right on s1 moves it a step on, wrong on s2 sends it back; the run is a review
    session; ten minutes on only s2 is due again."""
    await miss(db, clock, "s1", "s2")
    clock.advance(FIRST)
    view = RecordingView(db=db)
    play = SoloPlay(db, library, view, clock)
    chosen = await ReviewSource(db, library, clock).pick(BOB, 10)
    live = await play.start(
        user_id=BOB, user_name="bob", channel_id=DM_BOB, chosen=chosen, mode=SessionMode.REVIEW
    )
    await play.answer(message_id=posted(live), user_id=BOB, option="B")  # s1: right
    clock.advance(30)
    await play.answer(message_id=posted(live), user_id=BOB, option="A")  # s2: wrong
    assert view.shown[-1] == ("summary", (1, 2, SessionStatus.FINISHED))
    stored = await db.session(live.session_id)
    assert stored is not None
    assert (stored.mode, stored.pack_id) == (SessionMode.REVIEW, REVIEW_LABEL)

    queue = await entries(db)
    assert (queue["s1"].step, queue["s1"].due_at) == (1, clock() - 30 + SECOND)
    assert (queue["s2"].step, queue["s2"].due_at, queue["s2"].misses) == (0, clock() + FIRST, 2)
    clock.advance(FIRST)
    again = await ReviewSource(db, library, clock).pick(BOB, 10)
    assert [p.id for p in again.problems] == ["s2"]


async def test_a_generated_problem_is_reviewed_and_its_run_resumes_after_a_restart(
    db: Database, library: ContentLibrary, clock: FakeClock
) -> None:
    """A missed `fresh` problem comes back in review from its stored copy, is kept with
    the review's session, and the run is brought back by a restarted SoloPlay."""
    generated = make_pack(make_problem("fresh-steplr-0000abcd", answer="C", code="print(1)"))
    session = await db.create_session(GUILD, CHANNEL, "fresh", [generated.problems[0].id], ADA, 0)
    await db.save_session_pack(session, generated.model_dump_json())
    await db.record_attempt(session, BOB, generated.problems[0].id, "A", False, 1, 0, clock())
    clock.advance(FIRST)

    chosen = await ReviewSource(db, library, clock).pick(BOB, 10)
    assert chosen.problems == tuple(generated.problems)
    assert chosen.generated is not None
    assert chosen.generated.problems == generated.problems
    first = SoloPlay(db, library, RecordingView(), clock)
    live = await first.start(
        user_id=BOB, user_name="bob", channel_id=DM_BOB, chosen=chosen, mode=SessionMode.REVIEW
    )
    first.close()  # the bot stops

    view = RecordingView()
    restarted = SoloPlay(db, library, view, clock)
    [found] = await restarted.resume_all()
    assert found.live.session_id == live.session_id
    verdict = await restarted.answer(message_id=found.message_id, user_id=BOB, option="C")
    assert verdict.correct
    entry = (await entries(db))[generated.problems[0].id]
    assert (entry.step, entry.reviews) == (1, 1)
