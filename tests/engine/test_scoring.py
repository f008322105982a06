"""Tests for points (a challenge's and a race's), the race's streak bonus, and day streaks."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine.scoring import (
    HINT_COST,
    MIN_POINTS_FOR_CORRECT,
    POINTS_BY_ATTEMPT,
    ScoringRules,
    day_streak,
    points_for,
    race_points,
    streak_bonus,
)

TODAY = date(2026, 11, 28)


def test_points_fall_with_each_attempt() -> None:
    """Each later attempt is worth strictly less, down to the floor."""
    points = [points_for(n, used_hint=False) for n in range(1, 7)]
    assert points[:4] == list(POINTS_BY_ATTEMPT)
    assert points == sorted(points, reverse=True)
    assert min(points) >= MIN_POINTS_FOR_CORRECT


def test_hint_never_makes_a_correct_answer_worthless() -> None:
    """A late, hinted answer still earns the minimum."""
    assert points_for(4, used_hint=True) == MIN_POINTS_FOR_CORRECT
    assert points_for(1, used_hint=True) == POINTS_BY_ATTEMPT[0] - HINT_COST


def test_speed_bonus_only_when_enabled() -> None:
    """The time left adds points only with the bonus switched on."""
    assert points_for(1, used_hint=False, time_left_fraction=1.0) == POINTS_BY_ATTEMPT[0]
    with_bonus = points_for(
        1, used_hint=False, time_left_fraction=1.0, rules=ScoringRules(speed_bonus=True)
    )
    assert with_bonus > POINTS_BY_ATTEMPT[0]


def test_attempt_numbers_start_at_one() -> None:
    """Attempt 0 is a programming error."""
    with pytest.raises(ValueError, match="starts at 1"):
        points_for(0, used_hint=False)


@pytest.mark.parametrize(
    ("offsets", "expected"),
    [
        ([], 0),
        ([0], 1),
        ([0, 1, 2], 3),
        ([1, 2], 2),  # today not played yet: the streak is still alive
        ([2, 3], 0),  # a gap yesterday breaks it
        ([0, 2, 3], 1),
    ],
)
def test_day_streak(offsets: list[int], expected: int) -> None:
    """Consecutive active days count back from today or yesterday."""
    days = [TODAY - timedelta(days=o) for o in offsets]
    assert day_streak(days, TODAY) == expected


def race_formula(taken: Fraction, limit: Fraction) -> Fraction:
    """The issue's formula before rounding, in exact arithmetic: 1000 * (1 - t / (2T))."""
    return 1000 * (1 - taken / (2 * limit))


@pytest.mark.parametrize(
    ("taken", "limit", "expected"),
    [
        (0.0, 20.0, 1000),  # at once: the most
        (20.0, 20.0, 500),  # on the buzzer: half
        (10.0, 20.0, 750),
        (5.0, 20.0, 875),
        (0.02, 20.0, 1000),  # 999.5: halves round up
        (0.06, 20.0, 999),  # 998.5 -> 999
        (0.061, 20.0, 998),  # 998.475
        (19.99, 20.0, 500),  # 500.25
        (19.97, 20.0, 501),  # 500.75
        (3.0, 6.0, 750),  # another time limit: the same shape
        (-0.5, 20.0, 1000),  # an arrival stamped before the opening counts as at once
        (25.0, 20.0, 500),  # never below half (later answers are refused anyway)
    ],
)
def test_race_points_at_hand_picked_times(taken: float, limit: float, expected: int) -> None:
    """The formula's edges: 1000 at once, 500 at the limit, halves rounded up."""
    assert race_points(taken, limit) == expected


@given(
    st.fractions(min_value=0, max_value=1, max_denominator=1000),
    st.sampled_from([5, 10, 20, 30, 45, 120]),
)
def test_race_points_follow_the_formula(fraction: Fraction, limit: int) -> None:
    """Within half a point of 1000 * (1 - t / (2T)) for every t in [0, T]."""
    taken = fraction * limit
    exact = race_formula(taken, Fraction(limit))
    assert abs(race_points(float(taken), float(limit)) - exact) <= Fraction(1, 2)


@given(
    st.floats(min_value=0, max_value=60, allow_nan=False),
    st.floats(min_value=0, max_value=60, allow_nan=False),
    st.floats(min_value=1, max_value=60, allow_nan=False),
)
def test_race_points_never_rise_with_time(first: float, second: float, limit: float) -> None:
    """Answering later is never worth more, and every score lies between 500 and 1000."""
    early, late = sorted((first, second))
    assert 500 <= race_points(late, limit) <= race_points(early, limit) <= 1000


@given(st.floats(min_value=0.001, max_value=3600, allow_nan=False))
def test_race_points_end_points_for_any_limit(limit: float) -> None:
    """1000 at t = 0 and 500 at t = T, whatever T is."""
    assert race_points(0.0, limit) == 1000
    assert race_points(limit, limit) == 500


def test_race_points_need_a_time_limit() -> None:
    """A zero time limit is a programming error, not a division by zero."""
    with pytest.raises(ValueError, match="positive time limit"):
        race_points(1.0, 0.0)


@pytest.mark.parametrize(
    ("in_a_row", "bonus"),
    [(1, 0), (2, 100), (3, 200), (4, 300), (5, 400), (6, 500), (7, 500), (50, 500)],
)
def test_streak_bonus_grows_by_100_up_to_500(in_a_row: int, bonus: int) -> None:
    """The 2nd right answer in a row earns +100, the 3rd +200, ... the 6th and later +500."""
    assert streak_bonus(in_a_row) == bonus


def test_streak_bonus_counts_the_answer_itself() -> None:
    """A run of 0 is not a right answer: refused."""
    with pytest.raises(ValueError, match="starts at 1"):
        streak_bonus(0)
