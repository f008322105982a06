"""A player's games and their results per mode: what `anneal profile` shows.

Read from the sessions and attempts themselves, not from the kept totals (which leave
practice and review out): a local profile has a few hundred answers at most, and the
terminal guild's sessions are one index away.
"""

from __future__ import annotations

from bot.storage._core import Store
from bot.storage._sessions import SESSION_FIELDS, stored_session
from bot.storage.models import ModeTotals, PlayedGame, SessionMode


class HistoryQueries(Store):
    """The games a player started, and their results per mode."""

    async def games_started_by(
        self, guild_id: int, user_id: int, *, limit: int | None = None
    ) -> list[PlayedGame]:
        """The player's sessions in the guild, the latest first, each with their results."""
        columns = ", ".join(f"s.{name}" for name in SESSION_FIELDS)
        query = f"""
            SELECT {columns},
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
        async with self._read() as conn:
            rows = await conn.execute_fetchall(query, params)
        return [
            PlayedGame(
                session=stored_session(row),
                answered=row["answered"],
                correct=row["correct"],
                points=row["points"],
            )
            for row in rows
        ]

    async def mode_totals(self, guild_id: int, user_id: int) -> list[ModeTotals]:
        """The player's points, problems answered and solved in the guild, per mode."""
        # Per problem played first, as the standings count: a problem answered twice in
        # one session is one problem answered.
        query = """
            WITH per_problem AS (
                SELECT s.mode, MAX(a.correct) AS correct, SUM(a.points) AS points
                FROM sessions AS s
                JOIN attempts AS a ON a.session_id = s.id
                WHERE s.guild_id = ? AND a.user_id = ?
                GROUP BY s.id, a.problem_id
            )
            SELECT mode, SUM(points) AS points, COUNT(*) AS answered, SUM(correct) AS correct
            FROM per_problem
            GROUP BY mode
        """
        async with self._read() as conn:
            rows = await conn.execute_fetchall(query, (guild_id, user_id))
        totals = [ModeTotals(**{**dict(row), "mode": SessionMode(row["mode"])}) for row in rows]
        order = list(SessionMode)
        return sorted(totals, key=lambda t: order.index(t.mode))
