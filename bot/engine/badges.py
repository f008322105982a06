"""Badge rules as data, and the check that decides who earns a pack's badge."""

from __future__ import annotations

from collections.abc import Mapping

from bot.engine.problems import Badge, BadgeRule


def earns_badge(badge: Badge, solved_on: Mapping[str, int | None], problem_count: int) -> bool:
    """Whether a player earns `badge`.

    `solved_on` maps each problem id the player met to the attempt number that solved it
    (1 = first try), or None if they never solved it. Problems they never touched count
    as unsolved, so the badge needs the whole set played.
    """
    solved = [n for n in solved_on.values() if n is not None]
    match badge.rule:
        case BadgeRule.ALL_CORRECT:
            return len(solved) == problem_count
        case BadgeRule.ALL_FIRST_TRY:
            return len(solved) == problem_count and all(n == 1 for n in solved)
        case BadgeRule.MIN_CORRECT:
            assert badge.threshold is not None  # guaranteed by Badge's validator
            return len(solved) >= badge.threshold
