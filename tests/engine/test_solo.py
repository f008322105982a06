"""Tests for bot.engine.solo: one member, one problem at a time, one answer each, untimed."""

from __future__ import annotations

import pytest

from bot.engine.problems import Problem
from bot.engine.session import Attempt, ChallengeError, HintUse, NotAnOption, ProblemNotOpen
from bot.engine.solo import AlreadyAnswered, SoloRun
from tests.engine.conftest import FakeClock, make_pack, make_problem

BOB = 7


def problems() -> list[Problem]:
    """p1 (StepLR, answer B), p2 (StepLR and OneCycleLR, answer C), p3 (OneCycleLR, A)."""
    both = {"schedulers": ["StepLR", "OneCycleLR"], "subject": ["StepLR", "OneCycleLR"]}
    cycle = {"schedulers": ["OneCycleLR"], "subject": ["OneCycleLR"]}
    pack = make_pack(
        make_problem("p1", answer="B"),
        make_problem("p2", answer="C", **both),
        make_problem("p3", answer="A", **cycle),
    )
    return list(pack.problems)


def answer_all(run: SoloRun, letters: str) -> None:
    """Answer the run's problems in order with `letters`, one each."""
    for letter in letters:
        run.record(run.judge(letter))


def test_one_answer_moves_the_run_on_whatever_it_was(clock: FakeClock) -> None:
    """Right or wrong, the first answer is the problem's only one: the next one follows."""
    run = SoloRun(BOB, problems(), clock)
    first = run.judge("a", at=clock.now + 3)
    assert (first.correct, first.attempt.option, first.attempt.answered_at) == (
        False,
        "A",
        clock.now + 3,
    )
    assert run.current is not None
    assert run.current.number == 1  # judged, not yet kept: the caller stores it first
    run.record(first)
    assert run.current is not None
    assert (run.current.number, run.current.problem.id) == (2, "p2")
    with pytest.raises(AlreadyAnswered, match="problem 2/3 is waiting below"):
        run.judge("B", index=0)  # another reaction on problem 1's message


def test_practice_earns_no_points_and_one_attempt_per_problem(clock: FakeClock) -> None:
    """An answer is attempt 1 and worth 0 points: practice never counts on a board."""
    run = SoloRun(BOB, problems(), clock)
    verdict = run.judge("B")
    assert verdict.correct
    assert (verdict.attempt.attempt_number, verdict.attempt.points) == (1, 0)


def test_no_clock_runs_against_the_member(clock: FakeClock) -> None:
    """A day later the open problem still takes its answer."""
    run = SoloRun(BOB, problems(), clock)
    clock.advance(86_400)
    assert run.judge("B").correct


def test_a_letter_that_is_no_option_is_refused(clock: FakeClock) -> None:
    """E on a four-option problem says which letters there are."""
    run = SoloRun(BOB, problems(), clock)
    with pytest.raises(NotAnOption, match="A, B, C, D"):
        run.judge("E")


def test_a_finished_run_takes_nothing_more(clock: FakeClock) -> None:
    """After the last answer: finished, and neither answers nor hints are taken."""
    run = SoloRun(BOB, problems(), clock)
    answer_all(run, "BCA")
    assert run.finished
    assert run.current is None
    with pytest.raises(ProblemNotOpen):
        run.judge("A")
    with pytest.raises(ProblemNotOpen):
        run.check_hint()


def test_a_verdict_for_another_problem_is_not_kept(clock: FakeClock) -> None:
    """A verdict judged on problem 1 cannot be recorded once the run is on problem 2."""
    run = SoloRun(BOB, problems(), clock)
    stale = run.judge("B")
    run.record(run.judge("B"))
    with pytest.raises(ChallengeError):
        run.record(stale)


def test_the_hint_is_noted_for_the_current_problem(clock: FakeClock) -> None:
    """check_hint names the current problem; after record_hint it counts as hinted."""
    run = SoloRun(BOB, problems(), clock)
    use = run.check_hint()
    assert use == HintUse(BOB, "p1", clock.now)
    assert not run.hinted("p1")
    run.record_hint(use)
    assert run.hinted("p1")
    run.record(run.judge("B"))
    with pytest.raises(AlreadyAnswered):
        run.check_hint(index=0)  # the bulb under problem 1, now answered


def test_the_summary_counts_each_scheduler_taught_and_lists_the_misses(clock: FakeClock) -> None:
    """p2 teaches two schedulers and counts for both; the weakest comes first."""
    run = SoloRun(BOB, problems(), clock)
    answer_all(run, "BAA")  # p1 right, p2 wrong, p3 right
    summary = run.summary()
    assert (summary.right, summary.answered, summary.planned) == (2, 3, 3)
    assert [(t.name, t.right, t.answered) for t in summary.by_scheduler] == [
        ("OneCycleLR", 1, 2),  # a miss out of two, 50 % right: listed before StepLR's 50 %
        ("StepLR", 1, 2),
    ]
    assert [p.id for p in summary.missed] == ["p2"]
    assert summary.weakest == "OneCycleLR"
    assert not summary.perfect


def test_a_stopped_run_sums_up_what_was_answered(clock: FakeClock) -> None:
    """One answer of three: 1/1 right, three planned, not perfect, nothing to review."""
    run = SoloRun(BOB, problems(), clock)
    answer_all(run, "B")
    summary = run.summary()
    assert (summary.right, summary.answered, summary.planned) == (1, 1, 3)
    assert summary.weakest is None
    assert not summary.perfect


def test_restore_finds_the_first_problem_without_an_answer(clock: FakeClock) -> None:
    """Rebuilt from stored answers (out of order, one of another member), the run is on
    the problem after the last answered one, with its hints."""
    played = SoloRun(BOB, problems(), clock)
    answer_all(played, "BA")
    stranger = Attempt(99, "p3", "A", True, 1, 0, clock.now)
    hints = [HintUse(BOB, "p2", clock.now)]
    restored = SoloRun.restore(
        BOB, problems(), clock, attempts=[*reversed(played.answers), stranger], hints=hints
    )
    assert restored.current is not None
    assert restored.current.problem.id == "p3"
    assert restored.answers == played.answers
    assert restored.hinted("p2")
    assert restored.summary() == played.summary()


def test_a_run_needs_problems_each_played_once(clock: FakeClock) -> None:
    """No problems, or one problem twice, is a programming error."""
    with pytest.raises(ValueError, match="at least one"):
        SoloRun(BOB, [], clock)
    with pytest.raises(ValueError, match="once"):
        SoloRun(BOB, problems()[:1] * 2, clock)
