"""Tests for bot.features.rewards.render: the words of role rewards, on plain records."""

from __future__ import annotations

from bot.engine.rewards import RewardKind, RewardRule
from bot.features.rewards.render import (
    MESSAGE,
    Given,
    announcement,
    list_embed,
    removed_text,
    rule_text,
    set_text,
    trouble_text,
)
from bot.storage import RoleReward
from tests.engine.conftest import make_pack

PACKS = {"tiny": make_pack()}  # badge 🏅 Tiny Master
POINTS = RewardRule(RewardKind.POINTS, threshold=1500)
STREAK = RewardRule(RewardKind.STREAK, threshold=7)
BADGE = RewardRule(RewardKind.BADGE, pack_id="tiny")
GONE = RewardRule(RewardKind.BADGE, pack_id="retired")


def reward(role_id: int, rule: RewardRule, *, trouble: float | None = None) -> RoleReward:
    """A reward of guild 1 set by user 9."""
    return RoleReward(1, role_id, rule, set_by=9, set_at=0.0, trouble_told_at=trouble)


def test_each_rule_reads_as_what_earns_it() -> None:
    """Points with separators, streaks in days, badges by emoji and name (or id if gone)."""
    assert rule_text(POINTS, PACKS) == "1,500 points on this server (all time)"
    assert rule_text(STREAK, PACKS) == "a 7-day streak (days in a row with an answer)"
    assert rule_text(BADGE, PACKS) == "the 🏅 **Tiny Master** badge (`tiny`)"
    assert rule_text(GONE, PACKS) == "the `retired` badge (`retired`)"


def test_the_announcement_names_members_and_roles_as_mentions() -> None:
    """One line per role given; mentions render as names (the bot pings nobody)."""
    text = announcement([Given(5, 50, POINTS), Given(6, 60, BADGE)], PACKS)
    assert text.splitlines() == [
        "🎖️ **Role rewards**",
        "<@5> now has <@&50>: reached 1,500 points on this server.",
        "<@6> now has <@&60>: earned the 🏅 **Tiny Master** badge.",
    ]


def test_a_crowd_of_rewards_fits_one_message() -> None:
    """Hundreds of roles given at once are cut to Discord's 2,000 characters, counted."""
    text = announcement([Given(10**17 + n, 10**17, STREAK) for n in range(300)], PACKS)
    assert len(text) <= MESSAGE
    assert text.endswith("more")


def test_set_and_removed_say_what_changed() -> None:
    """A replaced rule is named; removing says members keep the role."""
    replaced = set_text(50, STREAK, reward(50, POINTS), PACKS)
    assert replaced.startswith("🎖️ <@&50> is now given for a 7-day streak")
    assert "(Before: 1,500 points on this server (all time).)" in replaced
    assert "Before" not in set_text(50, STREAK, reward(50, STREAK), PACKS)
    assert "next answer" in set_text(50, BADGE, None, PACKS)
    assert removed_text(50, reward(50, BADGE), PACKS) == (
        "<@&50> is no longer given for the 🏅 **Tiny Master** badge (`tiny`). "
        "Members who have it keep it."
    )


def test_the_list_shows_counts_and_trouble() -> None:
    """Each reward with how many got it; one that failed is marked; none at all is said."""
    embed = list_embed(
        [reward(50, BADGE), reward(60, POINTS, trouble=1.0)], {50: 3}, PACKS, prefix="?"
    )
    assert (embed.description or "").splitlines() == [
        "<@&50>: the 🏅 **Tiny Master** badge (`tiny`) · given to 3",
        "<@&60>: 1,500 points on this server (all time) · given to 0 · ⚠️ the last grant failed",
    ]
    assert "`?admin reward remove @role`" in (embed.fields[0].value or "")
    assert list_embed([], {}, PACKS, prefix="!").description == "No role is given as a reward yet."


def test_trouble_names_the_server_and_the_role_safely() -> None:
    """Markdown in names is escaped, so a server name cannot reformat the warning."""
    text = trouble_text("**Sage**", 5, "Study_Group", "I need Manage Roles.")
    assert text.startswith("⚠️ Role rewards on **Study\\_Group**: I could not give **@\\*\\*Sage")
    assert "<@5>. I need Manage Roles. Members keep earning it" in text
