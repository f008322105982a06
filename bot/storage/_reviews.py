"""The review queue: misses enter it with the attempt that missed, reviews move it.

`record` runs inside `save_attempt`'s transaction, so an attempt and the queue move it
causes are stored together or not at all, whoever stored the attempt (a challenge, a DM
practice, the terminal). Where an entry moves to is the engine's rule
(`bot.engine.review.ReviewSteps`); the steps are the ones the `Database` was opened with
(the caller reads ANNEAL_REVIEW_STEPS, storage reads no settings).
"""

from __future__ import annotations

import json
import sqlite3

from bot.engine.review import ReviewEntry, ReviewQueue, ReviewSteps
from bot.engine.session import Attempt
from bot.storage._core import Store, first_row
from bot.storage.models import SessionMode

_ENTRY_COLUMNS = """
    user_id, problem_id, pack_id, problem_json, step, due_at, entered_at, moved_at, misses,
    reviews, last_result
"""

# A miss: step 0, due one first step later. A graduated entry comes back as newly entered;
# the problem's JSON and home pack are kept from its first miss when this session has none.
_MISSED = """
    INSERT INTO review_queue (
        user_id, problem_id, pack_id, problem_json, step, due_at, graduated_at, entered_at,
        moved_at, last_result, misses, reviews
    )
    VALUES (
        :user_id, :problem_id, :pack_id, :problem_json, 0, :due_at, NULL, :at, :at, 'wrong', 1,
        :reviewed
    )
    ON CONFLICT (user_id, problem_id) DO UPDATE SET
        step = 0,
        due_at = excluded.due_at,
        graduated_at = NULL,
        entered_at = CASE WHEN review_queue.due_at IS NULL
                          THEN excluded.entered_at ELSE review_queue.entered_at END,
        moved_at = excluded.moved_at,
        last_result = 'wrong',
        problem_json = COALESCE(review_queue.problem_json, excluded.problem_json),
        misses = review_queue.misses + 1,
        reviews = review_queue.reviews + excluded.reviews
"""

_QUEUED_STEP = """
    SELECT step FROM review_queue
    WHERE user_id = ? AND problem_id = ? AND due_at IS NOT NULL
"""

_REVIEWED_RIGHT = """
    UPDATE review_queue
    SET step = ?, due_at = ?, graduated_at = ?, moved_at = ?, last_result = 'right',
        reviews = reviews + 1
    WHERE user_id = ? AND problem_id = ? AND due_at IS NOT NULL
"""


def record(
    conn: sqlite3.Connection,
    session_id: int,
    session: sqlite3.Row,
    attempt: Attempt,
    steps: ReviewSteps,
) -> None:
    """Move the attempt's problem in its player's queue, in the attempt's transaction.

    Wrong anywhere: (back) to step 0. Right on a review's first attempt: one step on, or
    graduated past the last. Anything else (right outside review, a later attempt in a
    review after a wrong one already sent it back) leaves the queue as it is.
    """
    in_review = SessionMode(session["mode"]) is SessionMode.REVIEW
    reviewed = in_review and attempt.attempt_number == 1
    if not attempt.correct:
        placed = steps.after_miss(attempt.answered_at)
        params = {
            "user_id": attempt.user_id,
            "problem_id": attempt.problem_id,
            "pack_id": session["pack_id"],
            "problem_json": _generated_problem(conn, session_id, attempt.problem_id),
            "due_at": placed.due_at,
            "at": attempt.answered_at,
            "reviewed": int(reviewed),
        }
        conn.execute(_MISSED, params)
        return
    if not reviewed:
        return
    row = first_row(conn, _QUEUED_STEP, (attempt.user_id, attempt.problem_id))
    if row is None:
        return  # not queued (graduated meanwhile, or never missed): nothing to move
    placed = steps.after_review(int(row["step"]), True, attempt.answered_at)
    graduated_at = attempt.answered_at if placed.graduated else None
    conn.execute(
        _REVIEWED_RIGHT,
        (
            placed.step,
            placed.due_at,
            graduated_at,
            attempt.answered_at,
            attempt.user_id,
            attempt.problem_id,
        ),
    )


def _generated_problem(conn: sqlite3.Connection, session_id: int, problem_id: str) -> str | None:
    """The problem's JSON if the session's pack is kept in session_packs (a generated pack,
    or one assembled for a solo run): a generated problem is in no pack file, so review
    needs it stored. None when the pack is a shipped one (found again by id)."""
    row = first_row(conn, "SELECT pack_json FROM session_packs WHERE session_id = ?", (session_id,))
    if row is None:
        return None
    pack = json.loads(row["pack_json"])
    found = next((p for p in pack.get("problems", ()) if p.get("id") == problem_id), None)
    return None if found is None else json.dumps(found, ensure_ascii=False)


class ReviewQueries(Store):
    """Reading a player's review queue (its moves happen in `save_attempt`)."""

    async def review_entries(self, user_id: int, *, graduated: bool = False) -> list[ReviewEntry]:
        """The player's queued problems, soonest due first (with `graduated`, those too, last)."""
        where = "" if graduated else "AND due_at IS NOT NULL"
        query = f"""
            SELECT {_ENTRY_COLUMNS} FROM review_queue
            WHERE user_id = ? {where}
            ORDER BY due_at IS NULL, due_at, problem_id
        """
        async with self._read() as conn:
            rows = await conn.execute_fetchall(query, (user_id,))
        return [_entry(row) for row in rows]

    async def review_queue(self, user_id: int, now: float) -> ReviewQueue:
        """The player's queue at `now`: what is due, when the next is, how many wait."""
        return ReviewQueue.of(await self.review_entries(user_id), now)


def _entry(row: sqlite3.Row) -> ReviewEntry:
    fields = dict(row)
    last_result = fields.pop("last_result")
    return ReviewEntry(**fields, last_correct=last_result == "right")
