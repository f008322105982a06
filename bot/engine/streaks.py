"""Daily streaks: how many daily problems in a row a member solved.

A streak runs over the days that had a daily problem, so a day without one (the schedule
off, the bot down all day) neither counts nor breaks it. The latest problem, while it is
still open, may still be solved: until then the streak is the run up to the one before.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Streak:
    """A member's daily streak: the run going on, the longest ever, and whether the run
    already counts the problem still open."""

    current: int = 0
    best: int = 0
    solved_open: bool = False


NO_STREAK = Streak()


def streak_of(days: Sequence[date], solved: Collection[date], *, last_open: bool) -> Streak:
    """One member's streak over `days` (every day with a daily problem, oldest first),
    given the days whose problem they solved; `last_open`: the latest is not revealed yet."""
    run = best = 0
    for index, day in enumerate(days):
        if day in solved:
            run += 1
            best = max(best, run)
        elif not (last_open and index == len(days) - 1):
            run = 0  # missed; a problem still open has not been missed yet
    return Streak(run, best, bool(days) and last_open and days[-1] in solved)


def streaks(
    days: Sequence[date],
    solves: Iterable[tuple[date, int]],
    *,
    last_open: bool,
    missed: Collection[int] = (),
) -> dict[int, Streak]:
    """Every member's streak, from (day, member) pairs of the problems they solved.

    `missed`: members who can no longer solve the open problem (out of attempts): for them
    it is missed already.
    """
    solved: dict[int, set[date]] = {}
    for day, user_id in solves:
        solved.setdefault(user_id, set()).add(day)
    return {
        user_id: streak_of(days, their_days, last_open=last_open and user_id not in missed)
        for user_id, their_days in solved.items()
    }


def best_streaks(all_streaks: dict[int, Streak], limit: int = 5) -> list[tuple[int, Streak]]:
    """The longest runs going on (then the longest ever), longest first; none of 0."""
    going = [(user, streak) for user, streak in all_streaks.items() if streak.current > 0]
    going.sort(key=lambda entry: (-entry[1].current, -entry[1].best, entry[0]))
    return going[:limit]
