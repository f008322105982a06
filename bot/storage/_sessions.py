"""Challenge sessions: which problem is open until when, and the packs generated for them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Sequence
from typing import Any

from bot.storage._core import Store, fetch_one, first_row
from bot.storage.errors import ChannelBusy, SessionNotOpen
from bot.storage.models import SessionMode, SessionStatus, StoredSession

# StoredSession's fields, in its order; three are stored as text (see stored_session).
SESSION_FIELDS = (
    "id", "guild_id", "channel_id", "pack_id", "problem_ids", "current_index", "message_id",
    "opened_at", "deadline", "status", "started_by", "started_at", "ended_at", "mode",
)  # fmt: skip
_SESSION_COLUMNS = ", ".join(SESSION_FIELDS)


class SessionQueries(Store):
    """Starting, moving on, ending and finding challenge sessions."""

    async def create_session(
        self,
        guild_id: int,
        channel_id: int,
        pack_id: str,
        problem_ids: Sequence[str],
        started_by: int,
        started_at: float,
        *,
        mode: SessionMode = SessionMode.CHALLENGE,
        daily_day: int | None = None,
    ) -> int:
        """Start a session on its first problem; raise ChannelBusy if one is open there.

        A daily session plays the guild's `daily_day` (whose row must exist; streaks count
        it) and does not hold the channel: only another daily open there makes it busy.
        """
        if not problem_ids:
            raise ValueError("a session needs at least one problem")
        if daily_day is not None and mode is not SessionMode.DAILY:
            raise ValueError("only a daily session plays a daily problem's day")
        query = """
            INSERT INTO sessions (
                guild_id, channel_id, pack_id, problem_ids, started_by, started_at, mode
            )
            VALUES (?, ?, ?, ?, ?, ?, ?)
        """
        problems = json.dumps(list(problem_ids))
        params = (guild_id, channel_id, pack_id, problems, started_by, started_at, mode.value)
        daily = mode is SessionMode.DAILY
        open_here = f"""
            SELECT id FROM sessions
            WHERE channel_id = ? AND status = 'open' AND mode {"=" if daily else "<>"} 'daily'
        """
        of_day = "INSERT INTO daily_sessions (session_id, guild_id, day) VALUES (?, ?, ?)"

        def write(conn: sqlite3.Connection) -> int:
            busy = first_row(conn, open_here, (channel_id,))
            if busy is not None:
                raise ChannelBusy(channel_id, int(busy["id"]))
            session_id = conn.execute(query, params).lastrowid
            assert session_id is not None  # set by every successful INSERT
            if daily_day is not None:
                conn.execute(of_day, (session_id, guild_id, daily_day))
            return session_id

        return await self._write(write)

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
        def write(conn: sqlite3.Connection) -> None:
            # Zero rows means the session ended meanwhile (stopped while the timer fired).
            if conn.execute(query, params).rowcount != 1:
                raise SessionNotOpen(session_id)

        await self._write(write)

    async def session(self, session_id: int) -> StoredSession | None:
        """The session with this id, or None."""
        query = f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?"
        async with self._read() as conn:
            row = await fetch_one(conn, query, (session_id,))
        return None if row is None else stored_session(row)

    async def open_sessions(
        self, modes: Collection[SessionMode] = (SessionMode.CHALLENGE,)
    ) -> list[StoredSession]:
        """The sessions of these modes still open, oldest first: what a restarted bot must
        re-arm (each mode's owner asks for its own)."""
        marks = ", ".join("?" * len(modes))
        query = f"""
            SELECT {_SESSION_COLUMNS} FROM sessions
            WHERE status = 'open' AND mode IN ({marks})
            ORDER BY id
        """
        async with self._read() as conn:
            rows = await conn.execute_fetchall(query, [mode.value for mode in modes])
        return [stored_session(row) for row in rows]

    async def open_session_in_channel(self, channel_id: int) -> StoredSession | None:
        """The session holding the channel, if any (there is at most one; a daily problem
        open there too does not hold it)."""
        query = f"""
            SELECT {_SESSION_COLUMNS} FROM sessions
            WHERE channel_id = ? AND status = 'open' AND mode <> 'daily'
        """
        async with self._read() as conn:
            row = await fetch_one(conn, query, (channel_id,))
        return None if row is None else stored_session(row)

    async def recently_shown(
        self, guild_id: int, channel_id: int, pack_id: str, limit: int = 10
    ) -> list[list[str]]:
        """The problem ids the channel's last `limit` challenges of a pack showed, latest first."""
        # guild_id first: sessions_by_guild narrows the scan to one server's challenges.
        query = """
            SELECT problem_ids, current_index, opened_at FROM sessions
            WHERE guild_id = ? AND channel_id = ? AND pack_id = ?
            ORDER BY id DESC LIMIT ?
        """
        async with self._read() as conn:
            rows = await conn.execute_fetchall(query, (guild_id, channel_id, pack_id, limit))
        # A session shows its problems in order, up to the current one (none if never opened).
        return [
            json.loads(row["problem_ids"])[: row["current_index"] + 1]
            for row in rows
            if row["opened_at"] is not None
        ]

    async def save_session_pack(self, session_id: int, pack_json: str) -> None:
        """Keep a generated pack with its session, for resuming after a restart."""
        query = "INSERT OR REPLACE INTO session_packs (session_id, pack_json) VALUES (?, ?)"
        await self._write(lambda conn: conn.execute(query, (session_id, pack_json)))

    async def session_pack(self, session_id: int) -> str | None:
        """The pack saved with `save_session_pack`, as JSON, or None."""
        query = "SELECT pack_json FROM session_packs WHERE session_id = ?"
        async with self._read() as conn:
            rows = list(await conn.execute_fetchall(query, (session_id,)))
        return str(rows[0]["pack_json"]) if rows else None


def stored_session(row: sqlite3.Row) -> StoredSession:
    """The StoredSession of a row holding the SESSION_FIELDS (other columns are ignored)."""
    fields: dict[str, Any] = {name: row[name] for name in SESSION_FIELDS}
    fields["problem_ids"] = tuple(json.loads(fields["problem_ids"]))
    fields["status"] = SessionStatus(fields["status"])
    fields["mode"] = SessionMode(fields["mode"])
    return StoredSession(**fields)
