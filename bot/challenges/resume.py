"""Bringing an open challenge back after a restart: what to do with it, and its session.

Nothing here posts or arms a timer: `ChallengeManager.resume_all` does, following the
`ResumeKind` that `plan_resume` picks, with the session `restore_session` rebuilds.

How long the bot was down is measured from the open problem's deadline: that is when the
challenge needed the bot to move on. Within the resume window the game goes on; past it
the challenge ends with its scoreboard.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from enum import Enum
from typing import TypeVar

from bot.content import ContentLibrary
from bot.engine.problems import Pack
from bot.engine.scoring import ScoringRules
from bot.engine.session import ChallengeSession, Clock, OpenProblem
from bot.storage import Database, SessionStatus, StoredSession

log = logging.getLogger("anneal.challenges")
T = TypeVar("T")

PROBLEMS_CHANGED = (
    "The challenge here could not continue after my restart because its problems "
    "changed. Every answer given is saved; start a new one any time."
)
LATE_PICK = (
    "That problem's time ran out while I was offline, so picks on it can no longer count "
    "(Discord does not say when a reaction was added)."
)


class ResumeKind(Enum):
    """What a restarted bot does with a challenge it finds open."""

    CONTINUE = "continue"  # the open problem's deadline is still ahead: carry on
    REOPEN = "reopen"  # its problem was stored but never posted: post it with its full time
    OVERDUE = "overdue"  # the deadline passed while down: reveal it, go on to the next
    TOO_LATE = "too late"  # down longer than the resume window: reveal, then the scoreboard


class CannotResume(Exception):
    """The stored challenge cannot go on: it ends as `status`, and `notice` tells the channel."""

    def __init__(self, status: SessionStatus, notice: str) -> None:
        self.status = status
        self.notice = notice
        super().__init__(notice)


def plan_resume(stored: StoredSession, now: float, window: float) -> ResumeKind:
    """Carry on, re-post, reveal and go on, or end: by how long the challenge waited."""
    if stored.deadline is None or stored.message_id is None:
        # Nobody has seen this problem, so it can start over with its whole time.
        since = now - (stored.deadline if stored.deadline is not None else stored.started_at)
        return ResumeKind.TOO_LATE if since > window else ResumeKind.REOPEN
    if now <= stored.deadline:
        return ResumeKind.CONTINUE
    if now - stored.deadline <= window:
        return ResumeKind.OVERDUE
    return ResumeKind.TOO_LATE


def back_notice(opened: OpenProblem) -> str:
    """What the channel reads when its challenge carries on after the restart."""
    return (
        f"🔄 I'm back. Problem {opened.number}/{opened.total} is still open until "
        f"<t:{int(opened.deadline)}:R>; every answer given before is kept."
    )


def reopen_notice(number: int, total: int) -> str:
    """What the channel reads when a problem that never got posted is posted now."""
    return f"🔄 I'm back. Problem {number}/{total} did not get posted before; here it is."


def overdue_notice(opened: OpenProblem) -> str:
    """What the channel reads when the open problem's time ran out while the bot was down."""
    then = (
        "The scoreboard follows."
        if opened.number == opened.total
        else f"Problem {opened.number + 1}/{opened.total} comes next, with its full time."
    )
    return (
        f"🔄 I'm back. Problem {opened.number}/{opened.total} ran out of time while I was "
        f"offline: here is its answer, with every pick made before I went down. {then}"
    )


def too_late_notice(opened: OpenProblem | None, window: float) -> str:
    """What the channel reads when the bot was down too long for the challenge to go on."""
    minutes = max(1, round(window / 60))
    what = f"problem {opened.number}/{opened.total}'s" if opened is not None else "its"
    return (
        f"⏰ I was offline for more than {minutes} minute{'s' if minutes != 1 else ''} after "
        f"{what} time ran out, so this challenge ends here with its scoreboard. Every "
        "answer given is saved; start a new one any time."
    )


async def stored_pack(db: Database, library: ContentLibrary, stored: StoredSession) -> Pack | None:
    """The session's pack: a shipped one by id, or the generated one saved with the session."""
    pack = library.packs.get(stored.pack_id)
    if pack is None and (saved := await db.session_pack(stored.id)) is not None:
        pack = Pack.model_validate_json(saved)
        library.remember_generated(pack)  # so `!run <problem-id>` finds it
    return pack


async def restore_session(
    db: Database,
    library: ContentLibrary,
    stored: StoredSession,
    clock: Clock,
    *,
    reopen: bool,
    time_scale: float | None = None,
) -> ChallengeSession:
    """The session with its attempts and hints, on its open problem (or, `reopen`, just before
    it, ready to open it anew); CannotResume if its problems are gone.

    Time limits are scaled by `time_scale`, or by the guild's timer when it is None.
    """
    pack = await stored_pack(db, library, stored)
    known = {p.id: p for p in pack.problems} if pack else {}
    if pack is None or any(pid not in known for pid in stored.problem_ids):
        raise CannotResume(SessionStatus.STOPPED, PROBLEMS_CHANGED)
    settings = await db.guild_settings(stored.guild_id)
    is_open = not reopen and stored.opened_at is not None and stored.deadline is not None
    return ChallengeSession.restore(
        pack,
        clock,
        problems=[known[pid] for pid in stored.problem_ids],
        current_index=stored.current_index if is_open else None,
        opened_at=stored.opened_at if is_open else None,
        deadline=stored.deadline if is_open else None,
        next_index=stored.current_index,
        attempts=await db.attempts_for_session(stored.id),
        hints=await db.hints_for_session(stored.id),
        time_scale=settings.timer_scale if time_scale is None else time_scale,
        rules=ScoringRules(speed_bonus=settings.speed_bonus),
    )


async def resume_each(
    db: Database,
    sessions: Iterable[StoredSession],
    resume: Callable[[StoredSession], Awaitable[T | None]],
    clock: Clock,
) -> list[T]:
    """`resume` every stored session, collecting what each returns (None: nothing). One
    that fails is logged and stopped, so it never blocks its channel nor the others."""
    found: list[T] = []
    for stored in sessions:
        try:
            if (result := await resume(stored)) is not None:
                found.append(result)
        except Exception:
            log.exception("could not resume session %d", stored.id)
            with contextlib.suppress(Exception):
                await db.end_session(stored.id, SessionStatus.STOPPED, clock())
    return found
