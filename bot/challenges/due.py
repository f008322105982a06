"""The problems a player's review serves: their due queue entries, found again.

A problem is looked up in the content library by id first (so a corrected problem is
reviewed as corrected); one that is in no pack (generated, or since removed) is rebuilt
from the JSON the queue kept. No discord here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pydantic import ValidationError

from bot.content import ContentLibrary
from bot.engine.problems import Problem
from bot.engine.review import ReviewEntry, ReviewQueue
from bot.storage import Database

log = logging.getLogger("anneal.review")


@dataclass(frozen=True, slots=True)
class DueProblems:
    """A player's queue at a moment, and the due problems that can be shown, oldest first."""

    queue: ReviewQueue
    problems: tuple[Problem, ...]
    # Due ids that are in no pack any more and were not stored: skipped, not deleted.
    missing: tuple[str, ...] = ()


def problem_of(entry: ReviewEntry, library: ContentLibrary) -> Problem | None:
    """The problem behind a queue entry, or None if it can no longer be found."""
    found = library.find_problem(entry.problem_id)
    if found is not None:
        return found[1]
    if entry.problem_json is None:
        return None
    try:
        return Problem.model_validate_json(entry.problem_json)
    except ValidationError:
        log.warning("the stored problem %s no longer validates", entry.problem_id)
        return None


async def due_problems(
    db: Database, library: ContentLibrary, user_id: int, now: float, limit: int | None = None
) -> DueProblems:
    """The player's due problems at `now` (at most `limit`), longest overdue first."""
    queue = await db.review_queue(user_id, now)
    problems: list[Problem] = []
    missing: list[str] = []
    for entry in queue.due:
        if limit is not None and len(problems) >= limit:
            break
        problem = problem_of(entry, library)
        if problem is None:
            missing.append(entry.problem_id)
        else:
            problems.append(problem)
    return DueProblems(queue, tuple(problems), tuple(missing))
