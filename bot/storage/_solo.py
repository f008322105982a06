"""The problems one member answered alone (practice, review) lately, the latest first.

A solo session is one member's (`started_by`, who is also its only player), so this
reads a member's solo sessions (found by mode, then member) and their attempts through
the attempts' session index; it never scans the attempts of every member. Their results
per mode are `mode_totals(LOCAL_GUILD_ID, user)` (`_history.py`).
"""

from __future__ import annotations

from collections.abc import Collection

from bot.storage._core import Store
from bot.storage.models import SOLO_MODES, SessionMode


class SoloQueries(Store):
    """The problems a member answered alone lately."""

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
