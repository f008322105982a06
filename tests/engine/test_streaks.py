"""Tests for daily streaks: runs of daily problems solved, over simulated days with a missed
one, a day without a problem, and the problem still open."""

from __future__ import annotations

from datetime import date, timedelta

from bot.engine.streaks import Streak, best_streaks, streak_of, streaks

FIRST = date(2025, 3, 1)


def days(count: int, skip: frozenset[int] = frozenset()) -> list[date]:
    """`count` consecutive days from FIRST, leaving out the offsets in `skip`."""
    return [FIRST + timedelta(days=n) for n in range(count) if n not in skip]


def test_a_run_of_solved_days_is_the_streak() -> None:
    """Five problems solved in a row, the last one revealed: a streak of five, best five."""
    assert streak_of(days(5), set(days(5)), last_open=False) == Streak(5, 5, False)


def test_a_missed_day_starts_the_streak_again() -> None:
    """Solved 1-3, missed 4, solved 5-6: the streak is 2, the best 3."""
    all_days = days(6)
    solved = {day for n, day in enumerate(all_days) if n != 3}
    assert streak_of(all_days, solved, last_open=False) == Streak(2, 3, False)


def test_the_open_problem_does_not_break_the_streak_before_it_is_solved() -> None:
    """Today's problem still open and unsolved: yesterday's run still stands; solving it
    adds one; once revealed unsolved, the run is over."""
    all_days = days(4)
    before_today = set(all_days[:3])
    assert streak_of(all_days, before_today, last_open=True) == Streak(3, 3, False)
    assert streak_of(all_days, set(all_days), last_open=True) == Streak(4, 4, True)
    assert streak_of(all_days, before_today, last_open=False) == Streak(0, 3, False)


def test_a_day_without_a_daily_problem_neither_counts_nor_breaks() -> None:
    """The bot was down on day 3 (no problem posted): days 1, 2, 4, 5 solved make four."""
    posted = days(5, skip=frozenset({2}))
    assert streak_of(posted, set(posted), last_open=False) == Streak(4, 4, False)


def test_nothing_posted_or_nothing_solved_is_no_streak() -> None:
    """No days, or days never solved: zeros."""
    assert streak_of([], set(), last_open=True) == Streak(0, 0, False)
    assert streak_of(days(3), set(), last_open=False) == Streak(0, 0, False)


def test_every_members_streak_from_the_solves_and_the_best_ones_first() -> None:
    """Per member from (day, member) pairs; the best going streaks first, none of 0."""
    all_days = days(5)
    solves = [(day, 1) for day in all_days]  # member 1: every day
    solves += [(day, 2) for day in all_days[2:]]  # member 2: the last three
    solves += [(all_days[0], 3)]  # member 3: only the first
    found = streaks(all_days, solves, last_open=False)
    assert found == {1: Streak(5, 5), 2: Streak(3, 3), 3: Streak(0, 1)}
    assert best_streaks(found) == [(1, Streak(5, 5)), (2, Streak(3, 3))]
    assert best_streaks(found, limit=1) == [(1, Streak(5, 5))]


def test_equal_streaks_rank_by_best_then_member() -> None:
    """Two members on 2 days: the one whose best is longer comes first, then the lower id."""
    found = {7: Streak(2, 2), 5: Streak(2, 2), 9: Streak(2, 6)}
    assert [user for user, _ in best_streaks(found)] == [9, 5, 7]
