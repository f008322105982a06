"""Tests for bot.engine.pace: when a problem is revealed, and what its footer counts."""

from __future__ import annotations

import pytest

from bot.engine.pace import Pace, Progress, progress, reveal_at, waited_for
from bot.engine.problems import Pack
from bot.engine.session import ChallengeSession
from tests.engine.conftest import FakeClock, make_pack, make_problem

ALICE, BOB, CAROL = 1, 2, 3
PACE = Pace(grace=5, join_window=15, retry_window=20)


def three_problem_pack() -> Pack:
    """Three 60-second problems with 2 attempts each; the answer is always B."""
    return make_pack(*(make_problem(f"p{n}") for n in (1, 2, 3)))


@pytest.fixture
def session(clock: FakeClock) -> ChallengeSession:
    """A session of three problems, its first one open since clock.now."""
    started = ChallengeSession(three_problem_pack(), clock)
    started.open_next()
    return started


def move_on(session: ChallengeSession) -> None:
    """Reveal the open problem and open the next one."""
    session.reveal()
    session.open_next()


def test_nobody_playing_runs_to_the_deadline(session: ChallengeSession) -> None:
    """With no answers and no hints there is nobody to wait for: the deadline stands."""
    assert session.current is not None
    assert reveal_at(session, PACE) == session.current.deadline
    assert waited_for(session) == []


def test_a_solo_player_does_not_wait_out_the_first_problem(
    session: ChallengeSession, clock: FakeClock
) -> None:
    """One fast right answer: the reveal comes after the join window, not at the deadline."""
    opened = clock.now
    clock.advance(2)
    session.answer(ALICE, "B")
    assert reveal_at(session, PACE) == opened + PACE.join_window


def test_a_slow_solo_answer_gets_the_grace_after_it(
    session: ChallengeSession, clock: FakeClock
) -> None:
    """Past the join window, the reveal comes `grace` seconds after the last answer."""
    clock.advance(30)
    session.answer(ALICE, "B")
    assert reveal_at(session, PACE) == clock.now + PACE.grace


def test_the_reveal_never_comes_after_the_deadline(
    session: ChallengeSession, clock: FakeClock
) -> None:
    """An answer in the last second does not push the reveal past the deadline."""
    assert session.current is not None
    clock.advance(59)
    session.answer(ALICE, "B")
    assert reveal_at(session, PACE) == session.current.deadline


def test_a_hint_taker_is_playing_and_waited_for(
    session: ChallengeSession, clock: FakeClock
) -> None:
    """Taking the hint makes a participant: the problem waits until they answer."""
    assert session.current is not None
    session.hint(BOB)
    session.answer(ALICE, "B")
    assert reveal_at(session, PACE) == session.current.deadline
    clock.advance(20)
    session.answer(BOB, "B")
    assert reveal_at(session, PACE) == clock.now + PACE.grace


def test_a_wrong_pick_leaves_time_to_try_again(session: ChallengeSession, clock: FakeClock) -> None:
    """A wrong answer with an attempt left holds the problem for the retry window, no more."""
    clock.advance(16)
    session.answer(ALICE, "A")
    assert reveal_at(session, PACE) == clock.now + PACE.retry_window + PACE.grace
    clock.advance(4)
    session.answer(ALICE, "C")  # the last attempt: done
    assert reveal_at(session, PACE) == clock.now + PACE.grace


def test_earlier_players_are_waited_for_on_the_next_problem(
    session: ChallengeSession, clock: FakeClock
) -> None:
    """Everyone who played problem 1 is expected on problem 2 until they answer it."""
    session.answer(ALICE, "B")
    session.answer(BOB, "B")
    move_on(session)
    assert session.current is not None
    session.answer(ALICE, "B")
    assert waited_for(session) == [ALICE, BOB]
    assert reveal_at(session, PACE) == session.current.deadline
    clock.advance(3)
    session.answer(BOB, "B")
    assert reveal_at(session, PACE) == clock.now + PACE.grace  # no join window after problem 1


def test_someone_who_left_stops_holding_problems_open(session: ChallengeSession) -> None:
    """A player who skipped a whole problem is not waited for on the one after it."""
    session.answer(ALICE, "B")
    session.answer(BOB, "B")
    move_on(session)
    session.answer(ALICE, "B")  # bob says nothing on problem 2: it runs to its deadline
    move_on(session)
    assert waited_for(session) == [ALICE]
    session.answer(ALICE, "B")
    assert session.current is not None
    assert reveal_at(session, PACE) < session.current.deadline
    session.answer(BOB, "A")  # bob is back: waited for again (he has an attempt left)
    assert waited_for(session) == [ALICE, BOB]


def test_progress_counts_answers_and_who_is_still_trying(
    session: ChallengeSession, clock: FakeClock
) -> None:
    """Answered counts players; still trying counts those not done, without names."""
    session.hint(CAROL)
    session.answer(ALICE, "B")
    session.answer(BOB, "A")
    assert progress(session, PACE, clock.now) == Progress(answered=2, still_trying=2)
    clock.advance(PACE.retry_window + 1)  # bob let his retry window pass
    assert progress(session, PACE, clock.now) == Progress(answered=2, still_trying=1)


def test_pace_times_cannot_be_negative() -> None:
    """A negative grace or window is a configuration mistake, refused at once."""
    with pytest.raises(ValueError, match="negative"):
        Pace(grace=-1)
