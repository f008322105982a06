"""Tests for bot.storage._totals: which periods an attempt counts in, and what it adds."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.engine.session import Attempt
from bot.features.stats import weeks
from bot.storage import _totals
from bot.storage._connection import DAY, WEEK, day_number, week_start

MONDAY = datetime(2025, 3, 10, tzinfo=UTC).timestamp()


def attempt(at: float, *, points: int = 100, number: int = 1) -> Attempt:
    """Bob's attempt at p1: right (and scoring) when it has points."""
    return Attempt(11, "p1", "A" if points else "B", points > 0, number, points, at)


def test_an_attempt_counts_all_time_and_in_its_iso_week() -> None:
    """Without a reset: the all-time period and the Monday-to-Monday week holding it."""
    periods = _totals.periods_of(MONDAY + 2 * DAY, None)
    assert [(p.kind, p.since, p.until) for p in periods] == [
        ("all", 0.0, None),
        ("week", MONDAY, MONDAY + WEEK),
    ]


def test_monday_midnight_starts_the_new_week() -> None:
    """An answer at Monday 00:00 is in the new week; one a millisecond before is not."""
    assert _totals.week_of(MONDAY).since == MONDAY
    assert _totals.week_of(MONDAY - 0.001).since == MONDAY - WEEK


def test_a_reset_adds_its_period_until_the_end_of_its_week() -> None:
    """After a reset on Wednesday, answers until next Monday also count since the reset."""
    reset = MONDAY + 2 * DAY + 3600
    assert [p.kind for p in _totals.periods_of(reset - 1, reset)] == ["all", "week"]
    assert [p.kind for p in _totals.periods_of(reset, reset)] == ["all", "week", "reset"]
    last = _totals.periods_of(MONDAY + WEEK - 0.5, reset)[-1]
    assert (last.kind, last.since, last.until) == ("reset", reset, MONDAY + WEEK)
    assert [p.kind for p in _totals.periods_of(MONDAY + WEEK, reset)] == ["all", "week"]


def test_a_first_attempt_adds_one_problem_answered() -> None:
    """The first attempt at a problem counts it answered, and solved if right."""
    [all_time, week] = _totals.changes_for(attempt(MONDAY + 10), None, [])
    assert (all_time.points, all_time.answered, all_time.correct) == (100, 1, 1)
    assert all_time.scored_at == MONDAY + 10
    assert (week.kind, week.since, week.answered) == ("week", MONDAY, 1)


def test_a_second_attempt_adds_points_but_not_another_problem() -> None:
    """Right on the second try: points and a solved problem, but still one problem answered."""
    changes = _totals.changes_for(attempt(MONDAY + 20, points=50, number=2), None, [(10.0, False)])
    all_time = changes[0]
    assert (all_time.points, all_time.answered, all_time.correct) == (50, 0, 1)


def test_a_wrong_attempt_scores_nothing_and_sets_no_tie_break() -> None:
    """A wrong answer adds a problem answered, no points, and no time for the tie-break."""
    [all_time, _] = _totals.changes_for(attempt(MONDAY + 10, points=0), None, [])
    assert (all_time.points, all_time.answered, all_time.correct) == (0, 1, 0)
    assert all_time.scored_at is None


def test_a_problem_solved_already_is_not_solved_twice() -> None:
    """Another right attempt at a solved problem does not count a second solved problem."""
    [all_time, _] = _totals.changes_for(attempt(MONDAY + 30, number=2), None, [(10.0, True)])
    assert all_time.correct == 0


def test_a_problem_straddling_monday_counts_in_both_weeks() -> None:
    """Wrong on Sunday night, right on Monday: answered in both weeks, solved in the new one."""
    sunday, monday = MONDAY - 5, MONDAY + 5
    changes = _totals.changes_for(attempt(monday, points=50, number=2), None, [(sunday, False)])
    by_kind = {change.kind: change for change in changes}
    assert (by_kind["all"].answered, by_kind["all"].correct) == (0, 1)
    assert (by_kind["week"].since, by_kind["week"].answered, by_kind["week"].correct) == (
        MONDAY,
        1,
        1,
    )


def test_the_boards_windows_are_kept_periods() -> None:
    """Every window the bot shows maps to a kept period; other windows do not."""
    reset = MONDAY + DAY + 0.25
    now = MONDAY + 3 * DAY
    for board in weeks.Board:
        for reset_at in (None, reset, reset - WEEK):
            span = weeks.window(board, now, reset_at)
            period = _totals.standings_period(span.since, span.until, reset_at)
            assert period is not None, (board, reset_at)
            assert (period.since, period.until) == (span.since or 0.0, span.until)
    assert _totals.standings_period(MONDAY + 1, MONDAY + 1 + WEEK, None) is None
    assert _totals.standings_period(MONDAY, None, None) is None
    assert _totals.standings_period(reset, MONDAY + WEEK, None) is None


@given(st.floats(min_value=0, max_value=4e9, allow_nan=False))
def test_storage_weeks_are_the_leaderboards_weeks(at: float) -> None:
    """The week an attempt is kept in is the week the leaderboard shows it in."""
    assert week_start(at) == weeks.week_start(at)
    span = weeks.window(weeks.Board.WEEK, at)
    assert span.since is not None
    assert span.until is not None
    assert span.since <= at < span.until


@given(st.floats(min_value=0, max_value=4e9, allow_nan=False))
def test_day_number_is_the_utc_day(at: float) -> None:
    """day_number counts whole UTC days since 1970-01-01, like the profile's streak days."""
    # Whole seconds: datetime rounds microseconds, and may round 23:59:59.9999996 up.
    day = datetime.fromtimestamp(math.floor(at), UTC).date()
    assert day_number(at) == (day - datetime(1970, 1, 1, tzinfo=UTC).date()).days
