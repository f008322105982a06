"""Role rewards: the rules a server set, and the grants, each claimed before it is made.

A grant's row is inserted (the claim) before the bot asks Discord for the role, so two
processes, or two answers at once, never give one role twice. A claim whose process
stopped before Discord answered is claimed again once it is `stale_after` seconds old.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from bot.engine.rewards import RewardKind, RewardRule
from bot.storage._core import Store, first_row
from bot.storage.organiser_models import RoleReward

CLAIM_STALE_AFTER = 600.0  # seconds: a grant is one REST call, long done by then

_COLUMNS = "guild_id, role_id, kind, pack_id, threshold, set_by, set_at, trouble_told_at"
_ONE = f"SELECT {_COLUMNS} FROM role_rewards WHERE guild_id = ? AND role_id = ?"
# Badges first (by pack), then points and streaks, the lowest threshold first.
_ALL = f"""
    SELECT {_COLUMNS} FROM role_rewards WHERE guild_id = ?
    ORDER BY CASE kind WHEN 'badge' THEN 0 WHEN 'points' THEN 1 ELSE 2 END,
             pack_id, threshold, role_id
"""
# A role counts as given once granted, and while a live claim is on its way.
_GIVEN = """
    SELECT role_id FROM role_grants
    WHERE guild_id = ? AND user_id = ?
      AND (granted_at IS NOT NULL OR (failure IS NULL AND claimed_at >= ?))
"""
_CLAIM = """
    INSERT INTO role_grants (guild_id, role_id, user_id, claimed_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (guild_id, user_id, role_id) DO UPDATE
        SET claimed_at = excluded.claimed_at, failure = NULL
        WHERE role_grants.granted_at IS NULL
          AND (role_grants.failure IS NOT NULL OR role_grants.claimed_at < ?)
"""


def _reward(row: sqlite3.Row | Any) -> RoleReward:
    kind = RewardKind(row["kind"])
    return RoleReward(
        guild_id=row["guild_id"],
        role_id=row["role_id"],
        rule=RewardRule(kind, pack_id=row["pack_id"], threshold=row["threshold"]),
        set_by=row["set_by"],
        set_at=row["set_at"],
        trouble_told_at=row["trouble_told_at"],
    )


class RewardQueries(Store):
    """Setting, listing and removing role rewards; claiming and settling their grants."""

    async def set_role_reward(
        self, guild_id: int, role_id: int, rule: RewardRule, *, set_by: int, at: float
    ) -> RoleReward | None:
        """Give `role_id` for `rule` from now on; returns the reward it replaces, if any.

        The guild must be recorded (`upsert_guild`).
        """
        query = """
            INSERT INTO role_rewards (guild_id, role_id, kind, pack_id, threshold, set_by, set_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (guild_id, role_id) DO UPDATE SET
                kind = excluded.kind, pack_id = excluded.pack_id,
                threshold = excluded.threshold, set_by = excluded.set_by,
                set_at = excluded.set_at, trouble_told_at = NULL
        """
        params = (guild_id, role_id, rule.kind.value, rule.pack_id, rule.threshold, set_by, at)

        def write(conn: sqlite3.Connection) -> RoleReward | None:
            before = first_row(conn, _ONE, (guild_id, role_id))
            conn.execute(query, params)
            return None if before is None else _reward(before)

        return await self._write(write)

    async def remove_role_reward(self, guild_id: int, role_id: int) -> RoleReward | None:
        """Stop giving the role; returns the reward removed (None: there was none).

        Members who were given the role keep it, and its grants stay recorded.
        """

        def write(conn: sqlite3.Connection) -> RoleReward | None:
            before = first_row(conn, _ONE, (guild_id, role_id))
            conn.execute(
                "DELETE FROM role_rewards WHERE guild_id = ? AND role_id = ?", (guild_id, role_id)
            )
            return None if before is None else _reward(before)

        return await self._write(write)

    async def role_rewards(self, guild_id: int) -> list[RoleReward]:
        """The server's rewards: badges first, then points and streaks, lowest first."""
        async with self._read() as conn:
            rows = await conn.execute_fetchall(_ALL, (guild_id,))
        return [_reward(row) for row in rows]

    async def grant_counts(self, guild_id: int) -> dict[int, int]:
        """How many members were given each role of the server's rewards."""
        query = """
            SELECT role_id, COUNT(*) AS given FROM role_grants
            WHERE guild_id = ? AND granted_at IS NOT NULL
            GROUP BY role_id
        """
        async with self._read() as conn:
            rows = await conn.execute_fetchall(query, (guild_id,))
        return {row["role_id"]: row["given"] for row in rows}

    async def roles_given(
        self, guild_id: int, user_id: int, *, now: float, stale_after: float = CLAIM_STALE_AFTER
    ) -> set[int]:
        """The roles given to the member, or on their way to them (a live claim)."""
        async with self._read() as conn:
            rows = await conn.execute_fetchall(_GIVEN, (guild_id, user_id, now - stale_after))
        return {row["role_id"] for row in rows}

    async def claim_role_grant(
        self,
        guild_id: int,
        role_id: int,
        user_id: int,
        *,
        at: float,
        stale_after: float = CLAIM_STALE_AFTER,
    ) -> bool:
        """Claim the grant of the role to the member; False if it is given or being given.

        A claim that failed, or that is `stale_after` seconds old with no answer, may be
        claimed again.
        """
        params = (guild_id, role_id, user_id, at, at - stale_after)
        return await self._write(lambda conn: conn.execute(_CLAIM, params).rowcount == 1)

    async def finish_role_grant(
        self, guild_id: int, role_id: int, user_id: int, *, at: float
    ) -> None:
        """Discord gave the role: record it, and clear the reward's trouble (it works again)."""

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE role_grants SET granted_at = ?, failure = NULL"
                " WHERE guild_id = ? AND role_id = ? AND user_id = ?",
                (at, guild_id, role_id, user_id),
            )
            conn.execute(
                "UPDATE role_rewards SET trouble_told_at = NULL WHERE guild_id = ? AND role_id = ?",
                (guild_id, role_id),
            )

        await self._write(write)

    async def fail_role_grant(self, guild_id: int, role_id: int, user_id: int, why: str) -> None:
        """Discord refused the role: the claim is released (a later answer tries again)."""
        query = """
            UPDATE role_grants SET failure = ?
            WHERE guild_id = ? AND role_id = ? AND user_id = ? AND granted_at IS NULL
        """
        await self._write(lambda conn: conn.execute(query, (why, guild_id, role_id, user_id)))

    async def note_reward_trouble(self, guild_id: int, role_id: int, *, at: float) -> bool:
        """Mark the reward as failing; True only the first time since it last worked, so the
        organiser is told once (by whichever process saw it first)."""
        query = """
            UPDATE role_rewards SET trouble_told_at = ?
            WHERE guild_id = ? AND role_id = ? AND trouble_told_at IS NULL
        """
        return await self._write(
            lambda conn: conn.execute(query, (at, guild_id, role_id)).rowcount == 1
        )
