"""Tests for ChallengeSession: attempts, deadlines, hints, reveal, summary and restore."""

from __future__ import annotations

import pytest

from bot.engine.problems import Pack
from bot.engine.scoring import HINT_COST, POINTS_BY_ATTEMPT, ScoringRules
from bot.engine.session import (
    HINT_KEY,
    AlreadySolved,
    ChallengeError,
    ChallengeSession,
    DeadlinePassed,
    HintRefused,
    HintUse,
    NoAttemptsLeft,
    NotAnOption,
    OptionAlreadyTried,
    ProblemNotOpen,
)
from tests.engine.conftest import FakeClock, make_pack, make_problem

ALICE, BOB, CAROL = 1, 2, 3


def started(pack: Pack, clock: FakeClock, **kwargs: object) -> ChallengeSession:
    session = ChallengeSession(pack, clock, **kwargs)  # type: ignore[arg-type]
    session.open_next()
    return session


def test_first_problem_opens_with_deadline_from_time_limit(pack: Pack, clock: FakeClock) -> None:
    """Opening a problem sets its deadline to now + time limit."""
    session = ChallengeSession(pack, clock)
    opened = session.open_next()
    assert opened.number == 1
    assert opened.total == 2
    assert opened.deadline == clock.now + 60


def test_time_scale_stretches_the_deadline(pack: Pack, clock: FakeClock) -> None:
    """A guild's timer scale multiplies every time limit."""
    session = ChallengeSession(pack, clock, time_scale=1.5)
    assert session.open_next().deadline == clock.now + 90


def test_right_first_try_scores_full_points(pack: Pack, clock: FakeClock) -> None:
    """A correct first answer is worth the first-try points and leaves the player done."""
    session = started(pack, clock)
    outcome = session.answer(ALICE, "b")
    assert outcome.correct
    assert outcome.attempt.points == POINTS_BY_ATTEMPT[0]
    assert session.is_done(ALICE)


def test_second_try_is_worth_less_than_first(pack: Pack, clock: FakeClock) -> None:
    """A wrong answer then a right one earns second-try points."""
    session = started(pack, clock)
    wrong = session.answer(ALICE, "A")
    assert not wrong.correct
    assert wrong.attempts_left == 1
    right = session.answer(ALICE, "B")
    assert right.attempt.attempt_number == 2
    assert 0 < right.attempt.points < POINTS_BY_ATTEMPT[0]


def test_answer_after_deadline_is_refused(pack: Pack, clock: FakeClock) -> None:
    """An answer after the deadline does not count."""
    session = started(pack, clock)
    clock.advance(60.01)
    with pytest.raises(DeadlinePassed):
        session.answer(ALICE, "B")
    assert session.answered_count() == 0


def test_answer_exactly_at_deadline_counts(pack: Pack, clock: FakeClock) -> None:
    """The deadline itself is the last moment an answer counts."""
    session = started(pack, clock)
    clock.advance(60)
    assert session.answer(ALICE, "B").correct


def test_no_attempts_left_is_refused(pack: Pack, clock: FakeClock) -> None:
    """After using every attempt, a further answer is refused, even the right one."""
    session = started(pack, clock)
    session.answer(ALICE, "A")
    session.answer(ALICE, "C")
    assert session.is_done(ALICE)
    with pytest.raises(NoAttemptsLeft):
        session.answer(ALICE, "B")


def test_same_wrong_option_twice_costs_nothing(pack: Pack, clock: FakeClock) -> None:
    """Picking the same wrong option again is refused and does not use an attempt."""
    session = started(pack, clock)
    session.answer(ALICE, "A")
    with pytest.raises(OptionAlreadyTried):
        session.answer(ALICE, "A")
    assert session.attempts_left(ALICE) == 1
    assert session.answer(ALICE, "B").correct


def test_answer_after_solving_is_refused(pack: Pack, clock: FakeClock) -> None:
    """Solving twice is refused, so nobody scores a problem twice."""
    session = started(pack, clock)
    session.answer(ALICE, "B")
    with pytest.raises(AlreadySolved):
        session.answer(ALICE, "B")


def test_unknown_letter_is_refused(pack: Pack, clock: FakeClock) -> None:
    """A letter that is not an option is refused without using an attempt."""
    session = started(pack, clock)
    with pytest.raises(NotAnOption):
        session.answer(ALICE, "E")
    assert session.attempts_left(ALICE) == 2


def test_three_option_problem_refuses_d(clock: FakeClock) -> None:
    """Only the letters a problem has are options."""
    three = make_problem("p3", options={"A": "x", "B": "y", "C": "z"}, why_not={"A": "-", "C": "-"})
    session = started(make_pack(three), clock)
    with pytest.raises(NotAnOption):
        session.answer(ALICE, "D")


