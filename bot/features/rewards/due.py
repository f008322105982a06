"""Which of a server's rewards a member is due, from storage: plain, no Discord."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from bot.engine.rewards import Standing, due_rewards
from bot.storage import Database, RoleReward


async def standing_of(db: Database, guild_id: int, user_id: int, now: float) -> Standing:
    """The member's all-time points, day streak (UTC days up to `now`) and badges held."""
    profile = await db.profile(guild_id, user_id, datetime.fromtimestamp(now, UTC).date())
    return Standing(
        points=profile.points,
        streak=profile.streak,
        badges=frozenset(b.pack_id for b in profile.badges if b.pack_id is not None),
    )


async def rewards_due(
    db: Database, guild_id: int, user_id: int, rewards: Sequence[RoleReward], now: float
) -> list[RoleReward]:
    """The rewards the member earned whose role was not given (nor is being given) yet."""
    standing = await standing_of(db, guild_id, user_id, now)
    given = await db.roles_given(guild_id, user_id, now=now)
    return due_rewards(rewards, standing, given)
