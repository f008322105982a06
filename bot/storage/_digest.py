"""The weekly digest: where each server wants it, the claim of each week, and what it reads.

A week's digest is claimed by inserting its row (UNIQUE per server and week) before it is
posted, so it goes out once even when two processes share the database; its message id
is stored once it is out. A claim that never got its message id (its process stopped
mid-way) may be claimed again once it is `stale_after` seconds old.
"""

from __future__ import annotations

import sqlite3

from bot.storage._core import Store, first_row
from bot.storage.models import AwardedBadge
from bot.storage.organiser_models import (
    DIGEST_MAX_ATTEMPTS,
    DIGEST_STALE_AFTER,
    DigestClaim,
    DigestPost,
    DigestSchedule,
)

_SCHEDULE = "SELECT guild_id, channel_id, set_by, set_at FROM digest_schedules WHERE guild_id = ?"
_POST = """
    SELECT guild_id, week_start, channel_id, claimed_at, attempts, message_id, posted_at, failure
    FROM digest_posts WHERE guild_id = ? AND week_start = ?
"""
_CLAIM = """
    INSERT INTO digest_posts (guild_id, week_start, channel_id, claimed_at)
    VALUES (?, ?, ?, ?)
    ON CONFLICT (guild_id, week_start) DO NOTHING
"""
# Taking over a claim nobody finished: only if it is still unposted and still stale.
_TAKE_OVER = """
    UPDATE digest_posts SET claimed_at = :at, attempts = attempts + 1, failure = NULL
    WHERE guild_id = :guild_id AND week_start = :week_start AND message_id IS NULL
      AND claimed_at < :stale_before AND attempts < :most
"""
_BADGES = """
    SELECT guild_id, user_id, badge, pack_id, awarded_at FROM badges
    WHERE guild_id = ? AND awarded_at >= ? AND awarded_at < ?
    ORDER BY awarded_at, user_id
"""


def _schedule(row: sqlite3.Row) -> DigestSchedule:
    return DigestSchedule(**dict(row))


def _post(row: sqlite3.Row) -> DigestPost:
    return DigestPost(**dict(row))


class DigestQueries(Store):
    """Each server's digest schedule, the claim and post of each week, the week's badges."""

    async def set_digest(
        self, guild_id: int, channel_id: int, *, set_by: int, at: float
    ) -> DigestSchedule | None:
        """Post the server's digest in `channel_id` from now on; returns the schedule it
        replaces. The guild must be recorded (`upsert_guild`)."""
        query = """
            INSERT INTO digest_schedules (guild_id, channel_id, set_by, set_at)
            VALUES (?, ?, ?, ?)
            ON CONFLICT (guild_id) DO UPDATE SET
                channel_id = excluded.channel_id, set_by = excluded.set_by,
                set_at = excluded.set_at
        """

        def write(conn: sqlite3.Connection) -> DigestSchedule | None:
            before = first_row(conn, _SCHEDULE, (guild_id,))
            conn.execute(query, (guild_id, channel_id, set_by, at))
            return None if before is None else _schedule(before)

        return await self._write(write)

    async def stop_digest(self, guild_id: int) -> DigestSchedule | None:
        """Post no more digests for the server; returns the schedule stopped, if any."""

        def write(conn: sqlite3.Connection) -> DigestSchedule | None:
            before = first_row(conn, _SCHEDULE, (guild_id,))
            conn.execute("DELETE FROM digest_schedules WHERE guild_id = ?", (guild_id,))
            return None if before is None else _schedule(before)

        return await self._write(write)

    async def digest_schedule(self, guild_id: int) -> DigestSchedule | None:
        """Where the server's digest goes, or None if it has none."""
        async with self._read() as conn:
            rows = await conn.execute_fetchall(_SCHEDULE, (guild_id,))
        return next((_schedule(row) for row in rows), None)

    async def digest_schedules(self) -> list[DigestSchedule]:
        """Every server's digest schedule, by guild id."""
        query = (
            "SELECT guild_id, channel_id, set_by, set_at FROM digest_schedules ORDER BY guild_id"
        )
        async with self._read() as conn:
            rows = await conn.execute_fetchall(query)
        return [_schedule(row) for row in rows]

    async def digest_post(self, guild_id: int, week_start: float) -> DigestPost | None:
        """The stored claim (and post) of one week's digest, if any."""
        async with self._read() as conn:
            rows = await conn.execute_fetchall(_POST, (guild_id, week_start))
        return next((_post(row) for row in rows), None)

    async def claim_digest(
        self,
        guild_id: int,
        week_start: float,
        channel_id: int,
        *,
        at: float,
        stale_after: float = DIGEST_STALE_AFTER,
    ) -> DigestClaim | None:
        """Claim the digest of the week starting `week_start`; None if it is posted, being
        posted (a claim younger than `stale_after`), or given up after DIGEST_MAX_ATTEMPTS."""

        def write(conn: sqlite3.Connection) -> DigestClaim | None:
            if conn.execute(_CLAIM, (guild_id, week_start, channel_id, at)).rowcount == 1:
                return DigestClaim(guild_id, week_start, channel_id, at, attempts=1)
            params = {
                "at": at,
                "guild_id": guild_id,
                "week_start": week_start,
                "stale_before": at - stale_after,
                "most": DIGEST_MAX_ATTEMPTS,
            }
            if conn.execute(_TAKE_OVER, params).rowcount != 1:
                return None
            row = first_row(conn, _POST, (guild_id, week_start))
            assert row is not None  # just updated, in this transaction
            return DigestClaim(guild_id, week_start, row["channel_id"], at, row["attempts"])

        return await self._write(write)

    async def finish_digest(
        self, guild_id: int, week_start: float, message_id: int, *, at: float
    ) -> None:
        """The week's digest is out as `message_id`."""
        query = """
            UPDATE digest_posts SET message_id = ?, posted_at = ?, failure = NULL
            WHERE guild_id = ? AND week_start = ?
        """
        await self._write(lambda conn: conn.execute(query, (message_id, at, guild_id, week_start)))

    async def fail_digest(self, guild_id: int, week_start: float, why: str) -> None:
        """Posting the week's digest failed: say why (its claim goes stale and is retried)."""
        query = "UPDATE digest_posts SET failure = ? WHERE guild_id = ? AND week_start = ?"
        await self._write(lambda conn: conn.execute(query, (why, guild_id, week_start)))

    async def badges_awarded_between(
        self, guild_id: int, since: float, until: float
    ) -> list[AwardedBadge]:
        """The badges first awarded in the server in [since, until), earliest first."""
        async with self._read() as conn:
            rows = await conn.execute_fetchall(_BADGES, (guild_id, since, until))
        return [AwardedBadge(**dict(row)) for row in rows]
