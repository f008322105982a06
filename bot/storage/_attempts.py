"""Attempts and hints, stored as the engine's `Attempt` and `HintUse`, each in one transaction.

An answer is committed before it is acknowledged, together with the player's display
name: one answer is one write, so nothing counts until it is on disk, and nothing is
half-stored.
"""

from __future__ import annotations

import dataclasses
import math
import sqlite3

from bot.engine.problems import Letter
from bot.engine.session import Attempt, HintUse
from bot.storage import _reviews, _totals
from bot.storage._core import Store, first_row
from bot.storage._guilds import check_user_id, write_user
from bot.storage.errors import AttemptAlreadyRecorded, SessionNotOpen
from bot.storage.models import SessionMode, SessionStatus


class AttemptQueries(Store):
    """Storing and reading the attempts and hints of a session."""

    async def save_attempt(
        self, session_id: int, attempt: Attempt, *, display_name: str | None = None
    ) -> None:
        """Store an attempt the engine judged; it is committed before this returns.

        With `display_name` the player is recorded (or renamed) in the same transaction;
        without it they must exist already (local profiles always do). A wrong answer puts
        the problem in the player's review queue, and a review's answer moves it there, in
        the same transaction (`_reviews.record`). Raises SessionNotOpen if the session has
        ended, AttemptAlreadyRecorded for a repeat of the same attempt number.
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
        if display_name is not None:
            check_user_id(attempt.user_id)
        if attempt.points < 0:
            raise ValueError(f"an attempt scores 0 or more points, not {attempt.points}")
        if not math.isfinite(attempt.answered_at):
            raise ValueError(f"an attempt needs a time, not {attempt.answered_at}")
        params = {"session_id": session_id, **_fields_of(attempt, _ATTEMPT_FIELDS)}

        def write(conn: sqlite3.Connection) -> None:
            if display_name is not None:
                write_user(conn, attempt.user_id, display_name)
            session = _open_session(conn, session_id)
            try:
                conn.execute(query, params)
            except sqlite3.IntegrityError as exc:
                if exc.sqlite_errorcode == sqlite3.SQLITE_CONSTRAINT_UNIQUE:
                    raise AttemptAlreadyRecorded(
                        session_id, attempt.user_id, attempt.problem_id, attempt.attempt_number
                    ) from exc
                raise
            # The standings move in the same transaction: never ahead of or behind it.
            if SessionMode(session["mode"]).counts_on_leaderboard:
                _totals.record(conn, session_id, session["guild_id"], session["reset_at"], attempt)
            # A miss is never lost: it enters the review queue with the attempt, or neither.
            _reviews.record(conn, session_id, session, attempt, self.review_steps)

        await self._write(write)

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
        if display_name is not None:
            check_user_id(hint.user_id)
        params = {"session_id": session_id, **_fields_of(hint, _HINT_FIELDS)}

        def write(conn: sqlite3.Connection) -> bool:
            if display_name is not None:
                write_user(conn, hint.user_id, display_name)
            _open_session(conn, session_id)
            return conn.execute(query, params).rowcount == 1

        return await self._write(write)

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


# The named parameters of the INSERTs are the fields of Attempt and HintUse, so each is
# stored as it is. (dataclasses.asdict deep-copies, which showed in the write profile.)
_ATTEMPT_FIELDS = tuple(field.name for field in dataclasses.fields(Attempt))
_HINT_FIELDS = tuple(field.name for field in dataclasses.fields(HintUse))


def _fields_of(record: Attempt | HintUse, names: tuple[str, ...]) -> dict[str, object]:
    return {name: getattr(record, name) for name in names}


def _open_session(conn: sqlite3.Connection, session_id: int) -> sqlite3.Row:
    """The open session's guild, pack, mode and weekly reset; SessionNotOpen if not open."""
    query = """
        SELECT s.status, s.guild_id, s.pack_id, s.mode, g.week_reset_at AS reset_at
        FROM sessions AS s
        LEFT JOIN guild_settings AS g ON g.guild_id = s.guild_id
        WHERE s.id = ?
    """
    row = first_row(conn, query, (session_id,))
    if row is None or row["status"] != SessionStatus.OPEN:
        raise SessionNotOpen(session_id)
    return row
