"""What each `stats` command reads, from storage and content, without Discord.

The cog, the benchmark and the tests share these: an overview, one problem, the export.
Storage reads run on the read connections; the CPU-heavy parts (parsing generated
packs, writing the CSV and compressing it) run in threads, so the event loop stays free.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from bot.content import ContentLibrary
from bot.engine.problems import Problem
from bot.features.organiser.export import Export, ExportBuilder
from bot.features.organiser.numbers import (
    ProblemAccuracy,
    ServerStatistics,
    generated_problems,
    last_weeks,
    problem_accuracies,
    server_statistics,
    shipped_problems,
)
from bot.storage import Database, ProblemOutcome


async def problems_for(
    db: Database, library: ContentLibrary, guild_id: int, wanted: set[str]
) -> dict[str, Problem]:
    """The problems behind these ids: shipped ones, then the server's generated packs."""
    found = shipped_problems(library, wanted)
    missing = wanted - set(found)
    if missing:
        packs = await db.generated_packs(guild_id)
        found |= await asyncio.to_thread(generated_problems, packs, missing)
    return found


async def read_overview(
    db: Database,
    library: ContentLibrary,
    guild_id: int,
    *,
    now: float,
    in_play: set[str] | frozenset[str] = frozenset(),
) -> tuple[ServerStatistics, dict[str, Problem]]:
    """The server's statistics for `!stats` at `now`, and the problems they name."""
    weeks = last_weeks(now)
    picks = await db.first_try_picks(guild_id)
    activity = await db.weekly_activity(guild_id, weeks[0][0], weeks[-1][1]) if picks else []
    problems = await problems_for(db, library, guild_id, {row.problem_id for row in picks})
    stats = server_statistics(weeks, activity, picks, problems, in_play=in_play)
    return stats, problems


@dataclass(frozen=True)
class ProblemView:
    """`!stats problem <id>`: the first tries, who solved it, and the problem (if known)."""

    accuracy: ProblemAccuracy
    outcome: ProblemOutcome
    problem: Problem | None

    @property
    def key(self) -> frozenset[str]:
        """The options to highlight: those judged right, else (none right) the content's key."""
        if self.accuracy.right_options or self.problem is None:
            return self.accuracy.right_options
        return frozenset({self.problem.answer})

    @property
    def options(self) -> dict[str, str]:
        """Each option's text by letter (none for a problem no pack holds any more)."""
        if self.problem is None:
            return {}
        return {str(letter): text for letter, text in self.problem.options.items()}


async def read_problem(
    db: Database, library: ContentLibrary, guild_id: int, problem_id: str
) -> tuple[ProblemView | None, bool]:
    """The problem's statistics in the server (None: no answers), and whether it exists."""
    picks = await db.first_try_picks(guild_id, problem_id)
    problems = await problems_for(db, library, guild_id, {problem_id})
    problem = problems.get(problem_id)
    if not picks:
        return None, problem is not None
    [accuracy] = problem_accuracies(picks)
    outcome = await db.problem_outcome(guild_id, problem_id)
    return ProblemView(accuracy, outcome, problem), True


async def read_export(db: Database, guild_id: int, *, stem: str, limit: int) -> Export:
    """Every attempt of the server as CSV files of at most `limit` bytes each."""
    builder = ExportBuilder(stem, limit=limit)
    with contextlib.closing(builder):
        batches = db.export_attempts(guild_id)
        async with contextlib.aclosing(batches):
            async for batch in batches:
                # Writing 1,000 rows costs ~15 ms: too long to hold the event loop.
                await asyncio.to_thread(builder.add, batch)
        return await asyncio.to_thread(builder.finish)
