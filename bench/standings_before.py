"""The standings queries as they were before the totals: the baseline of bench/leaderboard.py.

Copied from bot/storage/_standings.py before migration 5 (every read aggregated the
guild's attempts), and run on the same database in the same run as the new reads.
"""

from __future__ import annotations

from datetime import date

from bot.storage import Database

STANDINGS = """
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
PROFILE_TOTALS = """
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
PROFILE_DAYS = """
    SELECT DISTINCT date(a.answered_at, 'unixepoch') AS day
    FROM attempts AS a
    JOIN sessions AS s ON s.id = a.session_id
    WHERE s.guild_id = ? AND a.user_id = ?
"""


async def top_before(db: Database, guild: int, since: float | None, until: float | None) -> None:
    """The old top 10 of [since, until)."""
    params = {"guild_id": guild, "since": since, "until": until, "limit": 10}
    async with db._read() as conn:
        await conn.execute_fetchall(STANDINGS + "SELECT * FROM standings LIMIT :limit", params)


async def rank_before(
    db: Database, guild: int, user: int, since: float | None, until: float | None
) -> None:
    """The old rank of one player in [since, until)."""
    params = {"guild_id": guild, "since": since, "until": until, "user_id": user}
    async with db._read() as conn:
        query = STANDINGS + "SELECT * FROM standings WHERE user_id = :user_id"
        await conn.execute_fetchall(query, params)


async def profile_before(
    db: Database, guild: int, user: int, week: tuple[float | None, float | None], today: date
) -> None:
    """The old `!profile`: totals, days, rank all time and this week (`today` unused then)."""
    async with db._read() as conn:
        await conn.execute_fetchall(PROFILE_TOTALS, (guild, user))
        await conn.execute_fetchall(PROFILE_DAYS, (guild, user))
    await rank_before(db, guild, user, None, None)
    await rank_before(db, guild, user, *week)
