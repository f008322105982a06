"""The daily problem: each server's schedule, and one row per server and local day that is
claimed before anything is posted.

A day is claimed with an INSERT into `daily_problems`: of two processes sharing the file
(or a process and its restart) only the one whose INSERT made the row goes on. A claim
left by a process that died before recording its post is taken over once older than the
caller's lease; every later step (the choice, the post, the reveal) is a conditional
UPDATE that only the holder's succeeds. Plain SQL, so another backend can do the same.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from typing import Any

from bot.engine.streaks import Runs, Streak, streak_from
from bot.storage._core import Store, fetch_one, first_row
from bot.storage._guilds import write_user
from bot.storage._sessions import SESSION_FIELDS, stored_session
from bot.storage.daily_models import (
    DailyChoiceRecord,
    DailyClaim,
    DailyRecord,
    DailySchedule,
)
from bot.storage.models import StoredSession

_SCHEDULE = (
    "SELECT guild_id, channel_id, minute, timezone, enabled, since, set_by FROM daily_schedules"
)
_DAY_COLUMNS = """
    guild_id, day, claimed_by, claimed_at, pack_id, problem_id, kind, subject, problem_json,
    posted_at, channel_id, message_id, reveal_claimed_by, reveal_claimed_at, revealed_at
"""
_DAY = f"SELECT {_DAY_COLUMNS} FROM daily_problems WHERE guild_id = ? AND day = ?"


class DailyQueries(Store):
    """Schedules, claims of days and their reveals, the sessions of a day, and streaks."""

    # -- schedules ------------------------------------------------------------------------

    async def set_daily_schedule(
        self,
        guild_id: int,
        channel_id: int,
        minute: int,
        timezone: str,
        *,
        since: float,
        set_by: int,
        display_name: str,
    ) -> DailySchedule:
        """Turn the server's daily problem on at a local time (its guild must be upserted);
        the admin is recorded in the same transaction."""
        query = """
            INSERT INTO daily_schedules (
                guild_id, channel_id, minute, timezone, enabled, since, set_by
            )
            VALUES (?, ?, ?, ?, 1, ?, ?)
            ON CONFLICT (guild_id) DO UPDATE SET
                channel_id = excluded.channel_id, minute = excluded.minute,
                timezone = excluded.timezone, enabled = 1, since = excluded.since,
                set_by = excluded.set_by
        """

        def write(conn: sqlite3.Connection) -> DailySchedule:
            write_user(conn, set_by, display_name)
            conn.execute(query, (guild_id, channel_id, minute, timezone, since, set_by))
            found = _read_schedule(conn, guild_id)
            assert found is not None  # just written
            return found

        return await self._write(write)

    async def disable_daily_schedule(self, guild_id: int) -> DailySchedule | None:
        """Turn the server's daily problem off; the schedule as it was (None: never set)."""
        query = "UPDATE daily_schedules SET enabled = 0 WHERE guild_id = ?"

        def write(conn: sqlite3.Connection) -> DailySchedule | None:
            before = _read_schedule(conn, guild_id)
            conn.execute(query, (guild_id,))
            return before

        return await self._write(write)

    async def daily_schedule(self, guild_id: int) -> DailySchedule | None:
        """The server's schedule, on or off (None: never set)."""
        async with self._read() as conn:
            row = await fetch_one(conn, f"{_SCHEDULE} WHERE guild_id = ?", (guild_id,))
        return None if row is None else _schedule(row)

    async def daily_schedules(self) -> list[DailySchedule]:
        """Every schedule that is on, by server id."""
        async with self._read() as conn:
            rows = await conn.execute_fetchall(f"{_SCHEDULE} WHERE enabled = 1 ORDER BY guild_id")
        return [_schedule(row) for row in rows]

    # -- claiming a day ---------------------------------------------------------------------

    async def claim_daily(
        self, guild_id: int, day: int, owner: str, now: float, *, lease: float
    ) -> DailyClaim:
        """Claim the server's `day` for `owner`: a new row, or one not posted whose claim is
        the owner's own or older than `lease` seconds. `ours` says whether it was."""
        insert = """
            INSERT INTO daily_problems (guild_id, day, claimed_by, claimed_at) VALUES (?, ?, ?, ?)
            ON CONFLICT DO NOTHING
        """
        take_over = """
            UPDATE daily_problems SET claimed_by = ?, claimed_at = ?
            WHERE guild_id = ? AND day = ? AND posted_at IS NULL
              AND (claimed_by = ? OR claimed_at <= ?)
        """

        def write(conn: sqlite3.Connection) -> DailyClaim:
            ours = conn.execute(insert, (guild_id, day, owner, now)).rowcount == 1
            if not ours:
                params = (owner, now, guild_id, day, owner, now - lease)
                ours = conn.execute(take_over, params).rowcount == 1
            row = first_row(conn, _DAY, (guild_id, day))
            assert row is not None  # inserted, or there already
            return DailyClaim(_record(row), ours)

        return await self._write(write)

    async def record_daily_choice(
        self, guild_id: int, day: int, owner: str, choice: DailyChoiceRecord
    ) -> DailyRecord | None:
        """Keep the problem the holder chose for the day; the row after (None: the claim is
        no longer the owner's). A choice made before (by an earlier holder) is kept."""
        query = """
            UPDATE daily_problems
            SET pack_id = ?, problem_id = ?, kind = ?, subject = ?, problem_json = ?
            WHERE guild_id = ? AND day = ? AND claimed_by = ? AND problem_id IS NULL
        """
        subject = json.dumps(list(choice.subject))
        params = (
            choice.pack_id, choice.problem_id, choice.kind, subject, choice.problem_json,
            guild_id, day, owner,
        )  # fmt: skip

        def write(conn: sqlite3.Connection) -> DailyRecord | None:
            conn.execute(query, params)
            row = first_row(conn, _DAY, (guild_id, day))
            return None if row is None or row["claimed_by"] != owner else _record(row)

        return await self._write(write)

    async def renew_daily_claim(self, guild_id: int, day: int, owner: str, now: float) -> bool:
        """Restart the lease of the owner's claim before a slow step; False if it was lost."""
        query = """
            UPDATE daily_problems SET claimed_at = ?
            WHERE guild_id = ? AND day = ? AND claimed_by = ? AND posted_at IS NULL
        """
        params = (now, guild_id, day, owner)
        return await self._changes_one_row(query, params)

    async def mark_daily_posted(
        self,
        guild_id: int,
        day: int,
        owner: str,
        now: float,
        *,
        channel_id: int | None = None,
        message_id: int | None = None,
    ) -> bool:
        """Record that the holder posted the day's problem (in the terminal: chose it, with
        no message); False if the claim was lost."""
        query = """
            UPDATE daily_problems SET posted_at = ?, channel_id = ?, message_id = ?
            WHERE guild_id = ? AND day = ? AND claimed_by = ? AND posted_at IS NULL
              AND problem_id IS NOT NULL
        """
        params = (now, channel_id, message_id, guild_id, day, owner)
        return await self._changes_one_row(query, params)

    async def claim_daily_reveal(
        self, guild_id: int, day: int, owner: str, now: float, *, lease: float
    ) -> bool:
        """Claim the posting of the day's answer, as `claim_daily` claims the day."""
        query = """
            UPDATE daily_problems SET reveal_claimed_by = ?, reveal_claimed_at = ?
            WHERE guild_id = ? AND day = ? AND revealed_at IS NULL
              AND (reveal_claimed_by IS NULL OR reveal_claimed_by = ? OR reveal_claimed_at <= ?)
        """
        params = (owner, now, guild_id, day, owner, now - lease)
        return await self._changes_one_row(query, params)

    async def mark_daily_revealed(self, guild_id: int, day: int, owner: str, now: float) -> bool:
        """Record that the holder of the reveal posted it; False if that claim was lost."""
        query = """
            UPDATE daily_problems SET revealed_at = ?
            WHERE guild_id = ? AND day = ? AND reveal_claimed_by = ? AND revealed_at IS NULL
        """
        params = (now, guild_id, day, owner)
        return await self._changes_one_row(query, params)

    async def _changes_one_row(self, query: str, params: tuple[object, ...]) -> bool:
        """Run a conditional UPDATE; whether it changed the row (the caller's claim held)."""
        return await self._write(lambda conn: conn.execute(query, params).rowcount == 1)

    # -- reading days -------------------------------------------------------------------------

    async def daily_record(self, guild_id: int, day: int) -> DailyRecord | None:
        """The server's row of `day`, if it was ever claimed."""
        async with self._read() as conn:
            row = await fetch_one(conn, _DAY, (guild_id, day))
        return None if row is None else _record(row)

    async def latest_daily(self, guild_id: int) -> DailyRecord | None:
        """The server's latest day with a problem chosen."""
        query = f"""
            SELECT {_DAY_COLUMNS} FROM daily_problems
            WHERE guild_id = ? AND problem_id IS NOT NULL ORDER BY day DESC LIMIT 1
        """
        async with self._read() as conn:
            row = await fetch_one(conn, query, (guild_id,))
        return None if row is None else _record(row)

    async def daily_history(self, guild_id: int, since_day: int) -> list[DailyRecord]:
        """The server's days from `since_day` on with a problem chosen, oldest first."""
        query = f"""
            SELECT {_DAY_COLUMNS} FROM daily_problems
            WHERE guild_id = ? AND day >= ? AND problem_id IS NOT NULL ORDER BY day
        """
        async with self._read() as conn:
            rows = await conn.execute_fetchall(query, (guild_id, since_day))
        return [_record(row) for row in rows]

    async def unrevealed_days(self, guild_id: int, before_day: int) -> list[DailyRecord]:
        """The server's days before `before_day` with a problem chosen whose answer is not
        posted yet, oldest first."""
        query = f"""
            SELECT {_DAY_COLUMNS} FROM daily_problems
            WHERE guild_id = ? AND day < ? AND problem_id IS NOT NULL AND revealed_at IS NULL
            ORDER BY day
        """
        async with self._read() as conn:
            rows = await conn.execute_fetchall(query, (guild_id, before_day))
        return [_record(row) for row in rows]

    async def daily_sessions(self, guild_id: int, day: int) -> list[StoredSession]:
        """The sessions playing the server's `day` (in Discord one; in the terminal one per
        local profile), oldest first."""
        columns = ", ".join(f"s.{name}" for name in SESSION_FIELDS)
        query = f"""
            SELECT {columns} FROM daily_sessions AS d JOIN sessions AS s ON s.id = d.session_id
            WHERE d.guild_id = ? AND d.day = ? ORDER BY s.id
        """
        async with self._read() as conn:
            rows = await conn.execute_fetchall(query, (guild_id, day))
        return [stored_session(row) for row in rows]

    async def open_daily_sessions(self) -> list[tuple[StoredSession, int]]:
        """Every daily session still open, with its day, oldest first."""
        columns = ", ".join(f"s.{name}" for name in SESSION_FIELDS)
        query = f"""
            SELECT {columns}, d.day
            FROM sessions AS s JOIN daily_sessions AS d ON d.session_id = s.id
            WHERE s.status = 'open' AND s.mode = 'daily' ORDER BY s.id
        """
        async with self._read() as conn:
            rows = await conn.execute_fetchall(query)
        return [(stored_session(row), int(row["day"])) for row in rows]

    async def daily_streaks(
        self,
        guild_id: int,
        user_id: int | None = None,
        *,
        today: int | None = None,
        missed: Collection[int] = (),
        going_only: bool = False,
    ) -> dict[int, Streak]:
        """Daily streaks in the server, by member: one member's with `user_id`; with
        `going_only`, only those who may have one going (they solved one of the latest two
        days' problems), which is all a board of the best streaks needs.

        The days are those whose problem was posted; the latest is open while it is not
        revealed. With `today` (the terminal, where every day has a problem and none is
        revealed) every calendar day counts, up to today, which is open. The `missed`
        members can no longer solve the open problem (storage does not know a problem's
        attempts): it is missed already for them.
        """
        latest_query = """
            SELECT COUNT(*) AS days, MAX(day) AS day,
                   MAX(CASE WHEN revealed_at IS NULL THEN day END) AS unrevealed
            FROM daily_problems WHERE guild_id = ? AND posted_at IS NOT NULL
        """
        params: dict[str, object] = {"guild_id": guild_id, "calendar": today is not None}
        async with self._read() as conn:
            latest = await fetch_one(conn, latest_query, (guild_id,))
            assert latest is not None  # an aggregate always returns one row
            if not latest["days"]:
                return {}
            if today is None:  # days are numbered 1, 2, ... in order; the latest is the last
                params["latest"] = latest["days"]
                last_open = latest["unrevealed"] == latest["day"]
            else:  # the terminal's problem is there every day, played or not: to today
                params["latest"] = max(today, latest["day"])
                last_open = params["latest"] == today
            who = ""
            if user_id is not None:
                who, params["user_id"] = "AND a.user_id = :user_id", user_id
            elif going_only:
                who = _GOING
            rows = await conn.execute_fetchall(_RUNS.format(who=who), params)
        return {
            int(row["user_id"]): streak_from(
                Runs(row["best"], row["to_latest"], row["to_previous"]),
                last_open=last_open,
                missed=row["user_id"] in missed,
            )
            for row in rows
        }


