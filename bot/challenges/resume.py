"""Bringing an open challenge back after a restart: its session rebuilt from what was stored.

Nothing here posts or arms a timer: `ChallengeManager.resume_all` does, with the session
`restore_session` returns, or ends the challenge with the notice `CannotResume` carries.
"""

from __future__ import annotations

from bot.content import ContentLibrary
from bot.engine.problems import Pack
from bot.engine.scoring import ScoringRules
from bot.engine.session import ChallengeSession, Clock, OpenProblem
from bot.storage import Database, SessionStatus, StoredSession

PROBLEMS_CHANGED = (
    "The challenge here could not continue after my restart because its problems "
    "changed. Every answer given is saved; start a new one any time."
)
RAN_OUT_OFFLINE = (
    "⏰ The challenge here ran out of time while I was offline. Every answer "
    "given is saved; start a new one any time."
)


class CannotResume(Exception):
    """The stored challenge cannot go on: it ends as `status`, and `notice` tells the channel."""

    def __init__(self, status: SessionStatus, notice: str) -> None:
        self.status = status
        self.notice = notice
        super().__init__(notice)


def back_notice(opened: OpenProblem) -> str:
    """What the channel reads when its challenge carries on after the restart."""
    return (
        f"🔄 I'm back. Problem {opened.number}/{opened.total} is still open until "
        f"<t:{int(opened.deadline)}:R>; every answer given before is kept."
    )


async def stored_pack(db: Database, library: ContentLibrary, stored: StoredSession) -> Pack | None:
    """The session's pack: a shipped one by id, or the generated one saved with the session."""
    pack = library.packs.get(stored.pack_id)
    if pack is None and (saved := await db.session_pack(stored.id)) is not None:
        pack = Pack.model_validate_json(saved)
        library.remember_generated(pack)  # so `!run <problem-id>` finds it
    return pack


async def restore_session(
    db: Database, library: ContentLibrary, stored: StoredSession, clock: Clock
) -> ChallengeSession:
    """The session with its attempts, hints and open problem; CannotResume if it cannot go on."""
    pack = await stored_pack(db, library, stored)
    known = {p.id: p for p in pack.problems} if pack else {}
    if pack is None or any(pid not in known for pid in stored.problem_ids):
        raise CannotResume(SessionStatus.STOPPED, PROBLEMS_CHANGED)
    if stored.deadline is None or stored.opened_at is None or stored.deadline < clock():
        raise CannotResume(SessionStatus.EXPIRED, RAN_OUT_OFFLINE)
    settings = await db.guild_settings(stored.guild_id)
    return ChallengeSession.restore(
        pack,
        clock,
        problems=[known[pid] for pid in stored.problem_ids],
        current_index=stored.current_index,
        opened_at=stored.opened_at,
        deadline=stored.deadline,
        attempts=await db.attempts_for_session(stored.id),
        hints=await db.hints_for_session(stored.id),
        time_scale=settings.timer_scale,
        rules=ScoringRules(speed_bonus=settings.speed_bonus),
    )
