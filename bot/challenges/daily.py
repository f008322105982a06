"""The live daily problems of every server: posted, answered like a challenge problem,
revealed when the next day's comes.

A daily problem is a one-problem session (mode `daily`) open until the next day's posting
time. Answers, hints and the reactions read back after a restart are the challenges'
(`AnsweringChallenges`); nothing here reveals on a timer: `DailyTurns` (daily_turns.py)
reveals a day when it claims the next one, or at its deadline when the schedule is off.
The reveal is rebuilt from storage, so it names everyone who got it, whichever process
stored their answer. No discord: the Discord edge is a `ChallengeView`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from bot.challenges.answering import AnsweringChallenges
from bot.challenges.daily_pick import DailyProblem
from bot.challenges.live import ChallengeView, LiveChallenge, ReadBack
from bot.challenges.resume import CannotResume, restore_session, resume_each
from bot.content import ContentLibrary
from bot.engine.daily_times import EPOCH, day_from_number, day_number
from bot.engine.pace import Pace, progress
from bot.engine.scoring import ScoringRules
from bot.engine.session import ChallengeSession, Clock, Sleep
from bot.storage import (
    LOCAL_GUILD_ID,
    Database,
    SessionMode,
    SessionNotOpen,
    SessionStatus,
    StoredSession,
)

log = logging.getLogger("anneal.daily")

# A daily problem is open for hours: a speed bonus would reward the time zone, not the
# thinking, so daily points are the attempt's and the hint's only.
DAILY_RULES = ScoringRules(speed_bonus=False)


@dataclass(eq=False)
class LiveDaily(LiveChallenge):
    """A server's daily problem in play, with the local day it is the problem of."""

    day: date = field(default=EPOCH)


