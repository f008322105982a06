"""Points for a correct answer (a challenge's, a race's), and day streaks."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

# A first-try answer is worth the most; each further attempt halves it.
POINTS_BY_ATTEMPT: tuple[int, ...] = (100, 50, 25, 10)
HINT_COST = 30
MIN_POINTS_FOR_CORRECT = 10  # a correct answer is never worth nothing
SPEED_BONUS_MAX = 20

# A race: a correct answer is worth RACE_TOP at once and half of it at the time limit;
# each further correct answer in a row adds RACE_STREAK_STEP more, up to RACE_STREAK_CAP.
RACE_TOP = 1000
RACE_STREAK_STEP = 100
RACE_STREAK_CAP = 500


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


def race_points(seconds_taken: float, time_limit: float) -> int:
    """A correct race answer given `seconds_taken` after the problem opened:
    round(1000 * (1 - t / (2T))), so 1000 at once and 500 at the time limit T.

    t is held within [0, T] (an answer is judged only until T); halves round up.
    """
    if not time_limit > 0:
        raise ValueError("a race problem needs a positive time limit")
    taken = min(max(seconds_taken, 0.0), time_limit)
    # 1000 - 500·t/T is the same number as 1000·(1 - t/2T), with less rounding error.
    return math.floor(RACE_TOP - (RACE_TOP / 2) * taken / time_limit + 0.5)


def streak_bonus(in_a_row: int) -> int:
    """The bonus for a race's `in_a_row`-th correct answer in a row: none for the first,
    +100 for the 2nd, +200 for the 3rd, ..., never more than +500 (the 6th and later)."""
    if in_a_row < 1:
        raise ValueError("in_a_row counts the answer being scored, so it starts at 1")
    return min(RACE_STREAK_STEP * (in_a_row - 1), RACE_STREAK_CAP)


def day_streak(active_days: Iterable[date], today: date) -> int:
    """Consecutive days with activity, ending today (or yesterday: today may still come)."""
    days = set(active_days)
    day = today if today in days else today - timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak
