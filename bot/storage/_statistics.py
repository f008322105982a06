"""Organiser statistics: a server's weekly activity, first tries per option, and its export.

The numbers count what the leaderboard counts: the server's challenges, daily problems
and races (`_totals.COUNTED_SESSIONS`; practice and review are a member's own, and play
in DMs, guild 0). Weekly activity is read from the standings kept with every answer
(one row per member and week), the rest from the attempts. The SQL is plain and
portable, so a PostgreSQL store can run it as it is. The export holds every attempt of
the server, whatever its mode. All of it runs on the read connections, never holding up
an answer.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from typing import Any

from bot.storage import _totals
from bot.storage._core import Store
from bot.storage.models import ExportedAttempt, OptionPicks, ProblemOutcome, WeekActivity

# A member has a week's row once they answered that week; `answered` counts problems
# played (a member's attempts at one problem of one session count once per week).
_WEEKLY = f"""
SELECT since, COUNT(*) AS members, SUM(answered) AS answered
FROM standing_totals
WHERE guild_id = ? AND period = '{_totals.WEEKLY}' AND since >= ? AND since < ?
GROUP BY since
ORDER BY since
"""

# A first try is attempt number 1: every member who played a problem in a session has one.
_FIRST_TRIES = f"""
SELECT a.problem_id, a.option, a.correct, COUNT(*) AS picks
FROM attempts AS a
JOIN sessions AS s ON s.id = a.session_id
WHERE s.guild_id = :guild_id AND {_totals.COUNTED_SESSIONS} AND a.attempt_number = 1
  AND (:problem_id IS NULL OR a.problem_id = :problem_id)
GROUP BY a.problem_id, a.option, a.correct
ORDER BY a.problem_id, a.option, a.correct
"""

_OUTCOME = f"""
WITH played AS (
    SELECT MAX(a.correct) AS solved
    FROM attempts AS a
    JOIN sessions AS s ON s.id = a.session_id
    WHERE s.guild_id = ? AND {_totals.COUNTED_SESSIONS} AND a.problem_id = ?
    GROUP BY a.session_id, a.user_id
)
SELECT COUNT(*) AS played, COALESCE(SUM(solved), 0) AS solved FROM played
"""

_PLAYED_IDS = f"""
SELECT DISTINCT a.problem_id
FROM attempts AS a
JOIN sessions AS s ON s.id = a.session_id
WHERE s.guild_id = ? AND {_totals.COUNTED_SESSIONS}
ORDER BY a.problem_id
"""

# The generated (`fresh`) packs the server played: their problems are in no content file.
_GENERATED_PACKS = """
SELECT p.pack_json
FROM session_packs AS p
JOIN sessions AS s ON s.id = p.session_id
WHERE s.guild_id = ?
ORDER BY s.id
"""

_EXPORT = """
SELECT a.session_id, s.mode, a.user_id, u.display_name, a.problem_id, a.option, a.correct,
       a.attempt_number, a.points, a.answered_at
FROM attempts AS a
JOIN sessions AS s ON s.id = a.session_id
JOIN users AS u ON u.id = a.user_id
WHERE s.guild_id = ?
ORDER BY a.answered_at, a.id
"""

EXPORT_BATCH = 500  # rows per read: small enough that handling one never stalls the loop


class StatisticsQueries(Store):
    """What `!stats` shows an organiser, read from the server's stored attempts."""

    async def weekly_activity(
        self, guild_id: int, since: float, until: float
    ) -> list[WeekActivity]:
        """Members and problems answered in each ISO week starting in [since, until).

        Weeks without an answer are left out; the caller knows which it asked for.
        """
        async with self._read() as conn:
            rows = await conn.execute_fetchall(_WEEKLY, (guild_id, since, until))
        return [WeekActivity(**dict(row)) for row in rows]

    async def first_try_picks(
        self, guild_id: int, problem_id: str | None = None
    ) -> list[OptionPicks]:
        """For each problem (or just `problem_id`) and option: how many first tries picked it."""
        params = {"guild_id": guild_id, "problem_id": problem_id}
        async with self._read() as conn:
            rows = await conn.execute_fetchall(_FIRST_TRIES, params)
        return [OptionPicks(**{**dict(row), "correct": bool(row["correct"])}) for row in rows]

    async def problem_outcome(self, guild_id: int, problem_id: str) -> ProblemOutcome:
        """How many times members played the problem (once per session) and solved it."""
        async with self._read() as conn:
            rows = await conn.execute_fetchall(_OUTCOME, (guild_id, problem_id))
        [row] = rows  # an aggregate always returns one row
        return ProblemOutcome(problem_id, played=row["played"], solved=row["solved"])

    async def played_problem_ids(self, guild_id: int) -> list[str]:
        """Every problem id the server has an attempt at, sorted."""
        async with self._read() as conn:
            rows = await conn.execute_fetchall(_PLAYED_IDS, (guild_id,))
        return [str(row["problem_id"]) for row in rows]

    async def generated_packs(self, guild_id: int) -> list[str]:
        """The JSON of every generated pack the server's sessions saved, oldest first."""
        async with self._read() as conn:
            rows = await conn.execute_fetchall(_GENERATED_PACKS, (guild_id,))
        return [str(row["pack_json"]) for row in rows]

    async def export_attempts(
        self, guild_id: int, *, batch: int = EXPORT_BATCH
    ) -> AsyncGenerator[list[ExportedAttempt], None]:
        """The server's attempts in the order they were answered, `batch` rows at a time.

        One statement reads them all, so the export is one consistent snapshot however
        many answers arrive meanwhile. It holds a read connection until exhausted: use it
        inside `contextlib.aclosing` so stopping early gives the connection back.
        """
        if batch < 1:
            raise ValueError("a batch holds at least one row")
        async with self._read() as conn, conn.execute(_EXPORT, (guild_id,)) as cursor:
            while rows := await cursor.fetchmany(batch):
                # Positional (the SELECT lists the fields in order): a third of the cost of
                # building each from a dict, and this part runs on the event loop.
                yield [_exported(row) for row in rows]


def _exported(row: Sequence[Any]) -> ExportedAttempt:
    """A row of _EXPORT, whose columns are the fields of ExportedAttempt in order."""
    session_id, mode, user_id, name, problem_id, option, correct, number, points, at = row
    return ExportedAttempt(
        session_id, mode, user_id, name, problem_id, option, bool(correct), number, points, at
    )
