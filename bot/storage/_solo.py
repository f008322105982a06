"""What one member did alone (practice, review): their record per mode, and what they saw lately.

A solo session is one member's (`started_by`, who is also its only player), so these
read a member's solo sessions (found by mode, then member) and their attempts through
the attempts' session index; no query here scans the attempts of every member.
"""

from __future__ import annotations

from collections.abc import Collection

from bot.storage._core import Store, fetch_one
from bot.storage.models import SOLO_MODES, SessionMode, SoloRecord

# The member's solo attempts; attempts are grouped per problem played (session, problem),
# as the standings group them, so a problem tried twice counts once.
_RECORD = """
    WITH per_problem AS (
        SELECT MAX(a.correct) AS correct
        FROM sessions AS s
        JOIN attempts AS a ON a.session_id = s.id
        WHERE s.mode = :mode AND s.started_by = :user_id AND a.user_id = :user_id
        GROUP BY a.session_id, a.problem_id
    )
    SELECT COUNT(*) AS answered, COALESCE(SUM(correct), 0) AS correct FROM per_problem
"""


class SoloQueries(Store):
    """A member's solo record, and the problems they answered alone lately."""

    async def solo_record(self, user_id: int, mode: SessionMode) -> SoloRecord:
        """Problems the member answered, and solved, in sessions of `mode` (any server)."""
        async with self._read() as conn:
            row = await fetch_one(conn, _RECORD, {"mode": mode.value, "user_id": user_id})
        assert row is not None  # an aggregate always returns one row
        return SoloRecord(user_id, mode, int(row["answered"]), int(row["correct"]))

    async def solo_recent(
        self, user_id: int, modes: Collection[SessionMode] = SOLO_MODES, limit: int = 200
    ) -> list[str]:
        """The problems the member answered alone, the most recently answered first."""
        marks = ", ".join("?" * len(modes))
        query = f"""
            SELECT a.problem_id, MAX(a.answered_at) AS last_answered
            FROM sessions AS s
            JOIN attempts AS a ON a.session_id = s.id
            WHERE s.mode IN ({marks}) AND s.started_by = ? AND a.user_id = ?
            GROUP BY a.problem_id
            ORDER BY last_answered DESC, a.problem_id
            LIMIT ?
        """
        params = [*(mode.value for mode in sorted(modes)), user_id, user_id, limit]
        async with self._read() as conn:
            rows = await conn.execute_fetchall(query, params)
        return [str(row["problem_id"]) for row in rows]
