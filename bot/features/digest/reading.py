"""What a week's digest says, read from storage and content without Discord.

Last week's top 10 is `!leaderboard lastweek` as it stood when the week ended (from the
weekly reset if there was one); its activity is `!stats`'s weekly count; the badges are
the ones first awarded that week; the most-missed problem counts the week's first tries
(never a problem a live challenge has not revealed yet).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from bot.content import ContentLibrary
from bot.engine.problems import Problem
from bot.features.organiser.numbers import ProblemAccuracy, most_missed, problem_accuracies
from bot.features.organiser.reading import problems_for
from bot.features.stats.weeks import WEEK, Board, Window, window
from bot.storage import AwardedBadge, Database, LeaderboardRow

TOP = 10


@dataclass(frozen=True)
class MostMissed:
    """The week's most-missed problem, its first tries, and the problem (None: unknown)."""

    accuracy: ProblemAccuracy
    problem: Problem | None

    @property
    def scheduler(self) -> str | None:
        """The scheduler it teaches first, for `!practice` and `!learn`; None if unknown."""
        if self.problem is None or not self.problem.subject:
            return None
        return self.problem.subject[0]


@dataclass(frozen=True)
class Digest:
    """One server's week: who answered, the top of the board, badges, the most missed."""

    week_start: float  # Monday 00:00 UTC
    span: Window  # the board's window: the week, or from a reset within it
    members: int
    answered: int
    board: list[LeaderboardRow]
    badges: list[AwardedBadge]
    most_missed: MostMissed | None


async def read_digest(
    db: Database,
    library: ContentLibrary,
    guild_id: int,
    week_start: float,
    *,
    in_play: Collection[str] = (),
) -> Digest:
    """The digest of the week starting `week_start` (Monday 00:00 UTC) in the server."""
    until = week_start + WEEK
    settings = await db.guild_settings(guild_id)
    span = window(Board.LASTWEEK, until, settings.week_reset_at)
    board = await db.leaderboard(guild_id, span.since, TOP, span.until)
    activity = await db.weekly_activity(guild_id, week_start, until)
    badges = await db.badges_awarded_between(guild_id, week_start, until)
    picks = await db.first_try_picks(guild_id, since=week_start, until=until)
    missed = most_missed(problem_accuracies(picks), 1, hidden=in_play)
    most = None
    if missed:
        [accuracy] = missed
        problems = await problems_for(db, library, guild_id, {accuracy.problem_id})
        most = MostMissed(accuracy, problems.get(accuracy.problem_id))
    return Digest(
        week_start=week_start,
        span=span,
        members=sum(week.members for week in activity),
        answered=sum(week.answered for week in activity),
        board=board,
        badges=badges,
        most_missed=most,
    )
