"""Spaced review of missed problems: the steps, where a problem moves, and what is due.

A problem a player gets wrong anywhere enters their queue at step 0, due one interval
after the miss. Answered right in review it moves one step on (due one longer interval
from then); answered wrong it goes back to step 0. Right at the last step it graduates:
it leaves the queue (the record stays, so a later miss brings it back at step 0) rather
than coming back every last interval for ever; a player who wants more sees it again by
missing it.

Only the first attempt at a problem in a review decides where it moves: a wrong first
pick sends it back to step 0, and a right second pick must not then move it on as if it
had been known.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

# The default of ANNEAL_REVIEW_STEPS: soon after the miss, then ever longer gaps.
DEFAULT_STEPS_TEXT = "10m,1d,3d,7d,14d,30d"
MAX_STEPS = 20
MAX_INTERVAL = 365 * 86_400.0  # a year: longer is a typo (e.g. 30 read as days of seconds)
_UNIT_SECONDS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3_600.0, "d": 86_400.0}
_STEP = re.compile(r"^\s*(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>[smhd]?)\s*$", re.IGNORECASE)


class ReviewStepsError(ValueError):
    """Review steps that cannot be used; the message says what is wrong and how to write them."""


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a problem stands after a miss or a review: its step and when it is due next."""

    step: int
    due_at: float | None  # None once graduated

    @property
    def graduated(self) -> bool:
        """Whether the problem has left the queue (right at the last step)."""
        return self.due_at is None


@dataclass(frozen=True, slots=True)
class ReviewSteps:
    """The intervals (seconds) between reviews: step 0 follows a miss, each right answer
    moves one step on."""

    intervals: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.intervals:
            raise ReviewStepsError("give at least one review step, e.g. 10m,1d,3d")
        if len(self.intervals) > MAX_STEPS:
            raise ReviewStepsError(f"give at most {MAX_STEPS} review steps")
        for interval in self.intervals:
            if not (math.isfinite(interval) and 0 < interval <= MAX_INTERVAL):
                raise ReviewStepsError(
                    f"each review step must be longer than 0 and at most 365d, not {interval:g} s"
                )

    @classmethod
    def parse(cls, text: str) -> ReviewSteps:
        """Steps from text such as `10m,1d,3d` (units s, m, h, d; a bare number is seconds)."""
        if not text.strip():
            return cls(())  # refused with the message for no steps
        intervals = []
        for item in text.split(","):
            match = _STEP.match(item)
            if match is None:
                what = f"{item.strip()!r} is not a duration" if item.strip() else "a step is empty"
                raise ReviewStepsError(f"{what}: write steps like 10m,1d,3d (units s, m, h, d)")
            intervals.append(float(match["amount"]) * _UNIT_SECONDS[match["unit"].lower()])
        return cls(tuple(intervals))

    def __str__(self) -> str:
        return ",".join(format_interval(interval) for interval in self.intervals)

    @property
    def last_step(self) -> int:
        """The number of the last step; right there, a problem graduates."""
        return len(self.intervals) - 1

    def after_miss(self, missed_at: float) -> Placement:
        """A wrong answer, anywhere: step 0, due one first interval after the miss."""
        return Placement(0, missed_at + self.intervals[0])

    def after_review(self, step: int, correct: bool, answered_at: float) -> Placement:
        """A review's first attempt: right moves one step on (graduating past the last),
        wrong goes back to step 0."""
        if not correct:
            return self.after_miss(answered_at)
        if step >= self.last_step:
            return Placement(self.last_step, None)
        following = step + 1
        return Placement(following, answered_at + self.intervals[following])


DEFAULT_STEPS = ReviewSteps.parse(DEFAULT_STEPS_TEXT)


def format_interval(seconds: float) -> str:
    """An interval in the largest unit that divides it, e.g. 600 → `10m`, 86400 → `1d`."""
    for unit in ("d", "h", "m"):
        amount = seconds / _UNIT_SECONDS[unit]
        if amount >= 1 and amount == int(amount):
            return f"{int(amount)}{unit}"
    # Fixed notation: an exponent ("1e+06s") would not parse back.
    return format(seconds, "f").rstrip("0").rstrip(".") + "s"


@dataclass(frozen=True, slots=True)
class ReviewEntry:
    """One problem in a player's review queue, as storage keeps it."""

    user_id: int
    problem_id: str
    pack_id: str  # the pack it was missed in, to find a shipped problem again
    problem_json: str | None  # the problem itself, for a generated one (in no pack)
    step: int
    due_at: float | None  # None once graduated
    entered_at: float  # when it last entered the queue (a miss while not queued)
    moved_at: float  # when it last moved (a miss or a review)
    misses: int  # every wrong answer it had, reviews included
    reviews: int  # reviews answered (right or wrong)
    last_correct: bool = False  # whether its last move was a right review (else a miss)

    @property
    def queued(self) -> bool:
        """Whether it is still in the queue (not graduated)."""
        return self.due_at is not None

    def is_due(self, now: float) -> bool:
        """Whether it is queued and its time has come."""
        return self.due_at is not None and self.due_at <= now


@dataclass(frozen=True, slots=True)
class ReviewQueue:
    """A player's review queue at a moment: what is due now, what comes next, how many wait."""

    entries: tuple[ReviewEntry, ...]
    now: float

    @classmethod
    def of(cls, entries: Iterable[ReviewEntry], now: float) -> ReviewQueue:
        """The queue of these entries (graduated ones are left out) at `now`."""
        return cls(tuple(entry for entry in entries if entry.queued), now)

    @property
    def due(self) -> tuple[ReviewEntry, ...]:
        """The entries due now, longest overdue first (ties by problem id, so it is stable)."""
        ready = [entry for entry in self.entries if entry.is_due(self.now)]
        return tuple(sorted(ready, key=_due_order))

    @property
    def next_due_at(self) -> float | None:
        """When the next entry that is not due yet will be, or None if none waits."""
        later = [e.due_at for e in self.entries if e.due_at is not None and e.due_at > self.now]
        return min(later, default=None)

    @property
    def queued(self) -> int:
        """How many problems are in the queue, due or not."""
        return len(self.entries)


def _due_order(entry: ReviewEntry) -> tuple[float, str]:
    assert entry.due_at is not None  # only queued entries are ordered
    return entry.due_at, entry.problem_id
