"""Tests for resuming challenges after a restart: carry on, reveal what ran out and go on,
re-post what was never posted, or end with the scoreboard after a long outage.

The first manager is closed (the bot goes down), the FakeClock moves on (the outage),
and a second manager resumes from the same database.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.challenges import ChallengeManager, LiveChallenge, ProblemClosed, ReadBack
from bot.challenges.manager import READ_BACK_HOLD
from bot.challenges.resume import LATE_PICK
from bot.engine.session import HINT_KEY
from bot.storage import Database, SessionStatus
from tests.challenges.fakes import (
    ALICE,
    BOB,
    CHANNEL,
    DEADLINE,
    GUILD,
    FakeView,
    manager_for,
    start,
)
from tests.engine.conftest import FakeClock, make_pack, make_problem

WINDOW = 60.0  # the resume window of these tests


async def went_down_mid_problem(db: Database, clock: FakeClock) -> LiveChallenge:
    """Alice starts; Bob answers problem 1 right, Alice wrong; then the bot goes down."""
    before = manager_for(db, FakeView(), clock, grace=60)
    live = await start(before)
    assert live.message_id is not None
    await before.answer(message_id=live.message_id, user_id=BOB, user_name="bob", option="B")
    await before.answer(message_id=live.message_id, user_id=ALICE, user_name="al", option="A")
    await before.close()
    return live


def restarted(db: Database, clock: FakeClock, view: FakeView) -> ChallengeManager:
    """The manager of the restarted bot, with the test's resume window."""
    return manager_for(db, view, clock, resume_window=WINDOW)


async def test_a_problem_that_ran_out_offline_is_revealed_and_the_next_opens(
    db: Database, clock: FakeClock
) -> None:
    """Down past the deadline but within the window: the reveal has every stored answer,
    and problem 2 opens with its full time."""
    live = await went_down_mid_problem(db, clock)
    message = live.message_id
    assert message is not None
    clock.advance(DEADLINE + 30)
    view = FakeView()
    manager = restarted(db, clock, view)
    assert await manager.resume_all() == [ReadBack(CHANNEL, message, late=True)]
    assert "ran out of time while I was offline" in view.notices[0][1]
    assert "Problem 2/2 comes next" in view.notices[0][1]
    assert view.reveals[0].solved_by_attempt == {1: [BOB]}
    assert view.reveals[0].missed == [ALICE]
    (second,) = view.problems
    assert (second.number, second.opened_at, second.deadline) == (2, clock.now, clock.now + 5)
    stored = await db.session(live.session_id)
    assert stored is not None
    assert (stored.status, stored.current_index) == (SessionStatus.OPEN, 1)
    await manager.close()


async def test_picks_on_a_problem_that_ran_out_offline_are_late(
    db: Database, clock: FakeClock
) -> None:
    """The old message is known, says what it heard, and refuses new picks as late."""
    live = await went_down_mid_problem(db, clock)
    message = live.message_id
    assert message is not None
    clock.advance(DEADLINE + 1)
    manager = restarted(db, clock, FakeView())
    await manager.resume_all()
    assert manager.knows_message(message)
    assert manager.heard_on(message) == {(BOB, "B"), (ALICE, "A")}
    with pytest.raises(ProblemClosed) as refused:
        await manager.answer(message_id=message, user_id=ALICE, user_name="al", option="C")
    assert str(refused.value) == LATE_PICK
    await manager.close()


async def test_the_last_problem_running_out_offline_finishes_with_badges(
    db: Database, clock: FakeClock
) -> None:
    """On the last problem, the reveal is followed by the summary and the badge."""
    before = manager_for(db, FakeView(), clock, grace=60)
    live = await start(before)
    assert live.message_id is not None
    await before.answer(message_id=live.message_id, user_id=BOB, user_name="b", option="B")
    await before.next(CHANNEL, ALICE, is_moderator=False)
    assert live.message_id is not None
    await before.answer(message_id=live.message_id, user_id=BOB, user_name="b", option="C")
    await before.close()
    clock.advance(DEADLINE + 1)
    view = FakeView()
    await restarted(db, clock, view).resume_all()
    assert "The scoreboard follows" in view.notices[0][1]
    summary, new_badges, status = view.summaries[0]
    assert status is SessionStatus.FINISHED
    assert new_badges == [BOB]
    assert summary.scores[0].points == 200


