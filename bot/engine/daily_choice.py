"""Which problem is a server's daily problem: rotate schedulers and kinds, never repeat one
within 60 days, and mix in a generated problem every few days.

A pure function of the server's past daily problems, the day and a random generator the
caller seeds (with the server and the day, so a retry picks the same problem):

1. Problems shown in the last NO_REPEAT_DAYS days are out (if that leaves none, the ones
   shown longest ago come back).
2. A kind shown in the last RECENT_KINDS days waits, when another kind is available.
3. Then the scheduler featured longest ago (or never) as a daily's subject goes first; a
   problem teaching two counts its more recent one.
4. Then the kind used longest ago; ties are broken at random.

Every GENERATED_EVERY-th daily problem is a generated predict-the-output problem, when the
caller can generate some (torch is on) and predict-the-output may come: its scheduler is
the generator's one featured longest ago. The caller makes it and falls back to a shipped
problem if generating fails.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from bot.engine.problems import Kind, Problem

NO_REPEAT_DAYS = 60
RECENT_KINDS = 2  # a kind waits this many days before it comes again (when it can)
GENERATED_EVERY = 4  # every 4th daily problem is generated, when generating is possible

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class ShownDaily:
    """A daily problem a server was shown: its day, its problem and what it taught."""

    day: date
    problem_id: str
    kind: Kind
    subject: tuple[str, ...]
    generated: bool = False


@dataclass(frozen=True)
class DailyChoice:
    """Today's pick: a shipped problem (with its pack), or a scheduler to generate one for."""

    pack_id: str | None = None
    problem: Problem | None = None
    generate: str | None = None  # the scheduler of a generated predict-the-output problem

    def __post_init__(self) -> None:
        if (self.problem is None) == (self.generate is None):
            raise ValueError("a daily choice is a shipped problem or a scheduler to generate")


def choose_daily(
    candidates: Sequence[tuple[str, Problem]],
    history: Sequence[ShownDaily],
    day: date,
    rng: random.Random,
    *,
    generatable: Collection[str] = (),
) -> DailyChoice:
    """The daily problem of `day`, from (pack id, problem) `candidates`, given the server's
    `history` of daily problems (any order; only days before `day` count)."""
    past = sorted((shown for shown in history if shown.day < day), key=lambda s: s.day)
    featured = _last_days((s, shown.day) for shown in past for s in shown.subject)
    kinds = _last_days((shown.kind, shown.day) for shown in past)
    recent_kinds = {shown.kind for shown in past if (day - shown.day).days <= RECENT_KINDS}
    if generatable and _generated_due(past) and Kind.PREDICT_OUTPUT not in recent_kinds:
        names = sorted(generatable)
        rng.shuffle(names)
        return DailyChoice(generate=max(names, key=lambda name: _age(featured, name, day)))
    if not candidates:
        raise ValueError("no problem to choose from")
    pool = _not_shown_lately(candidates, past, day)
    rng.shuffle(pool)  # max() keeps the first of equals: ties go to the shuffle

    def preference(entry: tuple[str, Problem]) -> tuple[bool, float, float]:
        problem = entry[1]
        subject_age = min(_age(featured, name, day) for name in problem.subject)
        return (problem.kind not in recent_kinds, subject_age, _age(kinds, problem.kind, day))

    pack_id, problem = max(pool, key=preference)
    return DailyChoice(pack_id=pack_id, problem=problem)


def _not_shown_lately(
    candidates: Sequence[tuple[str, Problem]], past: Sequence[ShownDaily], day: date
) -> list[tuple[str, Problem]]:
    """The candidates not shown within NO_REPEAT_DAYS, or else those shown longest ago."""
    last_shown = _last_days((shown.problem_id, shown.day) for shown in past)
    fresh = [
        entry
        for entry in candidates
        if _age(last_shown, entry[1].id, day) >= NO_REPEAT_DAYS  # never shown: infinitely old
    ]
    if fresh:
        return fresh
    oldest = max(_age(last_shown, problem.id, day) for _, problem in candidates)
    return [entry for entry in candidates if _age(last_shown, entry[1].id, day) == oldest]


def _generated_due(past: Sequence[ShownDaily]) -> bool:
    """Whether GENERATED_EVERY - 1 shipped problems came since the last generated one (or
    since the first daily: a server starts with a shipped problem)."""
    since = 0
    for shown in reversed(past):
        if shown.generated:
            break
        since += 1
    return since >= GENERATED_EVERY - 1


def _last_days(pairs: Iterable[tuple[K, date]]) -> dict[K, date]:
    """The latest day of each key, from (key, day) pairs."""
    latest: dict[K, date] = {}
    for key, when in pairs:
        if key not in latest or latest[key] < when:
            latest[key] = when
    return latest


def _age(latest: dict[K, date], key: K, day: date) -> float:
    """Days from the key's latest day to `day` (infinite if it never came)."""
    when = latest.get(key)
    return math.inf if when is None else float((day - when).days)