def test_hint_costs_points(pack: Pack, clock: FakeClock) -> None:
    """A correct answer after a hint is worth less than one without."""
    session = started(pack, clock)
    assert session.hint(ALICE) == "It is not one."
    assert session.answer(ALICE, "B").attempt.points == POINTS_BY_ATTEMPT[0] - HINT_COST
    assert session.answer(BOB, "B").attempt.points == POINTS_BY_ATTEMPT[0]


def test_hint_asked_twice_costs_once(pack: Pack, clock: FakeClock) -> None:
    """Asking for the same hint again is free."""
    session = started(pack, clock)
    session.hint(ALICE)
    session.hint(ALICE)
    assert session.answer(ALICE, "B").attempt.points == POINTS_BY_ATTEMPT[0] - HINT_COST


def test_hint_after_answering_is_refused(pack: Pack, clock: FakeClock) -> None:
    """Once a player is done, the hint is refused (the reveal explains everything)."""
    session = started(pack, clock)
    session.answer(ALICE, "B")
    with pytest.raises(HintRefused):
        session.hint(ALICE)


def test_hint_between_attempts_is_allowed(pack: Pack, clock: FakeClock) -> None:
    """A player with an attempt left may still ask for the hint."""
    session = started(pack, clock)
    session.answer(ALICE, "A")
    assert session.hint(ALICE)


def test_hint_after_deadline_is_refused(pack: Pack, clock: FakeClock) -> None:
    """No hints once the time is up."""
    session = started(pack, clock)
    clock.advance(61)
    with pytest.raises(HintRefused):
        session.hint(ALICE)


def test_nothing_is_accepted_before_a_problem_opens(pack: Pack, clock: FakeClock) -> None:
    """Answers and hints need an open problem."""
    session = ChallengeSession(pack, clock)
    with pytest.raises(ProblemNotOpen):
        session.answer(ALICE, "A")
    with pytest.raises(ProblemNotOpen):
        session.hint(ALICE)


def test_cannot_open_next_before_reveal(pack: Pack, clock: FakeClock) -> None:
    """Problems are played one at a time."""
    session = started(pack, clock)
    with pytest.raises(ChallengeError):
        session.open_next()


def test_speed_bonus_rewards_fast_answers(pack: Pack, clock: FakeClock) -> None:
    """With the speed bonus on, an instant answer beats a last-second one."""
    session = started(pack, clock, rules=ScoringRules(speed_bonus=True))
    fast = session.answer(ALICE, "B").attempt.points
    clock.advance(59)
    slow = session.answer(BOB, "B").attempt.points
    assert fast > slow >= POINTS_BY_ATTEMPT[0]


def test_reveal_lists_first_and_second_try(pack: Pack, clock: FakeClock) -> None:
    """The reveal groups solvers by attempt, in answer order, and lists who missed."""
    session = started(pack, clock)
    session.answer(BOB, "B")
    session.answer(ALICE, "A")
    session.answer(ALICE, "B")
    session.answer(CAROL, "A")
    session.answer(CAROL, "D")
    reveal = session.reveal()
    assert reveal.first_try == [BOB]
    assert reveal.solved_by_attempt[2] == [ALICE]
    assert reveal.missed == [CAROL]
    assert session.current is None


def test_all_correct_earns_badge_and_summary_ranks(pack: Pack, clock: FakeClock) -> None:
    """Every problem right earns the pack's badge; one miss does not."""
    session = started(pack, clock)
    session.answer(ALICE, "B")
    session.answer(BOB, "A")
    session.answer(BOB, "B")
    session.reveal()
    session.open_next()
    session.answer(ALICE, "C")
    session.answer(BOB, "A")
    session.answer(BOB, "B")
    session.reveal()
    assert session.finished
    summary = session.summary()
    assert summary.badge_winners == [ALICE]
    assert [s.user_id for s in summary.scores] == [ALICE, BOB]
    assert summary.scores[0].correct == 2
    assert summary.scores[0].first_try == 2


def test_skipping_a_problem_loses_the_badge(pack: Pack, clock: FakeClock) -> None:
    """A player who sat out one problem has not got every problem right."""
    session = started(pack, clock)
    session.reveal()
    session.open_next()
    session.answer(ALICE, "C")
    session.reveal()
    assert session.summary().badge_winners == []


def test_restore_keeps_attempts_deadline_and_hints(pack: Pack, clock: FakeClock) -> None:
    """A session rebuilt from stored facts behaves like the original."""
    original = started(pack, clock)
    original.hint(BOB)
    original.answer(ALICE, "A")
    assert original.current is not None
    attempts = list(original._attempt_order)
    restored = ChallengeSession.restore(
        pack,
        clock,
        problems=pack.problems,
        current_index=0,
        opened_at=original.current.opened_at,
        deadline=original.current.deadline,
        attempts=attempts,
        hints=[HintUse(BOB, "p1", clock.now)],
    )
    assert restored.attempts_left(ALICE) == 1
    with pytest.raises(OptionAlreadyTried):
        restored.answer(ALICE, "A")
    assert restored.answer(BOB, "B").attempt.points == POINTS_BY_ATTEMPT[0] - HINT_COST
    clock.advance(61)
    with pytest.raises(DeadlinePassed):
        restored.answer(CAROL, "B")