class DailyProblems(AnsweringChallenges):
    """The daily problem live in each server (at most one per server and channel)."""

    def __init__(
        self,
        db: Database,
        library: ContentLibrary,
        view: ChallengeView,
        clock: Clock,
        *,
        pace: Pace | None = None,
        progress_interval: float = 5.0,
        sleep: Sleep = asyncio.sleep,
        double_tap: float = 1.5,
    ) -> None:
        super().__init__(
            db,
            view,
            clock,
            pace=pace,
            progress_interval=progress_interval,
            sleep=sleep,
            double_tap=double_tap,
        )
        self.library = library

    def live_in(self, guild_id: int) -> LiveDaily | None:
        """The server's daily problem live in this process, if any."""
        return next(
            (
                live
                for live in self._by_channel.values()
                if isinstance(live, LiveDaily) and live.guild_id == guild_id
            ),
            None,
        )

    def missed_open(self, guild_id: int) -> frozenset[int]:
        """The members done with the server's open problem without solving it: out of
        attempts, their streak is over already."""
        live = self.live_in(guild_id)
        session = live.session if live is not None else None
        if session is None or session.current is None:
            return frozenset()
        return frozenset(
            user_id
            for user_id in session.participants
            if session.is_done(user_id) and not any(a.correct for a in session.attempts_of(user_id))
        )

    def _arm(self, live: LiveChallenge, due: float) -> None:
        """No timer: a daily problem is revealed by the next day's turn (DailyTurns)."""

    async def post(
        self,
        *,
        guild_id: int,
        channel_id: int,
        day: date,
        daily: DailyProblem,
        until: float,
        started_by: int,
    ) -> LiveDaily:
        """Post the day's problem, open until `until`, as a new daily session.

        A session of that day made before (by a process that died before posting it) is
        posted instead, or, if it was posted after all, just taken up again.
        """
        earlier = await self.db.daily_sessions(guild_id, day_number(day))
        if earlier:
            return await self._post_earlier(earlier[0], day, until)
        session_id = await self.db.create_session(
            guild_id,
            channel_id,
            daily.pack.id,
            [daily.problem.id],
            started_by,
            self.clock(),
            mode=SessionMode.DAILY,
            daily_day=day_number(day),
        )
        if daily.generated:
            # A generated problem exists nowhere else: keep it, so the session can resume.
            await self.db.save_session_pack(session_id, daily.pack.model_dump_json())
            self.library.remember_generated(daily.pack)  # `!run <id>` finds it after the reveal
        session = ChallengeSession(
            daily.pack, self.clock, problems=[daily.problem], rules=DAILY_RULES
        )
        live = LiveDaily(session_id, guild_id, channel_id, started_by, session, day=day)
        return await self._open(live, until)

    async def _post_earlier(self, stored: StoredSession, day: date, until: float) -> LiveDaily:
        if stored.message_id is not None:
            return self._take_up(stored, await self._restore(stored, reopen=False), day)
        live = self._live(stored, await self._restore(stored, reopen=True), day)
        return await self._open(live, until)

    async def _open(self, live: LiveDaily, until: float) -> LiveDaily:
        self._by_channel[live.channel_id] = live
        async with live.lock:
            try:
                await self._open_next(live, until=until)
            except BaseException:
                self._forget(live)  # the session stays open, unposted: the turn posts it later
                raise
        return live

    async def reveal(self, stored: StoredSession, day: date) -> bool:
        """End the day's session and post its answer, with every attempt storage has.

        False when nothing was posted: its problem was never shown (or its pack changed).
        """
        live = next((v for v in self._by_channel.values() if v.session_id == stored.id), None)
        if live is not None:
            async with live.lock:  # an answer being stored finishes first
                self._forget(live)
        current = await self.db.session(stored.id) or stored
        if current.is_open:
            # Ended meanwhile (by another process): the reveal claim is ours all the same.
            with contextlib.suppress(SessionNotOpen):
                await self.db.end_session(current.id, SessionStatus.FINISHED, self.clock())
        if current.message_id is None or current.opened_at is None:
            return False
        try:
            session = await self._restore(current, reopen=False)
        except CannotResume:
            log.warning("the daily problem of session %d changed; no reveal", current.id)
            return False
        shown = self._live(current, session, day)
        shown.message_id = current.message_id
        await self._reveal(shown)
        self._forget(shown)
        return True

    async def reschedule(self, guild_id: int, until: Callable[[date], float]) -> None:
        """The schedule changed: the server's open problem stays open until `until(day)`
        (the next day's new posting time); its post shows the new time."""
        live = self.live_in(guild_id)
        if live is None:
            return
        async with live.lock:
            current = live.session.current
            if current is None or live.message_id is None:
                return
            deadline = until(live.day)
            await self.db.set_current_problem(
                live.session_id, current.index, current.opened_at, deadline, live.message_id
            )
            stored = await self.db.session(live.session_id)
            if stored is None:
                return
            live.session = await self._restore(stored, reopen=False)
            reopened = live.session.current
            assert reopened is not None  # restored on its open problem
            await self.view.show_progress(
                live, reopened, progress(live.session, self.pace, self.clock())
            )

    def drop_before(self, guild_id: int, day: date) -> None:
        """Forget the server's live problem of a day before `day`: another process revealed
        it when it posted `day`'s."""
        live = self.live_in(guild_id)
        if live is not None and live.day < day:
            self._forget(live)

    async def resume_all(self, owns: Callable[[int], bool]) -> list[ReadBack]:
        """Take up every posted daily problem still open in the servers `owns` says are this
        process's; return the messages whose reactions to read back (late: past its deadline,
        waiting for its reveal). One never posted is left to its day's turn."""
        ours = [
            (stored, day)
            for stored, day in await self.db.open_daily_sessions()
            if stored.guild_id != LOCAL_GUILD_ID
            and owns(stored.guild_id)
            and stored.message_id is not None
            and stored.channel_id not in self._by_channel
        ]
        days = {stored.id: day for stored, day in ours}

        async def resume(stored: StoredSession) -> ReadBack | None:
            session = await self._restore(stored, reopen=False)
            live = self._take_up(stored, session, day_from_number(days[stored.id]))
            assert live.message_id is not None  # only posted ones are taken up
            late = stored.deadline is None or stored.deadline < self.clock()
            return ReadBack(live.channel_id, live.message_id, late=late)

        return await resume_each(self.db, [stored for stored, _ in ours], resume, self.clock)

    def _take_up(self, stored: StoredSession, session: ChallengeSession, day: date) -> LiveDaily:
        live = self._live(stored, session, day)
        self._by_channel[live.channel_id] = live
        assert stored.message_id is not None
        self._track_message(live, stored.message_id)
        return live

    def _live(self, stored: StoredSession, session: ChallengeSession, day: date) -> LiveDaily:
        return LiveDaily(
            stored.id, stored.guild_id, stored.channel_id, stored.started_by, session, day=day
        )

    async def _restore(self, stored: StoredSession, *, reopen: bool) -> ChallengeSession:
        session = await restore_session(
            self.db, self.library, stored, self.clock, reopen=reopen, time_scale=1.0
        )
        session.rules = DAILY_RULES
        return session