async def test_down_longer_than_the_window_ends_with_the_scoreboard(
    db: Database, clock: FakeClock
) -> None:
    """Past the resume window the open problem is revealed, then the scoreboard and the
    badges earned; the session is closed as expired."""
    pack = make_pack(
        make_problem("p1", answer="B", time_limit=10),
        make_problem("p2", answer="C", time_limit=10, level="intermediate"),
        rule="min_correct",
        threshold=1,
    )
    before = manager_for(db, FakeView(), clock, grace=60, pack=pack)
    live = await start(before)
    assert live.message_id is not None
    await before.answer(message_id=live.message_id, user_id=BOB, user_name="b", option="B")
    await before.close()
    clock.advance(DEADLINE + WINDOW + 1)
    view = FakeView()
    read_back = await manager_for(db, view, clock, pack=pack, resume_window=WINDOW).resume_all()
    assert read_back == [ReadBack(CHANNEL, live.message_id, late=True)]
    assert "offline for more than 1 minute" in view.notices[0][1]
    assert view.reveals[0].first_try == [BOB]
    assert view.problems == []
    summary, new_badges, status = view.summaries[0]
    assert status is SessionStatus.EXPIRED
    assert new_badges == [BOB]
    assert summary.problems_played == 1
    stored = await db.session(live.session_id)
    assert stored is not None
    assert stored.status is SessionStatus.EXPIRED


async def test_a_problem_never_posted_is_posted_with_its_full_time(
    db: Database, clock: FakeClock
) -> None:
    """A crash between storing problem 1 and posting it: the restart posts it, whole."""
    await db.upsert_user(ALICE, "alice")
    session_id = await db.create_session(GUILD, CHANNEL, "tiny", ["p1", "p2"], ALICE, clock.now)
    await db.set_current_problem(session_id, 0, clock.now, clock.now + DEADLINE)
    clock.advance(DEADLINE + 10)
    view = FakeView()
    manager = restarted(db, clock, view)
    assert await manager.resume_all() == []  # nobody could react to an unposted problem
    assert "did not get posted" in view.notices[0][1]
    assert view.reveals == []
    (first,) = view.problems
    assert (first.number, first.deadline) == (1, clock.now + DEADLINE)
    stored = await db.session(session_id)
    assert stored is not None
    assert stored.message_id == manager.in_channel(CHANNEL).message_id  # type: ignore[union-attr]
    await manager.close()


async def test_a_challenge_that_never_got_going_is_closed_after_the_window(
    db: Database, clock: FakeClock
) -> None:
    """Created but never posted, and long ago: closed as expired with a notice."""
    await db.upsert_user(ALICE, "alice")
    session_id = await db.create_session(GUILD, CHANNEL, "tiny", ["p1", "p2"], ALICE, clock.now)
    clock.advance(WINDOW + 1)
    view = FakeView()
    await restarted(db, clock, view).resume_all()
    assert "ends here" in view.notices[0][1]
    assert view.problems == []
    stored = await db.session(session_id)
    assert stored is not None
    assert stored.status is SessionStatus.EXPIRED


async def test_an_open_problem_lists_what_it_heard_so_far(db: Database, clock: FakeClock) -> None:
    """heard_on the open problem: every stored pick and hint, live as answers come in."""
    live = await went_down_mid_problem(db, clock)
    message = live.message_id
    assert message is not None
    manager = restarted(db, clock, FakeView())
    await manager.resume_all()
    assert manager.heard_on(message) == {(BOB, "B"), (ALICE, "A")}
    await manager.take_hint(message_id=message, channel_id=CHANNEL, user_id=3, user_name="c")
    assert (3, HINT_KEY) in manager.heard_on(message)
    await manager.close()


async def test_read_back_picks_count_as_of_the_resume_however_long_they_take(
    db: Database, clock: FakeClock
) -> None:
    """A pick read back at the resume counts as arrived then, even if handing it in takes
    past the deadline; the reveal waits for it, then comes."""
    live = await went_down_mid_problem(db, clock)
    message = live.message_id
    assert message is not None
    clock.advance(DEADLINE - 1)  # back with one second left
    view = FakeView()
    manager = restarted(db, clock, view)
    await manager.resume_all()
    resumed_at = clock.now
    clock.advance(2)  # reading the reactions back was slow: the deadline passed meanwhile
    await asyncio.sleep(0.01)
    assert view.reveals == []  # held while the reactions are read back
    manager.expect_replays(message, [(3, "B")], at=resumed_at)
    clock.advance(1)  # handing them in is slow too
    await asyncio.sleep(0.01)
    assert view.reveals == []  # held for the pick still being handed in
    outcome = await manager.answer(message_id=message, user_id=3, user_name="c", option="B")
    assert outcome.correct
    assert outcome.attempt.answered_at == resumed_at
    manager.replays_done(message)
    clock.advance(1)
    await view.until(lambda: view.reveals)
    assert view.reveals[0].first_try == [BOB, 3]
    await manager.close()


async def test_a_read_back_that_never_ends_holds_the_reveal_only_so_long(
    db: Database, clock: FakeClock
) -> None:
    """If reading back hangs, the problem is revealed READ_BACK_HOLD s after the resume."""
    await went_down_mid_problem(db, clock)
    view = FakeView()
    manager = restarted(db, clock, view)
    await manager.resume_all()
    clock.advance(DEADLINE)
    await asyncio.sleep(0.01)
    assert view.reveals == []
    clock.advance(READ_BACK_HOLD)
    await view.until(lambda: view.reveals)
    await manager.close()
