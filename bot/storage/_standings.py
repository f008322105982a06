"""Badges, leaderboards and profiles: a guild's standings, read from its attempts."""

from __future__ import annotations

import sqlite3
from datetime import date

import aiosqlite

from bot.engine.scoring import day_streak
from bot.storage._core import Store, fetch_one
from bot.storage.models import AwardedBadge, LeaderboardRow, Profile

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


class StandingQueries(Store):
    """Awarding badges, and the leaderboard, rank and profile of a guild's players."""

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
            row = await fetch_one(conn, query, params)
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
            totals = await fetch_one(conn, totals_query, (guild_id, user_id))
            days = await conn.execute_fetchall(days_query, (guild_id, user_id))
            user = await fetch_one(conn, "SELECT display_name FROM users WHERE id = ?", (user_id,))
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


async def _badges(conn: aiosqlite.Connection, guild_id: int, user_id: int) -> list[AwardedBadge]:
    query = """
        SELECT guild_id, user_id, badge, pack_id, awarded_at
        FROM badges
        WHERE guild_id = ? AND user_id = ?
        ORDER BY awarded_at, badge
    """
    rows = await conn.execute_fetchall(query, (guild_id, user_id))
    return [AwardedBadge(**dict(row)) for row in rows]


def _leaderboard_row(row: sqlite3.Row) -> LeaderboardRow:
    # The standings' columns are named like LeaderboardRow's fields.
    return LeaderboardRow(**dict(row))