# Each member's runs of consecutive days solved (the Runs of bot/engine/streaks.py), in
# one pass over the server's daily solves (the attempts_solved index): days are numbered
# by their order (in the terminal as themselves: every calendar day counts); within a
# member's solved days a run keeps `n - ROW_NUMBER()` constant ("gaps and islands").
# `{who}` narrows the members.
_RUNS = """
WITH numbered AS (
    SELECT day, CASE WHEN :calendar THEN day ELSE ROW_NUMBER() OVER (ORDER BY day) END AS n
    FROM daily_problems
    WHERE guild_id = :guild_id AND posted_at IS NOT NULL
),
solved AS (
    SELECT DISTINCT n.n, a.user_id
    FROM numbered AS n
    JOIN daily_sessions AS d ON d.guild_id = :guild_id AND d.day = n.day
    JOIN attempts AS a ON a.session_id = d.session_id
    WHERE a.correct = 1 {who}
),
islands AS (
    SELECT user_id, n, n - ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY n) AS run
    FROM solved
),
runs AS (
    SELECT user_id, COUNT(*) AS length, MAX(n) AS last FROM islands GROUP BY user_id, run
)
SELECT user_id,
       MAX(length) AS best,
       COALESCE(MAX(CASE WHEN last = :latest THEN length END), 0) AS to_latest,
       COALESCE(MAX(CASE WHEN last = :latest - 1 THEN length END), 0) AS to_previous
FROM runs
GROUP BY user_id
"""
# Only members who solved one of the two latest days' problems can have a run going.
_GOING = """
    AND a.user_id IN (
        SELECT recent.user_id
        FROM (SELECT day FROM numbered ORDER BY day DESC LIMIT 2) AS last_two
        JOIN daily_sessions AS rd ON rd.guild_id = :guild_id AND rd.day = last_two.day
        JOIN attempts AS recent ON recent.session_id = rd.session_id AND recent.correct = 1
    )
"""


def _read_schedule(conn: sqlite3.Connection, guild_id: int) -> DailySchedule | None:
    row = first_row(conn, f"{_SCHEDULE} WHERE guild_id = ?", (guild_id,))
    return None if row is None else _schedule(row)


def _schedule(row: sqlite3.Row) -> DailySchedule:
    return DailySchedule(**{**dict(row), "enabled": bool(row["enabled"])})


def _record(row: sqlite3.Row) -> DailyRecord:
    fields: dict[str, Any] = dict(row)
    choice = None
    if fields["problem_id"] is not None:
        choice = DailyChoiceRecord(
            pack_id=fields["pack_id"],
            problem_id=fields["problem_id"],
            kind=fields["kind"],
            subject=tuple(json.loads(fields["subject"] or "[]")),
            problem_json=fields["problem_json"],
        )
    for name in ("pack_id", "problem_id", "kind", "subject", "problem_json"):
        del fields[name]
    return DailyRecord(**fields, choice=choice)
