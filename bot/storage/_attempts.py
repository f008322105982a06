"""Attempts and hints: every answer is committed before it is acknowledged."""

from __future__ import annotations

import sqlite3

import aiosqlite

from bot.engine.problems import Letter
from bot.engine.session import Attempt
from bot.storage._core import Store, fetch_one
from bot.storage.errors import AttemptAlreadyRecorded, SessionNotOpen
from bot.storage.models import SessionStatus, StoredAttempt, StoredHint


class AttemptQueries(Store):
    """Storing and reading the attempts and hints of a session."""

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


async def _require_open(conn: aiosqlite.Connection, session_id: int) -> None:
    row = await fetch_one(conn, "SELECT status FROM sessions WHERE id = ?", (session_id,))
    if row is None or row["status"] != SessionStatus.OPEN:
        raise SessionNotOpen(session_id)
