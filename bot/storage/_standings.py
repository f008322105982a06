"""Badges, leaderboards, ranks and profiles: a guild's standings, read from its totals.

The boards the bot shows (this week, last week, all time, since a weekly reset) are
periods whose totals are kept with every attempt (`_totals`), so reading one costs the
same however many attempts the guild has: a top 10 reads ten index entries, a rank
counts the players ahead. Any other window is computed from the attempts.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import aiosqlite

from bot.engine.scoring import day_streak
from bot.storage import _totals
from bot.storage._core import Store, fetch_one
from bot.storage.models import AwardedBadge, LeaderboardRow, Profile

_EPOCH = date(1970, 1, 1)

# The board order: points, then whoever reached them first (a player who never scored
# comes after those who did), then the lower user id, so ranks are unique and stable.
# It matches the index standing_totals_by_rank, so a top 10 reads ten entries.
_BOARD = """
    SELECT t.user_id, u.display_name, t.points, t.correct, t.answered
    FROM standing_totals AS t
    JOIN users AS u ON u.id = t.user_id
    WHERE t.guild_id = :guild_id AND t.period = :period AND t.since = :since
    ORDER BY t.points DESC, t.scored_at IS NULL, t.scored_at, t.user_id
    LIMIT :limit
"""
_PLAYER = """
    SELECT t.user_id, u.display_name, t.points, t.correct, t.answered, t.scored_at
    FROM standing_totals AS t
    JOIN users AS u ON u.id = t.user_id
    WHERE t.guild_id = :guild_id AND t.period = :period AND t.since = :since
      AND t.user_id = :user_id
"""
# The players ranked before one with these points, scored_at and user id.
_AHEAD = """
    SELECT COUNT(*) AS ahead
    FROM standing_totals
    WHERE guild_id = :guild_id AND period = :period AND since = :since
      AND (points > :points
           OR (points = :points
               AND ((scored_at IS NOT NULL AND :scored_at IS NULL)
                    OR scored_at < :scored_at
                    OR (scored_at IS :scored_at AND user_id < :user_id))))
