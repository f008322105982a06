"""Tests for bot.storage._rewards: role rewards and the claims of their grants."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.engine.rewards import RewardKind, RewardRule
from bot.storage import Database
from tests.storage.seeding import ADA, BOB, GUILD, OTHER_GUILD, T0, seed

MENTOR, SAGE, STEPPER = 501, 502, 503
POINTS_500 = RewardRule(RewardKind.POINTS, threshold=500)
STREAK_7 = RewardRule(RewardKind.STREAK, threshold=7)
BASICS = RewardRule(RewardKind.BADGE, pack_id="basics")


async def test_rewards_are_set_replaced_listed_and_removed(seeded: Database) -> None:
    """Setting a role again replaces its rule (the old one is returned); removing returns it."""
    db = seeded
    assert await db.set_role_reward(GUILD, SAGE, POINTS_500, set_by=ADA, at=T0) is None
    await db.set_role_reward(GUILD, MENTOR, STREAK_7, set_by=ADA, at=T0)
    await db.set_role_reward(GUILD, STEPPER, BASICS, set_by=ADA, at=T0)
    await db.set_role_reward(OTHER_GUILD, SAGE, BASICS, set_by=BOB, at=T0)

    replaced = await db.set_role_reward(GUILD, SAGE, STREAK_7, set_by=BOB, at=T0 + 1)

    assert replaced is not None
    assert replaced.rule == POINTS_500
    assert replaced.set_by == ADA
    rewards = await db.role_rewards(GUILD)
    assert [(r.role_id, r.rule) for r in rewards] == [
        (STEPPER, BASICS),  # badges first
        (MENTOR, STREAK_7),  # then points and streaks, lowest threshold, then role id
        (SAGE, STREAK_7),
    ]
    assert rewards[2].set_by == BOB
    assert rewards[2].set_at == T0 + 1
    removed = await db.remove_role_reward(GUILD, MENTOR)
    assert removed is not None
    assert removed.rule == STREAK_7
    assert await db.remove_role_reward(GUILD, MENTOR) is None
    assert [r.role_id for r in await db.role_rewards(GUILD)] == [STEPPER, SAGE]
    assert [r.role_id for r in await db.role_rewards(OTHER_GUILD)] == [SAGE]


async def test_a_grant_is_claimed_once_and_counted_once_granted(seeded: Database) -> None:
    """The first claim wins; the role counts as given while on its way and once granted."""
    db = seeded
    assert await db.claim_role_grant(GUILD, SAGE, BOB, at=T0)
    assert not await db.claim_role_grant(GUILD, SAGE, BOB, at=T0 + 1)
    assert await db.roles_given(GUILD, BOB, now=T0 + 1) == {SAGE}
    assert await db.grant_counts(GUILD) == {}

    await db.finish_role_grant(GUILD, SAGE, BOB, at=T0 + 2)

    assert await db.grant_counts(GUILD) == {SAGE: 1}
    assert not await db.claim_role_grant(GUILD, SAGE, BOB, at=T0 + 10_000)  # never again
    assert await db.roles_given(GUILD, BOB, now=T0 + 10_000) == {SAGE}
    assert await db.roles_given(GUILD, ADA, now=T0) == set()
    assert await db.roles_given(OTHER_GUILD, BOB, now=T0) == set()


async def test_a_failed_or_abandoned_claim_can_be_claimed_again(seeded: Database) -> None:
    """A refused grant frees its claim at once; a claim nobody answered frees it when stale."""
    db = seeded
    assert await db.claim_role_grant(GUILD, SAGE, BOB, at=T0)
    await db.fail_role_grant(GUILD, SAGE, BOB, "403 Missing Permissions")
    assert await db.roles_given(GUILD, BOB, now=T0) == set()
    assert await db.claim_role_grant(GUILD, SAGE, BOB, at=T0 + 1)

    assert await db.claim_role_grant(GUILD, MENTOR, BOB, at=T0)  # its process then died
    assert not await db.claim_role_grant(GUILD, MENTOR, BOB, at=T0 + 30, stale_after=60)
    assert MENTOR not in await db.roles_given(GUILD, BOB, now=T0 + 61, stale_after=60)
    assert await db.claim_role_grant(GUILD, MENTOR, BOB, at=T0 + 61, stale_after=60)


async def test_trouble_is_told_once_until_a_grant_works_again(seeded: Database) -> None:
    """note_reward_trouble is True once; a granted role clears it, and setting anew too."""
    db = seeded
    await db.set_role_reward(GUILD, SAGE, POINTS_500, set_by=ADA, at=T0)

    assert await db.note_reward_trouble(GUILD, SAGE, at=T0 + 1)
    assert not await db.note_reward_trouble(GUILD, SAGE, at=T0 + 2)
    [reward] = await db.role_rewards(GUILD)
    assert reward.trouble_told_at == T0 + 1

    await db.claim_role_grant(GUILD, SAGE, BOB, at=T0 + 3)
    await db.finish_role_grant(GUILD, SAGE, BOB, at=T0 + 4)
    assert await db.note_reward_trouble(GUILD, SAGE, at=T0 + 5)
    await db.set_role_reward(GUILD, SAGE, POINTS_500, set_by=ADA, at=T0 + 6)
    assert await db.note_reward_trouble(GUILD, SAGE, at=T0 + 7)
    assert not await db.note_reward_trouble(GUILD, MENTOR, at=T0 + 8)  # no such reward


async def test_two_processes_claiming_one_grant_get_it_once(db_path: Path) -> None:
    """Two Database objects on one file (two bot processes) race for a grant: one wins."""
    async with await Database.open(db_path) as first, await Database.open(db_path) as second:
        await seed(first)
        claims = await asyncio.gather(
            *(
                db.claim_role_grant(GUILD, SAGE, BOB, at=T0 + n)
                for n, db in enumerate([first, second] * 5)
            )
        )

    assert sorted(claims) == [False] * 9 + [True]
