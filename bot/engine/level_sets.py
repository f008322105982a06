"""A player's next set of problems chosen across every pack by level: a short beginner set
first, then the lowest level that still has problems they have not seen.

What `anneal play` deals a newcomer instead of one whole pack: a beginner set (mostly
beginner problems, then intermediate ones, the easiest first); once they have finished
one, problems of the next level they have not met, and so on up to expert.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.engine.problems import Level, Problem
from bot.engine.selection import DEFAULT_COUNT, level_rank, seen_ago

# The share of a beginner set that is intermediate: 2 of 5, so it ends a notch harder.
_INTERMEDIATE_SHARE = 2 / 5


@dataclass(frozen=True)
class LevelSet:
    """The problems of a set, easiest first, and the level the set is made for."""

    level: Level  # BEGINNER for the beginner set
    problems: tuple[Problem, ...]
    unseen: int  # how many of them the player has never been shown

    @property
    def levels(self) -> dict[Level, int]:
        """How many problems of each level, easiest first (only the levels it has)."""
        counts: dict[Level, int] = {}
        for problem in self.problems:
            counts[problem.level] = counts.get(problem.level, 0) + 1
        return counts


def next_level_set(
    problems: Iterable[Problem],
    recent: Sequence[Sequence[str]],
    *,
    finished_beginner_set: bool,
    rng: random.Random,
    count: int = DEFAULT_COUNT,
) -> LevelSet:
    """The player's next set of `count` problems.

    `recent` holds the problem ids each of the player's games showed, the latest first.
    Until they have finished a beginner set, it is one: beginner problems, then
    intermediate ones. After that: the lowest level from intermediate up that has a
    problem they have not seen, filled up with unseen problems of the levels above and
    then with those seen longest ago. Within a level it prefers problems they have not
    seen and schedulers not already in the set; the set is played easiest first.
    """
    if count < 1:
        raise ValueError("a set needs at least 1 problem")
    pool = list(problems)
    if not pool:
        raise ValueError("there are no problems to choose from")
    ages = seen_ago(recent)
    picker = _Picker(ages, rng)
    if not finished_beginner_set:
        level = Level.BEGINNER
        beginners = count - int(count * _INTERMEDIATE_SHARE)
        picker.take(_at(pool, Level.BEGINNER), beginners)
        picker.take(_at(pool, Level.INTERMEDIATE), count - len(picker.chosen))
        # Content with too few of either level: fill up from the other levels, easiest first.
        picker.take(pool, count - len(picker.chosen))
    else:
        climbing = [lv for lv in Level if level_rank(lv) >= level_rank(Level.INTERMEDIATE)]
        level = next(
            (lv for lv in climbing if any(p.id not in ages for p in _at(pool, lv))),
            Level.INTERMEDIATE,
        )
        higher = [p for p in pool if level_rank(p.level) >= level_rank(level)]
        picker.take(higher or pool, count)
    chosen = sorted(picker.chosen, key=lambda p: level_rank(p.level))  # stable: keeps the picks
    return LevelSet(level, tuple(chosen), sum(1 for p in chosen if p.id not in ages))


def _at(pool: Sequence[Problem], level: Level) -> list[Problem]:
    return [p for p in pool if p.level is level]


class _Picker:
    """Takes problems into one set: unseen first (new schedulers before repeats), lower
    levels before higher ones, then the ones seen longest ago."""

    def __init__(self, ages: dict[str, int], rng: random.Random) -> None:
        self.ages = ages
        self.rng = rng
        self.chosen: list[Problem] = []

    def take(self, candidates: Sequence[Problem], wanted: int) -> None:
        """Add up to `wanted` of `candidates` not chosen yet."""
        if wanted <= 0:
            return
        ids = {p.id for p in self.chosen}
        pool = [p for p in candidates if p.id not in ids]
        self.rng.shuffle(pool)  # ties are broken by the seed; the sorts below are stable
        unseen = sorted(
            (p for p in pool if p.id not in self.ages), key=lambda p: level_rank(p.level)
        )
        seen = sorted((p for p in pool if p.id in self.ages), key=lambda p: -self.ages[p.id])
        lowest = unseen[0].level if unseen else None
        subjects = {name for p in self.chosen for name in p.subject}
        fresh_subjects = []
        for problem in unseen:
            if problem.level is lowest and not subjects.intersection(problem.subject):
                fresh_subjects.append(problem)
                subjects.update(problem.subject)
        for problem in [*fresh_subjects, *unseen, *seen]:
            if wanted <= 0:
                return
            if problem.id not in ids:
                self.chosen.append(problem)
                ids.add(problem.id)
                wanted -= 1
