"""A player's games and their results per mode: what `anneal profile` shows.

Read from the sessions and attempts themselves, not from the kept totals: a local profile
has a few hundred answers at most, and the terminal guild's sessions are one index away.
"""

from __future__ import annotations

import aiosqlite

from bot.storage._core import Store
from bot.storage._sessions import SESSION_FIELDS, stored_session
from bot.storage.models import ModeTotals, PlayedGame

# Sessions without a mode of their own (every one before sessions had a `mode` column)
# are challenges: timed games of a pack, in a channel or in the terminal.
DEFAULT_MODE = "challenge"


class HistoryQueries(Store):
    """The games a player started, and their results per mode."""

    async def games_started_by(
        self, guild_id: int, user_id: int, *, limit: int | None = None
    ) -> list[PlayedGame]:
        """The player's sessions in the guild, the latest first, each with their results."""
        columns = ", ".join(f"s.{name}" for name in SESSION_FIELDS)
        async with self._read() as conn:
            query = f"""
                SELECT {columns}, {await _mode_of_session(conn)} AS mode,
                       COUNT(DISTINCT a.problem_id) AS answered,
                       COUNT(DISTINCT CASE WHEN a.correct THEN a.problem_id END) AS correct,
                       COALESCE(SUM(a.points), 0) AS points
                FROM sessions AS s
                LEFT JOIN attempts AS a ON a.session_id = s.id AND a.user_id = :user_id
                WHERE s.guild_id = :guild_id AND s.started_by = :user_id
                GROUP BY s.id
                ORDER BY s.id DESC
                LIMIT :limit
            """
            params = {"guild_id": guild_id, "user_id": user_id, "limit": limit or -1}
            rows = await conn.execute_fetchall(query, params)
        return [
            PlayedGame(
                session=stored_session(row),
                mode=row["mode"],
                answered=row["answered"],
                correct=row["correct"],
                points=row["points"],
            )
            for row in rows
        ]

    async def mode_totals(self, guild_id: int, user_id: int) -> list[ModeTotals]:
        """The player's points, problems answered and solved in the guild, per mode."""
        async with self._read() as conn:
            # Per problem played first, as the standings count: a problem answered twice
            # in one session is one problem answered.
            query = f"""
                WITH per_problem AS (
                    SELECT {await _mode_of_session(conn)} AS mode,
                           MAX(a.correct) AS correct, SUM(a.points) AS points
                    FROM sessions AS s
                    JOIN attempts AS a ON a.session_id = s.id
                    WHERE s.guild_id = ? AND a.user_id = ?
                    GROUP BY s.id, a.problem_id
                )
                SELECT mode, SUM(points) AS points, COUNT(*) AS answered, SUM(correct) AS correct
                FROM per_problem
                GROUP BY mode
                ORDER BY mode
            """
            rows = await conn.execute_fetchall(query, (guild_id, user_id))
        return [ModeTotals(**dict(row)) for row in rows]


async def _mode_of_session(conn: aiosqlite.Connection) -> str:
    """The SQL for a session's mode: its `mode` column once a migration has added one."""
    columns = await conn.execute_fetchall("SELECT name FROM pragma_table_info('sessions')")
    if any(column["name"] == "mode" for column in columns):
        return f"COALESCE(s.mode, '{DEFAULT_MODE}')"
    return f"'{DEFAULT_MODE}'"