def test_judging_records_nothing(pack: Pack, clock: FakeClock) -> None:
    """judge() scores an attempt without using it up; record() then keeps it."""
    session = started(pack, clock)
    outcome = session.judge(ALICE, "A")
    assert session.attempts_left(ALICE) == 2
    assert session.participants == []
    session.record(outcome.attempt)
    assert session.attempts_left(ALICE) == 1


def test_a_stale_judgement_cannot_be_recorded(pack: Pack, clock: FakeClock) -> None:
    """Recording the same judged attempt twice is refused (it would count double)."""
    session = started(pack, clock)
    outcome = session.judge(ALICE, "A")
    session.record(outcome.attempt)
    with pytest.raises(ChallengeError):
        session.record(outcome.attempt)


def test_check_hint_does_not_charge(pack: Pack, clock: FakeClock) -> None:
    """Looking at whether a hint may be given costs nothing until hint() is called."""
    session = started(pack, clock)
    assert session.check_hint(ALICE) == "It is not one."
    assert not session.hinted(ALICE)
    assert session.answer(ALICE, "B").attempt.points == POINTS_BY_ATTEMPT[0]


def test_an_answer_is_judged_at_its_arrival_time(pack: Pack, clock: FakeClock) -> None:
    """`at` is when the answer arrived: in time then, it counts though the clock moved on."""
    session = started(pack, clock)
    arrived = clock()
    clock.advance(61)  # past the 60 s deadline while the answer waited its turn
    outcome = session.answer(ALICE, "B", at=arrived)
    assert outcome.correct
    assert outcome.attempt.answered_at == arrived
    with pytest.raises(DeadlinePassed):
        session.answer(BOB, "B")  # arrived now: late


def test_the_speed_bonus_counts_from_the_arrival_time(pack: Pack, clock: FakeClock) -> None:
    """Two answers judged at the same moment: the earlier arrival earns more."""
    session = started(pack, clock, rules=ScoringRules(speed_bonus=True))
    early = clock()
    clock.advance(50)
    slow = session.answer(BOB, "B")
    fast = session.answer(ALICE, "B", at=early)
    assert fast.attempt.points > slow.attempt.points


def test_reveal_orders_solvers_by_arrival(pack: Pack, clock: FakeClock) -> None:
    """Recorded out of order, solvers are still listed first come, first served."""
    session = started(pack, clock)
    first = clock()
    clock.advance(5)
    session.answer(BOB, "B")
    session.answer(ALICE, "B", at=first)
    assert session.reveal().first_try == [ALICE, BOB]


def test_heard_lists_every_pick_and_hint_of_a_problem(pack: Pack, clock: FakeClock) -> None:
    """What a problem has heard: each player's letters and their hint, nobody else's."""
    session = started(pack, clock)
    session.answer(ALICE, "A")
    session.answer(ALICE, "B")
    session.hint(BOB)
    assert session.heard("p1") == {(ALICE, "A"), (ALICE, "B"), (BOB, HINT_KEY)}
    assert session.heard("p2") == set()


def test_played_is_answered_or_hinted_on_that_problem(pack: Pack, clock: FakeClock) -> None:
    """played(user, index) says whether the player took part in that problem."""
    session = started(pack, clock)
    session.answer(ALICE, "B")
    session.hint(BOB)
    session.reveal()
    session.open_next()
    assert session.played(ALICE, 0)
    assert session.played(BOB, 0)
    assert not session.played(ALICE, 1)
    assert session.attempts_of(ALICE) == []


def test_the_badge_needs_the_whole_pack(clock: FakeClock) -> None:
    """A perfect run of 2 of a pack's 3 problems shows in the scores but earns no badge."""
    pack = make_pack(make_problem("p1"), make_problem("p2"), make_problem("p3"))
    session = ChallengeSession(pack, clock, problems=pack.problems[:2])
    for _ in range(2):
        session.open_next()
        session.answer(ALICE, "B")
        session.reveal()
    summary = session.summary()
    assert summary.scores[0].correct == 2
    assert summary.badge_winners == []


def test_an_answer_can_be_judged_as_of_when_it_arrived(pack: Pack, clock: FakeClock) -> None:
    """judge(at=...) uses the arrival time for the deadline and the attempt's time."""
    session = started(pack, clock)
    arrived = clock.now + 59
    clock.advance(61)  # handled after the deadline, arrived before it
    outcome = session.judge(ALICE, "B", at=arrived)
    assert outcome.correct
    assert outcome.attempt.answered_at == arrived
    with pytest.raises(DeadlinePassed):
        session.judge(ALICE, "B")
