"""Attempts and hints, stored as the engine's `Attempt` and `HintUse`, each in one transaction.

An answer is committed before it is acknowledged, together with the player's display
name: one answer is one write, so nothing counts until it is on disk, and nothing is
half-stored.
"""

from __future__ import annotations

import dataclasses
import sqlite3

import aiosqlite

from bot.engine.problems import Letter
from bot.engine.session import Attempt, HintUse
from bot.storage._core import Store, fetch_one
from bot.storage._guilds import write_user
from bot.storage.errors import AttemptAlreadyRecorded, SessionNotOpen
from bot.storage.models import SessionStatus


class AttemptQueries(Store):
    """Storing and reading the attempts and hints of a session."""

    async def save_attempt(
        self, session_id: int, attempt: Attempt, *, display_name: str | None = None
    ) -> None:
        """Store an attempt the engine judged; it is committed before this returns.

        With `display_name` the player is recorded (or renamed) in the same transaction;
        without it they must exist already (local profiles always do). Raises
        SessionNotOpen if the session has ended, AttemptAlreadyRecorded for a repeat of
        the same attempt number.
        """
        # The named parameters are the fields of Attempt, so it is stored as it is.
        query = """
            INSERT INTO attempts (
                session_id, user_id, problem_id, option, correct, attempt_number, points,
                answered_at
            )
            VALUES (
                :session_id, :user_id, :problem_id, :option, :correct, :attempt_number, :points,
                :answered_at
            )
        """
        async with self._write() as conn:
            if display_name is not None:
                await write_user(conn, attempt.user_id, display_name)
            await _require_open(conn, session_id)
            try:
                await conn.execute(query, {"session_id": session_id, **dataclasses.asdict(attempt)})
            except sqlite3.IntegrityError as exc:
                if exc.sqlite_errorcode == sqlite3.SQLITE_CONSTRAINT_UNIQUE:
                    raise AttemptAlreadyRecorded(
                        session_id, attempt.user_id, attempt.problem_id, attempt.attempt_number
                    ) from exc
                raise

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
    ) -> None:
        """`save_attempt` of the attempt these values make (for seeding scores in tests)."""
        attempt = Attempt(user_id, problem_id, option, correct, attempt_number, points, answered_at)
        await self.save_attempt(session_id, attempt)

    async def attempts_for_session(self, session_id: int) -> list[Attempt]:
        """The session's attempts in the order they were answered."""
        query = """
            SELECT user_id, problem_id, option, correct, attempt_number, points, answered_at
            FROM attempts
            WHERE session_id = ?
            ORDER BY answered_at, id
        """
        async with self._read() as conn:
            rows = await conn.execute_fetchall(query, (session_id,))
        # The columns are the fields of Attempt; SQLite only has no booleans.
        return [Attempt(**{**dict(row), "correct": bool(row["correct"])}) for row in rows]

    async def save_hint(
        self, session_id: int, hint: HintUse, *, display_name: str | None = None
    ) -> bool:
        """Note that a player took the problem's hint; False if they already had.

        With `display_name` the player is recorded in the same transaction, as for
        `save_attempt`. Raises SessionNotOpen if the session has ended.
        """
        query = """
            INSERT INTO hints (session_id, user_id, problem_id, used_at)
            VALUES (:session_id, :user_id, :problem_id, :used_at)
            ON CONFLICT DO NOTHING
        """
        async with self._write() as conn:
            if display_name is not None:
                await write_user(conn, hint.user_id, display_name)
            await _require_open(conn, session_id)
            params = {"session_id": session_id, **dataclasses.asdict(hint)}
            async with conn.execute(query, params) as cursor:
                return cursor.rowcount == 1

    async def hints_for_session(self, session_id: int) -> list[HintUse]:
        """The session's hints in the order they were taken."""
        query = """
            SELECT user_id, problem_id, used_at
            FROM hints
            WHERE session_id = ?
            ORDER BY used_at, user_id
        """
        async with self._read() as conn:
            rows = await conn.execute_fetchall(query, (session_id,))
        return [HintUse(**dict(row)) for row in rows]


async def _require_open(conn: aiosqlite.Connection, session_id: int) -> None:
    row = await fetch_one(conn, "SELECT status FROM sessions WHERE id = ?", (session_id,))
    if row is None or row["status"] != SessionStatus.OPEN:
        raise SessionNotOpen(session_id)
