"""Storing an answer, with errors a player can be told about instead of raw database ones."""

from __future__ import annotations

import logging
import sqlite3

from bot.challenges.live import AnswerNotSaved, ProblemClosed
from bot.engine.session import Attempt, ChallengeError
from bot.storage import AttemptAlreadyRecorded, Database, SessionNotOpen, StorageError

log = logging.getLogger("anneal.challenges")


async def save_answer(
    db: Database,
    session_id: int,
    attempt: Attempt,
    user_name: str | None,
    *,
    ended: str = "This challenge has already ended.",
) -> None:
    """Store the attempt with the player's name (None: stored already) in one transaction,
    or say why it failed; `ended` is what a player is told when the session is over."""
    try:
        await db.save_attempt(session_id, attempt, display_name=user_name)
    except SessionNotOpen as exc:
        raise ProblemClosed(ended) from exc
    except AttemptAlreadyRecorded as exc:
        raise ChallengeError(str(exc)) from exc
    # StorageError: what storage raises on purpose (e.g. still busy after its retries); the
    # sqlite3 errors are the raw ones it does not wrap (locked, disk full, I/O error).
    except (StorageError, sqlite3.Error) as exc:
        log.warning(
            "could not save an answer of %d in session %d: %s", attempt.user_id, session_id, exc
        )
        raise AnswerNotSaved(
            "I couldn't save your answer just now, so it was not counted: react again in a moment."
        ) from exc
