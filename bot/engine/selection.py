"""Which problems a challenge plays: `count` of a pack's, the least recently seen first,
ordered from the easiest level up and shuffled within a level."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from bot.engine.problems import Level, Problem
from bot.engine.session import ChallengeError

DEFAULT_COUNT = 5  # a challenge of about ten minutes with the shipped packs
ALL_WORDS = frozenset({"all", "every", "whole"})
_LEVEL_RANK = {level: rank for rank, level in enumerate(Level)}


class BadCount(ChallengeError):
    """The number of problems asked for is not one the bot can play."""


def parse_count(text: str | None) -> int | None:
    """`challenge start`'s count: a whole number of problems, or None for `all`.

    Omitted, it is DEFAULT_COUNT. A count above a pack's size plays the whole pack.
    """
    if text is None or not text.strip():
        return DEFAULT_COUNT
    word = text.strip().lower()
    if word in ALL_WORDS:
        return None
    try:
        count = int(word)
    except ValueError:
        raise BadCount(
            f"`{text.strip()[:20]}` is not a number of problems: "
            f"use a number like {DEFAULT_COUNT}, or `all`."
        ) from None
    if count < 1:
        raise BadCount("A challenge needs at least 1 problem.")
    return count


def choose_problems(
    problems: Sequence[Problem],
    count: int | None,
    rng: random.Random,
    recent: Sequence[Sequence[str]] = (),
) -> list[Problem]:
    """`count` of `problems` (None: all), easiest level first, shuffled within a level.

    `recent` holds the problem ids each recent challenge showed, the latest first. Problems
    none of them showed come first; then those seen longest ago, so a channel playing a
    pack again and again meets all of it before any repeat. Ties are broken by `rng`.
    """
    pool = list(problems)
    rng.shuffle(pool)
    if count is not None and count < len(pool):
        age = seen_ago(recent)
        # Never seen counts as seen infinitely long ago; sort is stable, so ties stay shuffled.
        pool.sort(key=lambda problem: -age.get(problem.id, math.inf))
        pool = pool[:count]
        rng.shuffle(pool)
    pool.sort(key=lambda problem: level_rank(problem.level))
    return pool


def seen_ago(recent: Sequence[Sequence[str]]) -> dict[str, int]:
    """How many games ago each problem was last shown (0 = the latest), from the problem ids
    each game showed, the latest first; a problem never shown has no entry."""
    age: dict[str, int] = {}
    for games_ago, shown in enumerate(recent):
        for problem_id in shown:
            age.setdefault(problem_id, games_ago)
    return age


def level_rank(level: Level) -> int:
    """0 for beginner up to 3 for expert: the order problems are played in."""
    return _LEVEL_RANK[level]
