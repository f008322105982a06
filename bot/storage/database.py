"""The bot's database: sessions, attempts, hints, badges, leaderboards and guild settings.

One `Database` owns one aiosqlite connection. Every method takes the connection for
its whole duration (an asyncio lock), so a coroutine never sees another one's
half-finished transaction. Writes run in `BEGIN IMMEDIATE ... COMMIT` and are committed
before the method returns: what the bot acknowledges is on disk.

Times are unix seconds (float, UTC), passed in by the caller: this module never reads
the clock except for a guild's default `joined_at`.
"""

from __future__ import annotations

import asyncio
import json
import math
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import date
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiosqlite

from bot.engine.problems import Letter
from bot.engine.scoring import day_streak
from bot.engine.session import Attempt
from bot.storage import _migrations
from bot.storage._connection import connect
from bot.storage.errors import AttemptAlreadyRecorded, ChannelBusy, SchemaTooNew, SessionNotOpen
from bot.storage.models import (
    AwardedBadge,
    GuildSettings,
    LeaderboardRow,
    Profile,
    SessionStatus,
    StoredAttempt,
    StoredHint,
    StoredSession,
)


class _Unset(Enum):
    """Marks a setting left unchanged (None is a real value for `week_reset_at`)."""

    UNSET = "unset"


UNSET = _Unset.UNSET

_SESSION_COLUMNS = """
    id, guild_id, channel_id, pack_id, problem_ids, current_index, message_id,
    opened_at, deadline, status, started_by, started_at, ended_at
"""

# Standings of one guild in an optional time window [since, until). Attempts are first
# grouped per problem played (session, user, problem), so `answered` and `correct` count
# problems, not attempts. Ties on points go to whoever reached their total first (the
# time of their last scoring attempt); then to the lower user id, so ranks are unique and stable.
_STANDINGS = """
WITH per_problem AS (
    SELECT a.user_id,
           SUM(a.points) AS points,
           MAX(a.correct) AS correct,
           MAX(CASE WHEN a.points > 0 THEN a.answered_at END) AS scored_at
    FROM attempts AS a
    JOIN sessions AS s ON s.id = a.session_id
    WHERE s.guild_id = :guild_id
      AND (:since IS NULL OR a.answered_at >= :since)
      AND (:until IS NULL OR a.answered_at < :until)
    GROUP BY a.session_id, a.user_id, a.problem_id
),
standings AS (
    SELECT ROW_NUMBER() OVER (
               ORDER BY SUM(p.points) DESC, MAX(p.scored_at) ASC NULLS LAST, p.user_id ASC
           ) AS rank,
           p.user_id,
           u.display_name,
           SUM(p.points) AS points,
           SUM(p.correct) AS correct,
           COUNT(*) AS answered
    FROM per_problem AS p
    JOIN users AS u ON u.id = p.user_id
    GROUP BY p.user_id
)
"""


