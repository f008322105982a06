"""The problems a player's review serves: their due queue entries, found again.

A problem is looked up in the content library by id first (so a corrected problem is
reviewed as corrected); one that is in no pack (generated, or since removed) is rebuilt
from the JSON the queue kept. `ReviewSource` is review's `ProblemSource` for the solo
machinery (bot/challenges/solo.py): a review is a solo run of these problems. No discord.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass

from pydantic import ValidationError

from bot.challenges.solo import SoloSet
from bot.content import ContentLibrary
from bot.engine.problems import Badge, Pack, Problem
from bot.engine.review import ReviewEntry, ReviewQueue
from bot.engine.session import ChallengeError, Clock
from bot.storage import Database

log = logging.getLogger("anneal.review")


@dataclass(frozen=True, slots=True)
class DueProblems:
    """A player's queue at a moment, and the due problems that can be shown, oldest first."""

    queue: ReviewQueue
    problems: tuple[Problem, ...]
    # Due ids that are in no pack any more and were not stored: skipped, not deleted.
    missing: tuple[str, ...] = ()
    # Due ids a live challenge has not revealed yet: held back (still due) until it has.
    held: tuple[str, ...] = ()


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
    db: Database,
    library: ContentLibrary,
    user_id: int,
    now: float,
    limit: int | None = None,
    *,
    hidden: Collection[str] = (),
) -> DueProblems:
    """The player's due problems at `now` (at most `limit`), longest overdue first; those
    in `hidden` (in play in a challenge) are held back."""
    queue = await db.review_queue(user_id, now)
    problems: list[Problem] = []
    missing: list[str] = []
    held: list[str] = []
    for entry in queue.due:
        if limit is not None and len(problems) >= limit:
            break
        if entry.problem_id in hidden:
            held.append(entry.problem_id)
            continue
        problem = problem_of(entry, library)
        if problem is None:
            missing.append(entry.problem_id)
        else:
            problems.append(problem)
    return DueProblems(queue, tuple(problems), tuple(missing), tuple(held))


REVIEW_LABEL = "what you missed"  # the run's title: "Review: what you missed"


class NothingDue(ChallengeError):
    """No due problem can be served now; `due` says what the queue holds (for the reply)."""

    def __init__(self, due: DueProblems) -> None:
        self.due = due
        if due.held:
            count = len(due.held)
            text = (
                f"{count} of your due problem{'s are' if count != 1 else ' is'} in a "
                "challenge right now: review once it is revealed."
            )
        else:
            text = "Nothing is due for review right now."
        super().__init__(text)


class ReviewSource:
    """Review's `ProblemSource`: the member's due problems, longest overdue first, none a
    live challenge has in play (the answer would be given away)."""

    def __init__(
        self,
        db: Database,
        library: ContentLibrary,
        clock: Clock,
        *,
        in_play: Callable[[], Collection[str]] = frozenset,
    ) -> None:
        self.db = db
        self.library = library
        self.clock = clock
        self.in_play = in_play

    async def pick(self, user_id: int, count: int) -> SoloSet:
        """Up to `count` due problems; NothingDue (with the queue) when none can be served."""
        due = await due_problems(
            self.db, self.library, user_id, self.clock(), count, hidden=set(self.in_play())
        )
        if not due.problems:
            raise NothingDue(due)
        return SoloSet(REVIEW_LABEL, due.problems, generated=_generated(due.problems, self.library))


def _generated(problems: tuple[Problem, ...], library: ContentLibrary) -> Pack | None:
    """The problems that are in no shipped pack, as a pack kept with the run (so it
    resumes after a restart); None when every one is shipped."""
    # Only the packs on disk count: generated packs the library remembers are forgotten
    # at a restart, and the run must resume after one.
    shipped = {p.id for pack in library.packs.values() for p in pack.problems}
    unshipped = [p for p in problems if p.id not in shipped]
    if not unshipped:
        return None
    return Pack(
        id="review",
        title="Review",
        description="Problems you missed that are in no pack (generated for you).",
        badge=Badge(name="Review", emoji="🔁"),
        problems=unshipped,
    )