"""

# Any other window [since, until), from the attempts: the same rules, at a cost that
# grows with the guild's history. Attempts are grouped per problem played first.
_WINDOW = f"""
WITH per_problem AS (
    SELECT a.user_id,
           SUM(a.points) AS points,
           MAX(a.correct) AS correct,
           MAX(CASE WHEN a.points > 0 THEN a.answered_at END) AS scored_at
    FROM attempts AS a
    JOIN sessions AS s ON s.id = a.session_id
    WHERE s.guild_id = :guild_id AND {_totals.COUNTED_SESSIONS}
      AND (:since IS NULL OR a.answered_at >= :since)
      AND (:until IS NULL OR a.answered_at < :until)
    GROUP BY a.session_id, a.user_id, a.problem_id
),
standings AS (
    SELECT ROW_NUMBER() OVER (
               ORDER BY SUM(p.points) DESC, MAX(p.scored_at) IS NULL, MAX(p.scored_at),
                        p.user_id
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
        params = (guild_id, user_id, badge, pack_id, awarded_at)
        return await self._write(lambda conn: conn.execute(query, params).rowcount == 1)

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
        async with self._read() as conn:
            period = await _kept_period(conn, guild_id, since, until)
            if period is None:
                query = _WINDOW + "SELECT * FROM standings ORDER BY rank LIMIT :limit"
                params = {"guild_id": guild_id, "since": since, "until": until, "limit": limit}
                rows = await conn.execute_fetchall(query, params)
                return [LeaderboardRow(**dict(row)) for row in rows]
            params = {**_period_params(guild_id, period), "limit": limit}
            rows = await conn.execute_fetchall(_BOARD, params)
        return [LeaderboardRow(rank=rank, **dict(row)) for rank, row in enumerate(rows, 1)]

    async def rank_of(
        self,
        guild_id: int,
        user_id: int,
        since: float | None = None,
        until: float | None = None,
    ) -> LeaderboardRow | None:
        """The user's row of the full leaderboard of [since, until); None if nothing answered."""
        async with self._read() as conn:
            period = await _kept_period(conn, guild_id, since, until)
            if period is None:
                query = _WINDOW + "SELECT * FROM standings WHERE user_id = :user_id"
                params = {"guild_id": guild_id, "since": since, "until": until, "user_id": user_id}
                row = await fetch_one(conn, query, params)
                return None if row is None else LeaderboardRow(**dict(row))
            return await _rank_in_period(conn, guild_id, user_id, period)

    async def profile(self, guild_id: int, user_id: int, today: date) -> Profile:
        """The user's totals, day streak (UTC days with an attempt, up to `today`) and badges."""
        totals_query = """
            SELECT points, answered, correct
            FROM standing_totals
            WHERE guild_id = ? AND period = ? AND since = ? AND user_id = ?
        """
        params = (guild_id, _totals.ALL, _totals.ALL_SINCE, user_id)
        async with self._read() as conn:
            totals = await fetch_one(conn, totals_query, params)
            streak = await _streak(conn, guild_id, user_id, today)
            user = await fetch_one(conn, "SELECT display_name FROM users WHERE id = ?", (user_id,))
            badges = await _badges(conn, guild_id, user_id)
        return Profile(
            guild_id=guild_id,
            user_id=user_id,
            display_name=None if user is None else user["display_name"],
            points=0 if totals is None else totals["points"],
            answered=0 if totals is None else totals["answered"],
            correct=0 if totals is None else totals["correct"],
            streak=streak,
            badges=tuple(badges),
        )


async def _kept_period(
    conn: aiosqlite.Connection, guild_id: int, since: float | None, until: float | None
) -> _totals.Period | None:
    """The kept period that is the window [since, until), or None."""
    reset_at = None
    if since is not None and until is not None:
        query = "SELECT week_reset_at FROM guild_settings WHERE guild_id = ?"
        row = await fetch_one(conn, query, (guild_id,))
        reset_at = None if row is None else row["week_reset_at"]
    return _totals.standings_period(since, until, reset_at)


def _period_params(guild_id: int, period: _totals.Period) -> dict[str, Any]:
    return {"guild_id": guild_id, "period": period.kind, "since": period.since}


async def _rank_in_period(
    conn: aiosqlite.Connection, guild_id: int, user_id: int, period: _totals.Period
) -> LeaderboardRow | None:
    params = {**_period_params(guild_id, period), "user_id": user_id}
    player = await fetch_one(conn, _PLAYER, params)
    if player is None:
        return None
    ahead = await fetch_one(conn, _AHEAD, {**params, **dict(player)})
    assert ahead is not None  # an aggregate always returns one row
    fields = dict(player)
    del fields["scored_at"]  # the tie-break, not part of the row shown
    return LeaderboardRow(rank=ahead["ahead"] + 1, **fields)


async def _streak(conn: aiosqlite.Connection, guild_id: int, user_id: int, today: date) -> int:
    """Consecutive UTC days with an answer, ending today or yesterday (day_streak's rule).

    Reads the player's latest days until the first gap, not their whole history.
    """
    query = """
        SELECT day FROM active_days
        WHERE guild_id = ? AND user_id = ? AND day <= ?
        ORDER BY day DESC
    """
    today_number = (today - _EPOCH).days
    run: list[int] = []
    async with conn.execute(query, (guild_id, user_id, today_number)) as cursor:
        async for row in cursor:
            day = int(row["day"])
            if (run and day != run[-1] - 1) or (not run and day < today_number - 1):
                break
            run.append(day)
    return day_streak((_EPOCH + timedelta(days=day) for day in run), today)


async def _badges(conn: aiosqlite.Connection, guild_id: int, user_id: int) -> list[AwardedBadge]:
    query = """
        SELECT guild_id, user_id, badge, pack_id, awarded_at
        FROM badges
        WHERE guild_id = ? AND user_id = ?
        ORDER BY awarded_at, badge
    """
    rows = await conn.execute_fetchall(query, (guild_id, user_id))
    return [AwardedBadge(**dict(row)) for row in rows]
