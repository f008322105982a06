"""Scores from last week and this week, seeded through the real Database for e2e tests.

The bot under test has its clock fixed at NOW, Wednesday 12 March 2025, so "this week"
began on Monday 10 March (UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.storage import Database, SessionStatus
from tests.e2e.fake_discord import World


def at(day: int, hour: int = 10) -> float:
    """A time in March 2025, UTC."""
    return datetime(2025, 3, day, hour, tzinfo=UTC).timestamp()


NOW = at(12, 12)  # Wednesday; the week started Monday 10 March
LAST_WEEK, THIS_WEEK = at(4), at(11)


async def seed_scores(database: Path, world: World) -> None:
    """Last week Bob 100, Alice 50; this week Alice 200 (3 of 4 right overall), Carol 100.

    All time: Alice 250, Bob 100, Carol 100 (Bob reached 100 first). Alice holds the
    Step Counter badge of the basics pack since 11 March.
    """
    alice, bob, carol = world.admin.id, world.member.id, world.closed_dms.id
    async with await Database.open(database) as db:
        await db.upsert_guild(world.guild.id, world.guild.name, joined_at=at(1))
        for user, name in ((alice, "Alice"), (bob, "Bob"), (carol, "Carol")):
            await db.upsert_user(user, name)
        old = await db.create_session(
            world.guild.id, world.general.id, "basics", ["p1"], bob, LAST_WEEK
        )
        await db.record_attempt(old, bob, "p1", "A", True, 1, 100, LAST_WEEK + 10)
        await db.record_attempt(old, alice, "p1", "B", False, 1, 0, LAST_WEEK + 11)
        await db.record_attempt(old, alice, "p1", "A", True, 2, 50, LAST_WEEK + 12)
        await db.end_session(old, SessionStatus.FINISHED, LAST_WEEK + 60)
        new = await db.create_session(
            world.guild.id, world.general.id, "basics", ["p1", "p2", "p3"], alice, THIS_WEEK
        )
        await db.record_attempt(new, alice, "p1", "A", True, 1, 100, THIS_WEEK + 10)
        await db.record_attempt(new, carol, "p1", "A", True, 1, 100, THIS_WEEK + 11)
        await db.record_attempt(new, alice, "p2", "A", True, 1, 100, THIS_WEEK + 20)
        await db.record_attempt(new, alice, "p3", "C", False, 1, 0, THIS_WEEK + 30)
        await db.end_session(new, SessionStatus.FINISHED, THIS_WEEK + 60)
        await db.award_badge(world.guild.id, alice, "Step Counter", "basics", THIS_WEEK + 60)
