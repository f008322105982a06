"""Tests for the badge rules."""

from __future__ import annotations

from bot.engine.badges import earns_badge
from bot.engine.problems import Badge, BadgeRule


def badge(rule: BadgeRule, threshold: int | None = None) -> Badge:
    return Badge(name="B", emoji="🏅", rule=rule, threshold=threshold)


def test_all_correct_needs_every_problem() -> None:
    """One unsolved problem loses the all-correct badge."""
    rule = badge(BadgeRule.ALL_CORRECT)
    assert earns_badge(rule, {"a": 1, "b": 2}, 2)
    assert not earns_badge(rule, {"a": 1, "b": None}, 2)
    assert not earns_badge(rule, {"a": 1}, 2)


def test_all_first_try_refuses_second_tries() -> None:
    """A second-try solve loses the first-try badge."""
    rule = badge(BadgeRule.ALL_FIRST_TRY)
    assert earns_badge(rule, {"a": 1, "b": 1}, 2)
    assert not earns_badge(rule, {"a": 1, "b": 2}, 2)


def test_min_correct_counts_solves() -> None:
    """The threshold rule counts solved problems, whatever the attempt."""
    rule = badge(BadgeRule.MIN_CORRECT, threshold=2)
    assert earns_badge(rule, {"a": 2, "b": 1, "c": None}, 3)
    assert not earns_badge(rule, {"a": 2, "b": None, "c": None}, 3)
