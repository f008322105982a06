"""Daily streaks: how many daily problems in a row a member solved.

A streak runs over the days that had a daily problem, so a day without one (the schedule
off, the bot down all day) neither counts nor breaks it. The latest problem, while it is
still open, may still be solved: until then the streak is the run up to the one before,
unless the member can no longer solve it (out of attempts).

What a streak is follows from three runs of solved days (`Runs`), which storage counts
in SQL over a whole server at once; `runs_of` counts them here, from the days themselves.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

Day = TypeVar("Day", bound=Hashable)  # a date, or a day's number


@dataclass(frozen=True)
class Streak:
    """A member's daily streak: the run going on, the longest ever, and whether the run
    already counts the problem still open."""

    current: int = 0
    best: int = 0
    solved_open: bool = False


@dataclass(frozen=True)
class Runs:
    """A member's runs of consecutive daily problems solved: the longest, the one ending on
    the latest day (0: not solved), and the one ending on the day before it."""

    best: int = 0
    to_latest: int = 0
    to_previous: int = 0


def streak_from(runs: Runs, *, last_open: bool, missed: bool = False) -> Streak:
    """The streak these runs make. `last_open`: the latest problem is not revealed yet;
    `missed`: the member can no longer solve it (so it is missed already)."""
    if runs.to_latest:
        return Streak(runs.to_latest, runs.best, solved_open=last_open)
    if last_open and not missed:
        return Streak(runs.to_previous, runs.best)  # today's may still come
    return Streak(0, runs.best)


def runs_of(days: Sequence[Day], solved: Collection[Day]) -> Runs:
    """The runs over `days` (every day with a daily problem, oldest first) of the days
    whose problem was solved."""
    run = best = previous = 0
    for index, day in enumerate(days):
        if index == len(days) - 1:
            previous = run
        run = run + 1 if day in solved else 0
        best = max(best, run)
    return Runs(best, run, previous)


def streak_of(days: Sequence[Day], solved: Collection[Day], *, last_open: bool) -> Streak:
    """One member's streak over `days`, given the days whose problem they solved."""
    return streak_from(runs_of(days, solved), last_open=last_open)


def streaks(
    days: Sequence[Day],
    solves: Iterable[tuple[Day, int]],
    *,
    last_open: bool,
    missed: Collection[int] = (),
) -> dict[int, Streak]:
    """Every member's streak, from (day, member) pairs of the problems they solved;
    `missed`: the members out of attempts on the open problem."""
    solved: dict[int, set[Day]] = {}
    for day, user_id in solves:
        solved.setdefault(user_id, set()).add(day)
    return {
        user_id: streak_from(
            runs_of(days, their_days), last_open=last_open, missed=user_id in missed
        )
        for user_id, their_days in solved.items()
    }


def best_streaks(all_streaks: dict[int, Streak], limit: int = 5) -> list[tuple[int, Streak]]:
    """The longest runs going on (then the longest ever), longest first; none of 0."""
    going = [(user, streak) for user, streak in all_streaks.items() if streak.current > 0]
    going.sort(key=lambda entry: (-entry[1].current, -entry[1].best, entry[0]))
    return going[:limit]
