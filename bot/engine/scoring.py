"""Points for a correct answer, and day streaks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

# A first-try answer is worth the most; each further attempt halves it.
POINTS_BY_ATTEMPT: tuple[int, ...] = (100, 50, 25, 10)
HINT_COST = 30
MIN_POINTS_FOR_CORRECT = 10  # a correct answer is never worth nothing
SPEED_BONUS_MAX = 20


@dataclass(frozen=True)
class ScoringRules:
    """A guild's scoring options: whether fast answers earn a speed bonus."""

    speed_bonus: bool = False


DEFAULT_RULES = ScoringRules()


def points_for(
    attempt_number: int,
    *,
    used_hint: bool,
    time_left_fraction: float = 0.0,
    rules: ScoringRules = DEFAULT_RULES,
) -> int:
    """Points for a correct answer on `attempt_number` (1-based)."""
    if attempt_number < 1:
        raise ValueError("attempt_number starts at 1")
    base = POINTS_BY_ATTEMPT[min(attempt_number, len(POINTS_BY_ATTEMPT)) - 1]
    if used_hint:
        base -= HINT_COST
    if rules.speed_bonus:
        base += round(SPEED_BONUS_MAX * min(max(time_left_fraction, 0.0), 1.0))
    return max(base, MIN_POINTS_FOR_CORRECT)


def day_streak(active_days: Iterable[date], today: date) -> int:
    """Consecutive days with activity, ending today (or yesterday: today may still come)."""
    days = set(active_days)
    day = today if today in days else today - timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak
