"""Standings kept with every attempt: the only module that knows how totals are kept.

For each guild and player, `standing_totals` holds points, problems answered, problems
solved and the time of the last scoring answer (the tie-break) for three kinds of period:

- `all`: every answer in the guild (`since` is 0);
- `week`: one ISO week, `since` its Monday 00:00 UTC;
- `reset`: from the guild's weekly reset (`since`, the reset time) to the end of that
  reset's week; only the guild's current reset is kept (the only one any board shows).

`active_days` holds the UTC days (days since 1970-01-01) on which a player answered in a
guild, for the day streak. Both are updated in the transaction that stores the attempt
(`record`), so they are never ahead of or behind the attempts; `expected_*` recompute
them from the attempts alone in SQL, for the migration that builds them, `anneal db
check` and `rebuild`.

The rule both sides follow is the one the leaderboard always had: attempts are grouped
per problem played (session, player, problem) *within the period*, so `answered` and
`correct` count problems, not attempts, and a problem whose attempts straddle a period's
edge counts in both periods. Points are never negative (0 unless correct). Only sessions
of the leaderboard modes count (practice and review are a player's own business).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from bot.engine.session import Attempt
from bot.storage._connection import WEEK, day_number, week_start
from bot.storage.models import LEADERBOARD_MODES

ALL = "all"
WEEKLY = "week"
RESET = "reset"
ALL_SINCE = 0.0

# Practice and review never change a server's standings: only these modes' sessions count.
COUNTED_SESSIONS = "s.mode IN ({})".format(
    ", ".join(f"'{mode.value}'" for mode in sorted(LEADERBOARD_MODES))
)


@dataclass(frozen=True, slots=True)
class Period:
    """One stretch of time whose totals are kept: its kind, its start and (exclusive) end."""

    kind: str
    since: float
    until: float | None  # None: no end (all time)

    def holds(self, at: float) -> bool:
        """Whether an answer at `at` counts in this period."""
        if self.kind == ALL:
            return True
        return self.since <= at and (self.until is None or at < self.until)


def week_of(at: float) -> Period:
    """The ISO week holding `at`."""
    monday = week_start(at)
    return Period(WEEKLY, monday, monday + WEEK)


def reset_period(reset_at: float) -> Period:
    """From a weekly reset to the end of the week it falls in."""
    return Period(RESET, reset_at, week_start(reset_at) + WEEK)


def periods_of(at: float, reset_at: float | None) -> list[Period]:
    """Every period an answer at `at` counts in, for a guild last reset at `reset_at`."""
    periods = [Period(ALL, ALL_SINCE, None), week_of(at)]
    if reset_at is not None and reset_period(reset_at).holds(at):
        periods.append(reset_period(reset_at))
    return periods


@dataclass(frozen=True, slots=True)
class TotalsChange:
    """What one attempt adds to one period's totals of its player."""

    kind: str
    since: float
    points: int
    answered: int  # 1 if this is the player's first attempt at the problem in the period
    correct: int  # 1 if it is right and no earlier attempt in the period was
    scored_at: float | None  # when it scored, for the tie-break; None if it scored nothing


def changes_for(
    attempt: Attempt, reset_at: float | None, others: Iterable[tuple[float, bool]]
) -> list[TotalsChange]:
    """How `attempt` changes each of its periods, given the player's other attempts at the
    same problem of the same session as (answered_at, correct) pairs."""
    others = list(others)
    changes = []
    for period in periods_of(attempt.answered_at, reset_at):
        before = [correct for at, correct in others if period.holds(at)]
        changes.append(
            TotalsChange(
                kind=period.kind,
                since=period.since,
                points=attempt.points,
                answered=0 if before else 1,
                correct=1 if attempt.correct and not any(before) else 0,
                scored_at=attempt.answered_at if attempt.points > 0 else None,
            )
        )
    return changes


_OTHERS = """
    SELECT answered_at, correct
    FROM attempts
    WHERE session_id = ? AND user_id = ? AND problem_id = ? AND attempt_number != ?
"""

_ADD = """
    INSERT INTO standing_totals (
        guild_id, period, since, user_id, points, answered, correct, scored_at
    )
    VALUES (:guild_id, :kind, :since, :user_id, :points, :answered, :correct, :scored_at)
    ON CONFLICT (guild_id, period, since, user_id) DO UPDATE SET
        points = points + excluded.points,
        answered = answered + excluded.answered,
        correct = correct + excluded.correct,
        scored_at = CASE
            WHEN excluded.scored_at IS NULL THEN scored_at
            WHEN scored_at IS NULL OR excluded.scored_at > scored_at THEN excluded.scored_at
            ELSE scored_at
        END
"""

_ADD_DAY = """
    INSERT INTO active_days (guild_id, user_id, day) VALUES (?, ?, ?)
    ON CONFLICT DO NOTHING
"""


def record(
    conn: sqlite3.Connection,
    session_id: int,
    guild_id: int,
    reset_at: float | None,
    attempt: Attempt,
) -> None:
    """Add a just-stored attempt to its player's totals, in the caller's transaction."""
    key = (session_id, attempt.user_id, attempt.problem_id, attempt.attempt_number)
    others = [(row[0], bool(row[1])) for row in conn.execute(_OTHERS, key)]
    rows = [
        {
            "guild_id": guild_id,
            "user_id": attempt.user_id,
            "kind": change.kind,
            "since": change.since,
            "points": change.points,
            "answered": change.answered,
            "correct": change.correct,
            "scored_at": change.scored_at,
        }
        for change in changes_for(attempt, reset_at, others)
    ]
    conn.executemany(_ADD, rows)
    conn.execute(_ADD_DAY, (guild_id, attempt.user_id, day_number(attempt.answered_at)))


# ------------------------------------------------------------------ recomputation

# The attempts of every guild, once per period they count in. `anneal_week_start` is
# week_start, registered on every connection (_connection.py).
_EVERY_PERIOD = f"""
    WITH located AS (
        SELECT s.guild_id, a.session_id, a.user_id, a.problem_id, a.points, a.correct,
               a.answered_at, g.week_reset_at AS reset_at
        FROM attempts AS a
        JOIN sessions AS s ON s.id = a.session_id
        LEFT JOIN guild_settings AS g ON g.guild_id = s.guild_id
        WHERE {COUNTED_SESSIONS}
    )
    SELECT guild_id, '{ALL}' AS period, {ALL_SINCE} AS since, session_id, user_id, problem_id,
           points, correct, answered_at
    FROM located
    UNION ALL
    SELECT guild_id, '{WEEKLY}', anneal_week_start(answered_at), session_id, user_id,
           problem_id, points, correct, answered_at
    FROM located
    UNION ALL
    SELECT guild_id, '{RESET}', reset_at, session_id, user_id, problem_id, points, correct,
           answered_at
    FROM located
    WHERE reset_at IS NOT NULL
      AND answered_at >= reset_at
      AND answered_at < anneal_week_start(reset_at) + {WEEK}
"""

# One guild's attempts in [:since, :until), as its `reset` period.
_ONE_RESET = f"""
    SELECT s.guild_id, '{RESET}' AS period, :since AS since, a.session_id, a.user_id,
           a.problem_id, a.points, a.correct, a.answered_at
    FROM attempts AS a
    JOIN sessions AS s ON s.id = a.session_id
    WHERE s.guild_id = :guild_id AND a.answered_at >= :since AND a.answered_at < :until
      AND {COUNTED_SESSIONS}
"""

_COLUMNS = "guild_id, period, since, user_id, points, answered, correct, scored_at"


def _totals_of(attempts_in_periods: str) -> str:
    """Totals from rows of (guild, period, since, session, user, problem, points, ...)."""
    return f"""
        WITH in_period AS ({attempts_in_periods}),
        per_problem AS (
            SELECT guild_id, period, since, user_id,
                   SUM(points) AS points,
                   MAX(correct) AS correct,
                   MAX(CASE WHEN points > 0 THEN answered_at END) AS scored_at
            FROM in_period
            GROUP BY guild_id, period, since, session_id, user_id, problem_id
        )
        SELECT guild_id, period, since, user_id,
               SUM(points) AS points, COUNT(*) AS answered, SUM(correct) AS correct,
               MAX(scored_at) AS scored_at
        FROM per_problem
        GROUP BY guild_id, period, since, user_id
    """


EXPECTED_TOTALS = _totals_of(_EVERY_PERIOD)
EXPECTED_DAYS = f"""
    SELECT DISTINCT s.guild_id, a.user_id, anneal_day(a.answered_at) AS day
    FROM attempts AS a
    JOIN sessions AS s ON s.id = a.session_id
    WHERE {COUNTED_SESSIONS}
"""

# Rows on one side and not the other: (side, key..., values...). Empty when all agree.
TOTALS_DIFFERENCES = f"""
    WITH expected AS ({EXPECTED_TOTALS}),
    stored AS (SELECT {_COLUMNS} FROM standing_totals)
    SELECT 'stored' AS side, * FROM (SELECT * FROM stored EXCEPT SELECT * FROM expected)
    UNION ALL
    SELECT 'expected' AS side, * FROM (SELECT * FROM expected EXCEPT SELECT * FROM stored)
"""
DAYS_DIFFERENCES = f"""
    WITH expected AS ({EXPECTED_DAYS}),
    stored AS (SELECT guild_id, user_id, day FROM active_days)
    SELECT 'stored' AS side, * FROM (SELECT * FROM stored EXCEPT SELECT * FROM expected)
    UNION ALL
    SELECT 'expected' AS side, * FROM (SELECT * FROM expected EXCEPT SELECT * FROM stored)
"""


def rebuild(conn: sqlite3.Connection) -> tuple[int, int]:
    """Recompute every total and active day from the attempts, in the caller's transaction.

    Returns how many total rows and active days were written.
    """
    conn.execute("DELETE FROM standing_totals")
    conn.execute("DELETE FROM active_days")
    totals = conn.execute(f"INSERT INTO standing_totals ({_COLUMNS}) {EXPECTED_TOTALS}").rowcount
    days = conn.execute(f"INSERT INTO active_days (guild_id, user_id, day) {EXPECTED_DAYS}")
    return totals, days.rowcount


def reset_guild(conn: sqlite3.Connection, guild_id: int, reset_at: float | None) -> None:
    """Replace the guild's `reset` totals by those of its new reset (none for None)."""
    conn.execute("DELETE FROM standing_totals WHERE guild_id = ? AND period = ?", (guild_id, RESET))
    if reset_at is None:
        return
    period = reset_period(reset_at)
    params = {"guild_id": guild_id, "since": period.since, "until": period.until}
    conn.execute(f"INSERT INTO standing_totals ({_COLUMNS}) {_totals_of(_ONE_RESET)}", params)


def standings_period(
    since: float | None, until: float | None, reset_at: float | None
) -> Period | None:
    """The kept period that is exactly the window [since, until), or None if none is.

    The bot's boards always ask for a kept period; any other window is answered from
    the attempts (correct, but its cost grows with the guild's history).
    """
    if since is None and until is None:
        return Period(ALL, ALL_SINCE, None)
    if since is None or until is None:
        return None
    if week_start(since) == since and until == since + WEEK:
        return week_of(since)
    if reset_at is not None and since == reset_at and until == reset_period(reset_at).until:
        return reset_period(reset_at)
    return None
