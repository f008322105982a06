"""Daily review reminders: who opted in, and the claim that lets one process send each day's.

A reminder is claimed before it is sent with a conditional UPDATE of the player's
`last_reminded_day`: of two processes (or a restarted one) checking the same player the
same day, only the one whose UPDATE changed the row sends. Plain SQL, so the PostgreSQL
storage can do the same.
"""

from __future__ import annotations

import sqlite3

from bot.storage._core import Store, fetch_one, first_row
from bot.storage._guilds import check_user_id, write_user
from bot.storage.models import ReviewReminder

NEVER = -1  # last_reminded_day before the first reminder


class ReminderQueries(Store):
    """Turning reminders on and off, finding who is due one, and claiming it."""

    async def set_review_reminders(
        self, user_id: int, enabled: bool, *, display_name: str | None = None
    ) -> None:
        """Turn the player's daily reminder on or off (which also clears a closed-DMs note).

        With `display_name` the player is recorded in the same transaction.
        """
        query = """
            INSERT INTO review_reminders (user_id, enabled) VALUES (?, ?)
            ON CONFLICT (user_id) DO UPDATE SET enabled = excluded.enabled, dms_closed_at = NULL
        """
        if display_name is not None:
            check_user_id(user_id)

        def write(conn: sqlite3.Connection) -> None:
            if display_name is not None:
                write_user(conn, user_id, display_name)
            conn.execute(query, (user_id, int(enabled)))

        await self._write(write)

    async def review_reminder(self, user_id: int) -> ReviewReminder | None:
        """The player's reminder setting, or None if they never chose one."""
        query = """
            SELECT user_id, enabled, last_reminded_day, dms_closed_at
            FROM review_reminders WHERE user_id = ?
        """
        async with self._read() as conn:
            row = await fetch_one(conn, query, (user_id,))
        if row is None:
            return None
        day = int(row["last_reminded_day"])
        return ReviewReminder(
            user_id=int(row["user_id"]),
            enabled=bool(row["enabled"]),
            last_reminded_day=None if day == NEVER else day,
            dms_closed_at=row["dms_closed_at"],
        )

    async def players_to_remind(self, now: float, day: int) -> list[int]:
        """Players with reminders on, not reminded on UTC `day`, who have a problem due at
        `now`; lowest id first. Each must still be claimed before sending."""
        query = """
            SELECT r.user_id FROM review_reminders AS r
            WHERE r.enabled = 1 AND r.last_reminded_day < ?
              AND EXISTS (
                  SELECT 1 FROM review_queue AS q
                  WHERE q.user_id = r.user_id AND q.due_at <= ?
              )
            ORDER BY r.user_id
        """
        async with self._read() as conn:
            rows = await conn.execute_fetchall(query, (day, now))
        return [int(row["user_id"]) for row in rows]

    async def claim_review_reminder(self, user_id: int, day: int) -> bool:
        """Mark the player reminded on `day`; True only for the caller whose UPDATE did it.

        False: reminders are off, or someone (another process, or this one before a
        restart) already claimed this day. Only a True claim may send.
        """
        query = """
            UPDATE review_reminders SET last_reminded_day = ?
            WHERE user_id = ? AND enabled = 1 AND last_reminded_day < ?
        """

        def write(conn: sqlite3.Connection) -> bool:
            return conn.execute(query, (day, user_id, day)).rowcount == 1

        return await self._write(write)

    async def release_review_reminder(self, user_id: int, day: int) -> None:
        """Give back a claim whose DM failed for a passing reason, so a later check retries
        it today (as if the last reminder had been the day before)."""
        query = """
            UPDATE review_reminders SET last_reminded_day = ?
            WHERE user_id = ? AND last_reminded_day = ?
        """
        await self._write(lambda conn: conn.execute(query, (day - 1, user_id, day)))

    async def review_reminders_undeliverable(self, user_id: int, at: float) -> None:
        """The player's DMs are closed: stop reminding them, and note when, to tell them."""
        query = "UPDATE review_reminders SET enabled = 0, dms_closed_at = ? WHERE user_id = ?"
        await self._write(lambda conn: conn.execute(query, (at, user_id)))

    async def take_closed_dms_notice(self, user_id: int) -> float | None:
        """When a reminder last found the player's DMs closed, once: the note is cleared
        as it is read, so they are told about it one time."""
        read = "SELECT dms_closed_at FROM review_reminders WHERE user_id = ?"
        clear = "UPDATE review_reminders SET dms_closed_at = NULL WHERE user_id = ?"

        def write(conn: sqlite3.Connection) -> float | None:
            row = first_row(conn, read, (user_id,))
            if row is None or row["dms_closed_at"] is None:
                return None
            conn.execute(clear, (user_id,))
            return float(row["dms_closed_at"])

        return await self._write(write)