class Database:
    """Anneal's storage API over one SQLite file. Create it with `await Database.open(path)`."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self._closed = False
        self.path = path

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    async def open(cls, path: Path) -> Self:
        """Connect to `path` (created if missing) and migrate it to the latest schema."""
        conn = await connect(path)
        try:
            await _migrations.migrate(conn)
        except SchemaTooNew as exc:
            await conn.close()
            raise SchemaTooNew(exc.found, exc.known, path) from None
        except BaseException:
            await conn.close()
            raise
        return cls(conn, path)

    async def close(self) -> None:
        """Close the connection (waiting for the operation in progress); safe to call twice."""
        async with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                # Refreshes the query planner's statistics; SQLite advises it before closing.
                await self._conn.execute("PRAGMA optimize")
            finally:
                await self._conn.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def schema_version(self) -> int:
        async with self._read() as conn:
            return await _migrations.user_version(conn)

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            yield self._conn

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[aiosqlite.Connection]:
        """One transaction: committed if the block finishes, rolled back if it raises."""
        async with self._lock:
            conn = self._conn
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                await conn.execute("COMMIT")
            except BaseException:
                await conn.rollback()
                raise

    # ------------------------------------------------------------ guilds and users

    async def upsert_guild(
        self, guild_id: int, name: str, *, joined_at: float | None = None
    ) -> None:
        """Record a guild (or its new name). `joined_at` is kept from the first call."""
        if guild_id <= 0:
            raise ValueError(f"guild id {guild_id} is reserved (0 is local play)")
        query = """
            INSERT INTO guilds (id, name, joined_at) VALUES (?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name
        """
        async with self._write() as conn:
            await conn.execute(
                query, (guild_id, name, time.time() if joined_at is None else joined_at)
            )
            await conn.execute(
                "INSERT INTO guild_settings (guild_id) VALUES (?) ON CONFLICT DO NOTHING",
                (guild_id,),
            )

    async def upsert_user(self, user_id: int, display_name: str) -> None:
        """Record a Discord user (or their new display name)."""
        if user_id <= 0:
            raise ValueError(f"user id {user_id} is reserved (negative ids are local profiles)")
        query = """
            INSERT INTO users (id, display_name) VALUES (?, ?)
            ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name
        """
        async with self._write() as conn:
            await conn.execute(query, (user_id, display_name))

    async def local_user(self, name: str) -> int:
        """The user id of the terminal profile `name`, created on first use (-1, -2, ...).

        Names are compared without surrounding spaces and ignoring ASCII case.
        """
        name = name.strip()
        if not name:
            raise ValueError("a local profile needs a name")
        async with self._write() as conn:
            row = await _one(conn, "SELECT user_id FROM local_profiles WHERE name = ?", (name,))
            if row is not None:
                return int(row["user_id"])
            row = await _one(
                conn, "SELECT COALESCE(MIN(id), 0) - 1 AS next FROM users WHERE id < 0"
            )
            assert row is not None  # an aggregate always returns one row
            user_id = int(row["next"])
            await conn.execute(
                "INSERT INTO users (id, display_name) VALUES (?, ?)", (user_id, name)
            )
            await conn.execute(
                "INSERT INTO local_profiles (name, user_id) VALUES (?, ?)", (name, user_id)
            )
            return user_id

    # -------------------------------------------------------------------- sessions

    async def create_session(
        self,
        guild_id: int,
        channel_id: int,
        pack_id: str,
        problem_ids: Sequence[str],
        started_by: int,
        started_at: float,
    ) -> int:
        """Start a session on its first problem; raise ChannelBusy if one is open there."""
        if not problem_ids:
            raise ValueError("a session needs at least one problem")
        query = """
            INSERT INTO sessions (
                guild_id, channel_id, pack_id, problem_ids, started_by, started_at
            )
            VALUES (?, ?, ?, ?, ?, ?)
        """
        async with self._write() as conn:
            busy = await _one(
                conn,
                "SELECT id FROM sessions WHERE channel_id = ? AND status = 'open'",
                (channel_id,),
            )
            if busy is not None:
                raise ChannelBusy(channel_id, int(busy["id"]))
            params = (
                guild_id,
                channel_id,
                pack_id,
                json.dumps(list(problem_ids)),
                started_by,
                started_at,
            )
            async with conn.execute(query, params) as cursor:
                session_id = cursor.lastrowid
        assert session_id is not None  # set by every successful INSERT
        return session_id

    async def set_current_problem(
        self,
        session_id: int,
        index: int,
        opened_at: float,
        deadline: float,
        message_id: int | None = None,
    ) -> None:
        """Move an open session to problem `index` (0-based), open until `deadline`."""
        if deadline < opened_at:
            raise ValueError("the deadline comes before the problem opens")
        query = """
            UPDATE sessions
            SET current_index = ?, opened_at = ?, deadline = ?, message_id = ?
            WHERE id = ? AND status = 'open'
        """
        await self._update_open_session(
            session_id, query, (index, opened_at, deadline, message_id, session_id)
        )

    async def set_problem_message(self, session_id: int, message_id: int) -> None:
        """Remember the message showing the current problem (where reactions arrive)."""
        query = "UPDATE sessions SET message_id = ? WHERE id = ? AND status = 'open'"
        await self._update_open_session(session_id, query, (message_id, session_id))

    async def end_session(self, session_id: int, status: SessionStatus, ended_at: float) -> None:
        """Close an open session as finished, stopped or expired (SessionNotOpen if not open)."""
        if status is SessionStatus.OPEN:
            raise ValueError("end_session needs a closing status, not 'open'")
        query = "UPDATE sessions SET status = ?, ended_at = ? WHERE id = ? AND status = 'open'"
        await self._update_open_session(session_id, query, (status.value, ended_at, session_id))

    async def _update_open_session(
        self, session_id: int, query: str, params: Sequence[Any]
    ) -> None:
        async with self._write() as conn, conn.execute(query, params) as cursor:
            # Zero rows means the session ended meanwhile (stopped while the timer fired).
            if cursor.rowcount != 1:
                raise SessionNotOpen(session_id)

    async def session(self, session_id: int) -> StoredSession | None:
        query = f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?"
        async with self._read() as conn:
            row = await _one(conn, query, (session_id,))
        return None if row is None else _session(row)

    async def open_sessions(self) -> list[StoredSession]:
        """Every session still open, oldest first: what a restarted bot must re-arm."""
        query = f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE status = 'open' ORDER BY id"
        async with self._read() as conn:
            rows = await conn.execute_fetchall(query)
        return [_session(row) for row in rows]

    async def open_session_in_channel(self, channel_id: int) -> StoredSession | None:
        query = f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE channel_id = ? AND status = 'open'"
        async with self._read() as conn:
            row = await _one(conn, query, (channel_id,))
        return None if row is None else _session(row)

    # ------------------------------------------------------------ attempts and hints

    async def save_attempt(self, session_id: int, attempt: Attempt) -> StoredAttempt:
        """`record_attempt` for an attempt the engine judged."""
        return await self.record_attempt(
            session_id,
            attempt.user_id,
            attempt.problem_id,
            attempt.option,
            attempt.correct,
            attempt.number,
            attempt.points,
            attempt.at,
        )

    async def record_attempt(
        self,
        session_id: int,
        user_id: int,
        problem_id: str,
        option: Letter,
        correct: bool,
        attempt_number: int,
        points: int,
        answered_at: float,
    ) -> StoredAttempt:
        """Store an answer and commit it before returning (feedback comes after this).

        Raises SessionNotOpen if the session has ended, AttemptAlreadyRecorded for a
        repeat of the same attempt number. The user must have been upserted before.
        """
        query = """
            INSERT INTO attempts (
                session_id, user_id, problem_id, option, correct, attempt_number, points,
                answered_at
            )
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """
        params = (
            session_id,
            user_id,
            problem_id,
            option,
            correct,
            attempt_number,
            points,
            answered_at,
        )
        async with self._write() as conn:
            await _require_open(conn, session_id)
            try:
                async with conn.execute(query, params) as cursor:
                    attempt_id = cursor.lastrowid
            except sqlite3.IntegrityError as exc:
                if exc.sqlite_errorcode == sqlite3.SQLITE_CONSTRAINT_UNIQUE:
                    raise AttemptAlreadyRecorded(
                        session_id, user_id, problem_id, attempt_number
                    ) from exc
                raise
        assert attempt_id is not None  # set by every successful INSERT
        return StoredAttempt(
            id=attempt_id,
            session_id=session_id,
            user_id=user_id,
            problem_id=problem_id,
            option=option,
            correct=correct,
            attempt_number=attempt_number,
            points=points,
            answered_at=answered_at,
        )

    async def attempts_for_session(self, session_id: int) -> list[StoredAttempt]:
        """The session's attempts in the order they were answered."""
        query = """
            SELECT id, session_id, user_id, problem_id, option, correct, attempt_number, points,
                   answered_at
            FROM attempts
            WHERE session_id = ?
            ORDER BY answered_at, id
        """
        async with self._read() as conn:
            rows = await conn.execute_fetchall(query, (session_id,))
        return [
            StoredAttempt(
                id=row["id"],
                session_id=row["session_id"],
                user_id=row["user_id"],
                problem_id=row["problem_id"],
                option=row["option"],
                correct=bool(row["correct"]),
                attempt_number=row["attempt_number"],
                points=row["points"],
                answered_at=row["answered_at"],
            )
            for row in rows
        ]

    async def record_hint(
        self, session_id: int, user_id: int, problem_id: str, used_at: float
    ) -> bool:
        """Note that the user took the problem's hint; False if they already had."""
        query = """
            INSERT INTO hints (session_id, user_id, problem_id, used_at) VALUES (?, ?, ?, ?)
            ON CONFLICT DO NOTHING
        """
        async with self._write() as conn:
            await _require_open(conn, session_id)
            async with conn.execute(query, (session_id, user_id, problem_id, used_at)) as cursor:
                return cursor.rowcount == 1

    async def hints_for_session(self, session_id: int) -> list[StoredHint]:
        query = """
            SELECT session_id, user_id, problem_id, used_at
            FROM hints
            WHERE session_id = ?
            ORDER BY used_at, user_id
        """
        async with self._read() as conn:
            rows = await conn.execute_fetchall(query, (session_id,))
        return [
            StoredHint(row["session_id"], row["user_id"], row["problem_id"], row["used_at"])
            for row in rows
        ]

    async def save_session_pack(self, session_id: int, pack_json: str) -> None:
        """Keep a generated pack with its session, for resuming after a restart."""
        query = "INSERT OR REPLACE INTO session_packs (session_id, pack_json) VALUES (?, ?)"
        async with self._write() as conn:
            await conn.execute(query, (session_id, pack_json))

    async def session_pack(self, session_id: int) -> str | None:
        """The pack saved with `save_session_pack`, as JSON, or None."""
        query = "SELECT pack_json FROM session_packs WHERE session_id = ?"
        async with self._read() as conn:
            rows = list(await conn.execute_fetchall(query, (session_id,)))
        return str(rows[0]["pack_json"]) if rows else None

    # ---------------------------------------------------------------------- badges

    async def award_badge(
        self, guild_id: int, user_id: int, badge: str, pack_id: str | None, awarded_at: float
    ) -> bool:
        """Give a badge; False (and the first award kept) if the user already holds it."""
        query = """
            INSERT INTO badges (guild_id, user_id, badge, pack_id, awarded_at)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
        """
        async with (
            self._write() as conn,
            conn.execute(query, (guild_id, user_id, badge, pack_id, awarded_at)) as cursor,
        ):
            return cursor.rowcount == 1

    async def badges_for(self, guild_id: int, user_id: int) -> list[AwardedBadge]:
        """The user's badges in the guild, earliest first."""
        async with self._read() as conn:
            return await _badges(conn, guild_id, user_id)

    # ----------------------------------------------------------- standings, profile

    async def leaderboard(
        self,
        guild_id: int,
        since: float | None = None,
        limit: int = 10,
        until: float | None = None,
    ) -> list[LeaderboardRow]:
        """The top `limit` players of the guild, counting attempts answered in [since, until).

        Either bound may be None (unbounded). Equal points: whoever reached the total first
        ranks higher; ranks are never shared.
        """
        if limit < 1:
            raise ValueError("limit must be at least 1")
        query = _STANDINGS + "SELECT * FROM standings ORDER BY rank LIMIT :limit"
        async with self._read() as conn:
            rows = await conn.execute_fetchall(
                query, {"guild_id": guild_id, "since": since, "until": until, "limit": limit}
            )
        return [_leaderboard_row(row) for row in rows]

    async def rank_of(
        self,
        guild_id: int,
        user_id: int,
        since: float | None = None,
        until: float | None = None,
    ) -> LeaderboardRow | None:
        """The user's row of the full leaderboard of [since, until); None if nothing answered."""
        query = _STANDINGS + "SELECT * FROM standings WHERE user_id = :user_id"
        params = {"guild_id": guild_id, "since": since, "until": until, "user_id": user_id}
        async with self._read() as conn:
            row = await _one(conn, query, params)
        return None if row is None else _leaderboard_row(row)

    async def profile(self, guild_id: int, user_id: int, today: date) -> Profile:
        """The user's totals, day streak (UTC days with an attempt, up to `today`) and badges."""
        totals_query = """
            WITH per_problem AS (
                SELECT SUM(a.points) AS points, MAX(a.correct) AS correct
                FROM attempts AS a
                JOIN sessions AS s ON s.id = a.session_id
                WHERE s.guild_id = ? AND a.user_id = ?
                GROUP BY a.session_id, a.problem_id
            )
            SELECT COALESCE(SUM(points), 0) AS points,
                   COALESCE(SUM(correct), 0) AS correct,
                   COUNT(*) AS answered
            FROM per_problem
        """
        days_query = """
            SELECT DISTINCT date(a.answered_at, 'unixepoch') AS day
            FROM attempts AS a
            JOIN sessions AS s ON s.id = a.session_id
            WHERE s.guild_id = ? AND a.user_id = ?
        """
        async with self._read() as conn:
            totals = await _one(conn, totals_query, (guild_id, user_id))
            days = await conn.execute_fetchall(days_query, (guild_id, user_id))
            user = await _one(conn, "SELECT display_name FROM users WHERE id = ?", (user_id,))
            badges = await _badges(conn, guild_id, user_id)
        assert totals is not None  # an aggregate always returns one row
        return Profile(
            guild_id=guild_id,
            user_id=user_id,
            display_name=None if user is None else user["display_name"],
            points=totals["points"],
            answered=totals["answered"],
            correct=totals["correct"],
            streak=day_streak((date.fromisoformat(row["day"]) for row in days), today),
            badges=tuple(badges),
        )

    # --------------------------------------------------------------- guild settings

    async def guild_settings(self, guild_id: int) -> GuildSettings:
        """The guild's settings (the defaults for a guild never seen)."""
        async with self._read() as conn:
            return await _guild_settings(conn, guild_id)

    async def set_channel_allowed(
        self, guild_id: int, channel_id: int, allowed: bool
    ) -> tuple[GuildSettings, GuildSettings]:
        """Add a channel to the allowed list, or take it off; returns (before, after).

        One transaction, so two admins changing different channels at once both count.
        The guild must have been upserted.
        """
        ensure_row = "INSERT INTO guild_settings (guild_id) VALUES (?) ON CONFLICT DO NOTHING"
        if allowed:
            change = """
                INSERT INTO guild_allowed_channels (guild_id, channel_id) VALUES (?, ?)
                ON CONFLICT DO NOTHING
            """
        else:
            change = "DELETE FROM guild_allowed_channels WHERE guild_id = ? AND channel_id = ?"
        async with self._write() as conn:
            before = await _guild_settings(conn, guild_id)
            await conn.execute(ensure_row, (guild_id,))
            await conn.execute(change, (guild_id, channel_id))
            after = await _guild_settings(conn, guild_id)
        return before, after

    async def update_guild_settings(
        self,
        guild_id: int,
        *,
        allowed_channel_ids: Iterable[int] | _Unset = UNSET,
        timer_scale: float | _Unset = UNSET,
        speed_bonus: bool | _Unset = UNSET,
        week_reset_at: float | _Unset | None = UNSET,
    ) -> GuildSettings:
        """Change the given settings (others keep their value) and return the result.

        The guild must have been upserted. An empty `allowed_channel_ids` allows every channel.
        """
        if not isinstance(timer_scale, _Unset) and not (
            math.isfinite(timer_scale) and timer_scale > 0
        ):
            raise ValueError(f"timer_scale must be a positive number, not {timer_scale}")
        query = """
            INSERT INTO guild_settings (guild_id, timer_scale, speed_bonus, week_reset_at)
            VALUES (?, ?, ?, ?)
            ON CONFLICT (guild_id) DO UPDATE SET
                timer_scale = excluded.timer_scale,
                speed_bonus = excluded.speed_bonus,
                week_reset_at = excluded.week_reset_at
        """
        # Read and write in one transaction, so two admins changing different settings
        # at once do not undo each other.
        async with self._write() as conn:
            current = await _guild_settings(conn, guild_id)
            new = GuildSettings(
                guild_id=guild_id,
                allowed_channel_ids=current.allowed_channel_ids
                if isinstance(allowed_channel_ids, _Unset)
                else frozenset(allowed_channel_ids),
                timer_scale=current.timer_scale if isinstance(timer_scale, _Unset) else timer_scale,
                speed_bonus=current.speed_bonus if isinstance(speed_bonus, _Unset) else speed_bonus,
                week_reset_at=current.week_reset_at
                if isinstance(week_reset_at, _Unset)
                else week_reset_at,
            )
            await conn.execute(
                query, (guild_id, new.timer_scale, new.speed_bonus, new.week_reset_at)
            )
            if new.allowed_channel_ids != current.allowed_channel_ids:
                await conn.execute(
                    "DELETE FROM guild_allowed_channels WHERE guild_id = ?", (guild_id,)
                )
                await conn.executemany(
                    "INSERT INTO guild_allowed_channels (guild_id, channel_id) VALUES (?, ?)",
                    [(guild_id, channel_id) for channel_id in sorted(new.allowed_channel_ids)],
                )
        return new


# ------------------------------------------------------------------------- helpers


async def _one(
    conn: aiosqlite.Connection, query: str, params: Sequence[Any] | dict[str, Any] = ()
) -> sqlite3.Row | None:
    async with conn.execute(query, params) as cursor:
        return await cursor.fetchone()


async def _require_open(conn: aiosqlite.Connection, session_id: int) -> None:
    row = await _one(conn, "SELECT status FROM sessions WHERE id = ?", (session_id,))
    if row is None or row["status"] != SessionStatus.OPEN:
        raise SessionNotOpen(session_id)


async def _badges(conn: aiosqlite.Connection, guild_id: int, user_id: int) -> list[AwardedBadge]:
    query = """
        SELECT guild_id, user_id, badge, pack_id, awarded_at
        FROM badges
        WHERE guild_id = ? AND user_id = ?
        ORDER BY awarded_at, badge
    """
    rows = await conn.execute_fetchall(query, (guild_id, user_id))
    return [
        AwardedBadge(
            row["guild_id"], row["user_id"], row["badge"], row["pack_id"], row["awarded_at"]
        )
        for row in rows
    ]


async def _guild_settings(conn: aiosqlite.Connection, guild_id: int) -> GuildSettings:
    query = "SELECT timer_scale, speed_bonus, week_reset_at FROM guild_settings WHERE guild_id = ?"
    row = await _one(conn, query, (guild_id,))
    if row is None:
        return GuildSettings(guild_id)
    channels = await conn.execute_fetchall(
        "SELECT channel_id FROM guild_allowed_channels WHERE guild_id = ?", (guild_id,)
    )
    return GuildSettings(
        guild_id=guild_id,
        allowed_channel_ids=frozenset(channel["channel_id"] for channel in channels),
        timer_scale=row["timer_scale"],
        speed_bonus=bool(row["speed_bonus"]),
        week_reset_at=row["week_reset_at"],
    )


def _session(row: sqlite3.Row) -> StoredSession:
    return StoredSession(
        id=row["id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        pack_id=row["pack_id"],
        problem_ids=tuple(json.loads(row["problem_ids"])),
        current_index=row["current_index"],
        message_id=row["message_id"],
        opened_at=row["opened_at"],
        deadline=row["deadline"],
        status=SessionStatus(row["status"]),
        started_by=row["started_by"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
    )


def _leaderboard_row(row: sqlite3.Row) -> LeaderboardRow:
    return LeaderboardRow(
        rank=row["rank"],
        user_id=row["user_id"],
        display_name=row["display_name"],
        points=row["points"],
        correct=row["correct"],
        answered=row["answered"],
    )
