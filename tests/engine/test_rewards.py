"""Tests for bot.engine.rewards: who has earned which role, and reading a reward as typed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.engine.rewards import (
    MAX_POINTS,
    MAX_STREAK,
    BadRewardRule,
    RewardKind,
    RewardRule,
    Standing,
    due_rewards,
    earns,
    parse_rule,
)

BADGES = {"basics": "Step Counter", "warmup": "Warm Start"}


@dataclass(frozen=True)
class Reward:
    """A role and its rule, as storage would give them."""

    role_id: int
    rule: RewardRule


def standing(points: int = 0, streak: int = 0, *badges: str) -> Standing:
    """A member's standing with these points, streak and badges."""
    return Standing(points=points, streak=streak, badges=frozenset(badges))


POINTS_500 = Reward(1, RewardRule(RewardKind.POINTS, threshold=500))
STREAK_7 = Reward(2, RewardRule(RewardKind.STREAK, threshold=7))
BASICS = Reward(3, RewardRule(RewardKind.BADGE, pack_id="basics"))
ALL = [POINTS_500, STREAK_7, BASICS]


@pytest.mark.parametrize(
    ("member", "earned"),
    [
        (standing(499, 6), []),
        (standing(500, 6), [POINTS_500]),  # reaching the threshold is enough
        (standing(499, 7), [STREAK_7]),
        (standing(0, 0, "warmup"), []),  # another pack's badge
        (standing(0, 0, "basics"), [BASICS]),
        (standing(10_000, 30, "basics", "warmup"), ALL),
    ],
)
def test_each_condition_is_met_at_its_threshold(member: Standing, earned: list[Reward]) -> None:
    """Points and streaks count from their threshold on; a badge reward needs its own badge."""
    assert due_rewards(ALL, member, given=set()) == earned


def test_a_role_given_once_is_never_due_again() -> None:
    """Roles already given (or on their way) are left out, even when still earned."""
    member = standing(10_000, 30, "basics")

    assert due_rewards(ALL, member, given={POINTS_500.role_id, BASICS.role_id}) == [STREAK_7]
    assert due_rewards(ALL, member, given={1, 2, 3}) == []


def test_a_streak_that_broke_keeps_nothing_owed() -> None:
    """A streak below the threshold earns nothing now, whatever it was before."""
    assert not earns(STREAK_7.rule, standing(0, 3))
    assert earns(STREAK_7.rule, standing(0, 8))


@pytest.mark.parametrize(
    ("kind", "value", "rule"),
    [
        ("badge", "basics", RewardRule(RewardKind.BADGE, pack_id="basics")),
        ("Badge", " BASICS ", RewardRule(RewardKind.BADGE, pack_id="basics")),
        ("points", "500", RewardRule(RewardKind.POINTS, threshold=500)),
        ("points", "1,000", RewardRule(RewardKind.POINTS, threshold=1000)),
        ("streak", "7", RewardRule(RewardKind.STREAK, threshold=7)),
        ("points", str(MAX_POINTS), RewardRule(RewardKind.POINTS, threshold=MAX_POINTS)),
    ],
)
def test_rules_are_read_as_organisers_type_them(kind: str, value: str, rule: RewardRule) -> None:
    """Any case and spacing; thousands separators in points."""
    assert parse_rule(kind, value, BADGES) == rule


@pytest.mark.parametrize(
    ("kind", "value", "says"),
    [
        ("level", "3", "`level` is not a kind of reward"),
        ("badge", "nope", "There is no badge `nope`. The badges are: `basics` (Step Counter)"),
        ("points", "0", "whole number from 1 to 10,000,000"),
        ("points", "-5", "not `-5`"),
        ("points", "2.5", "e.g. `points 100`"),
        ("streak", str(MAX_STREAK + 1), "from 1 to 3,650 (days in a row)"),
        ("streak", "a week", "e.g. `streak 7`"),
        ("points", "9" * 5000, "whole number"),
    ],
)
def test_a_rule_that_cannot_be_is_refused_with_the_reason(kind: str, value: str, says: str) -> None:
    """Unknown kinds and badges name what exists; bad numbers give the range and an example."""
    with pytest.raises(BadRewardRule) as refused:
        parse_rule(kind, value, BADGES)
    assert says in str(refused.value)
    assert len(str(refused.value)) < 200  # what was typed is repeated only in part


def test_a_rule_is_either_a_badge_or_a_threshold() -> None:
    """A badge rule without a pack, or a points rule without a threshold, cannot be built."""
    with pytest.raises(ValueError, match="names a pack"):
        RewardRule(RewardKind.BADGE)
    with pytest.raises(ValueError, match="threshold"):
        RewardRule(RewardKind.POINTS)
    with pytest.raises(ValueError, match="names a pack"):
        RewardRule(RewardKind.STREAK, pack_id="basics", threshold=3)
