"""Tests for points and day streaks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.engine.scoring import (
    HINT_COST,
    MIN_POINTS_FOR_CORRECT,
    POINTS_BY_ATTEMPT,
    ScoringRules,
    day_streak,
    points_for,
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
