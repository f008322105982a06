"""Role rewards as rules: what a member must reach for a role, and who has earned which.

Plain Python: the standing comes from storage (all-time points on the server's board,
the day streak, the badges held), the roles already given from the grants kept beside
it. A reward is earned once its condition holds; it is given once, and never taken back.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar

MAX_POINTS = 10_000_000  # far beyond any server's all-time board
MAX_STREAK = 3_650  # ten years of days in a row
ECHOED = 30  # characters of what was typed that a refusal repeats


class RewardKind(StrEnum):
    """What a role rewards: a pack's badge, a points total, or a day streak."""

    BADGE = "badge"
    POINTS = "points"
    STREAK = "streak"


class BadRewardRule(ValueError):
    """A reward that cannot be set as written; the message says why, fit to show."""


@dataclass(frozen=True, slots=True)
class RewardRule:
    """The condition for a role: holding the badge of pack `pack_id`, or reaching `threshold`
    points (all time, on this server) or days in a row."""

    kind: RewardKind
    pack_id: str | None = None
    threshold: int | None = None

    def __post_init__(self) -> None:
        if (self.kind is RewardKind.BADGE) != (self.pack_id is not None):
            raise ValueError("a badge reward names a pack, and only a badge reward does")
        if (self.kind is RewardKind.BADGE) != (self.threshold is None):
            raise ValueError("points and streak rewards have a threshold, badge rewards none")


@dataclass(frozen=True, slots=True)
class Standing:
    """What a member has reached on one server."""

    points: int  # all time, as the server's all-time board counts them
    streak: int  # days in a row with an answer, as `profile` shows it
    badges: frozenset[str]  # the ids of the packs whose badge they hold


def earns(rule: RewardRule, standing: Standing) -> bool:
    """Whether `standing` meets the rule's condition."""
    match rule.kind:
        case RewardKind.BADGE:
            return rule.pack_id in standing.badges
        case RewardKind.POINTS:
            assert rule.threshold is not None  # guaranteed by RewardRule
            return standing.points >= rule.threshold
        case RewardKind.STREAK:
            assert rule.threshold is not None
            return standing.streak >= rule.threshold


class Reward(Protocol):
    """Anything that ties a role to a rule (storage's record of a reward, say)."""

    @property
    def role_id(self) -> int:
        """The role given."""
        ...

    @property
    def rule(self) -> RewardRule:
        """What earns it."""
        ...


R = TypeVar("R", bound=Reward)


def due_rewards(rewards: Iterable[R], standing: Standing, given: Collection[int]) -> list[R]:
    """The rewards a member has earned whose role they were not given yet, in the given order.

    `given` holds the roles already given to the member (or being given right now). A
    role given once is not given again, even if it was taken from them since: an
    organiser who removed it by hand meant it.
    """
    return [r for r in rewards if r.role_id not in given and earns(r.rule, standing)]


def parse_rule(kind: str, value: str, badges: Mapping[str, str]) -> RewardRule:
    """The rule an organiser typed: `badge <badge-id>`, `points <N>` or `streak <N>`.

    `badges` maps each badge id (its pack's id) to its name. Raises BadRewardRule.
    """
    try:
        wanted = RewardKind(kind.strip().lower())
    except ValueError:
        raise BadRewardRule(
            f"`{kind[:ECHOED]}` is not a kind of reward: say `badge <badge-id>`, `points <N>` or "
            "`streak <N>`."
        ) from None
    text = value.strip()
    shown = text if len(text) <= ECHOED else text[: ECHOED - 1] + "…"  # replies stay short
    if wanted is RewardKind.BADGE:
        pack_id = text.lower()
        if pack_id not in badges:
            known = ", ".join(f"`{pack}` ({name})" for pack, name in sorted(badges.items()))
            raise BadRewardRule(f"There is no badge `{shown}`. The badges are: {known}.")
        return RewardRule(wanted, pack_id=pack_id)
    most = MAX_POINTS if wanted is RewardKind.POINTS else MAX_STREAK
    unit = "points" if wanted is RewardKind.POINTS else "days in a row"
    try:
        threshold = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        threshold = 0
    if not 1 <= threshold <= most:
        raise BadRewardRule(
            f"A {wanted} reward needs a whole number from 1 to {most:,} ({unit}), "
            f"not `{shown}`: e.g. `{wanted} {100 if wanted is RewardKind.POINTS else 7}`."
        )
    return RewardRule(wanted, threshold=threshold)
