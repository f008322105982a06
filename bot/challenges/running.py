"""The machinery under ChallengeManager: each live challenge's timers, reveals and end.

A problem is revealed when the engine's pace rules say (bot/engine/pace.py): at its
deadline, or soon after everyone playing is done. Timers sleep on the injected clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math

from bot.challenges.live import ChallengeView, LiveChallenge, TapGuard
from bot.engine.pace import Pace, progress, reveal_at
from bot.engine.session import Clock, Sleep
from bot.storage import Database, SessionStatus

log = logging.getLogger("anneal.challenges")

HOLD_RECHECK = 0.5  # seconds between looks at a reveal held back (see `_holding`)


class RunningChallenges:
    """The live challenges of every channel, and what moves each one on."""

    def __init__(
        self,
        db: Database,
        view: ChallengeView,
        clock: Clock,
        *,
        pace: Pace | None = None,
        progress_interval: float = 5.0,
        sleep: Sleep = asyncio.sleep,
        double_tap: float = 1.5,
    ) -> None:
        self.db = db
        self.view = view
        self.clock = clock
        self.sleep = sleep  # how timers wait for a time measured on `clock`
        # Two letters within this many seconds are one slip of the finger, not two guesses.
        self.double_tap = double_tap
        self.pace = pace or Pace()
        self.progress_interval = progress_interval  # Discord rate-limits message edits
        self._by_channel: dict[int, LiveChallenge] = {}
        self._by_message: dict[int, LiveChallenge] = {}
        # What a restart read back, kept here and used by AnsweringChallenges:
        # problems whose time ran out while the bot was down: message id -> who was heard;
        self._late: dict[int, frozenset[tuple[int, str]]] = {}
        # picks read back, not yet handed in: (message, user, letter) -> when they count as
        # arrived (the reveal of their problem waits for them);
        self._replays: dict[tuple[int, int, str], float] = {}
        # problems whose reactions are being read back: message id -> hold the reveal until.
        self._reading_back: dict[int, float] = {}

    async def close(self) -> None:
        """Stop timers at shutdown; the games stay open in the database and resume."""
        for live in list(self._by_channel.values()):
            self._cancel_timer(live)
            if live.progress is not None:
                live.progress.cancel()
        self._by_channel.clear()
        self._by_message.clear()

    def _holding(self, live: LiveChallenge) -> bool:
        """Whether the reveal must wait although it is due (answers are still coming in)."""
        return False

    def _after_change(self, live: LiveChallenge) -> None:
        """After an answer or hint: move the reveal if the pace says so, refresh the footer."""
        due = reveal_at(live.session, self.pace)
        if due != live.timer_due:
            self._arm(live, due)
        self._schedule_progress(live)

    # -- progress, deadlines, reveal ----------------------------------------------------

    def _schedule_progress(self, live: LiveChallenge) -> None:
        if live.progress is not None and not live.progress.done():
            return  # an update is already on its way and will show the latest count
        wait = max(0.0, live.progress_shown_at + self.progress_interval - self.clock())
        live.progress = asyncio.create_task(self._show_progress(live, wait))

    async def _show_progress(self, live: LiveChallenge, wait: float) -> None:
        await self.sleep(wait)
        current = live.session.current
        if current is None:
            return
        live.progress_shown_at = self.clock()
        counts = progress(live.session, self.pace, self.clock())
        try:
            await self.view.show_progress(live, current, counts)
        except Exception:
            log.exception("could not update the progress of session %d", live.session_id)

    def _arm(self, live: LiveChallenge, due: float) -> None:
        self._cancel_timer(live)
        live.timer_due = due
        live.timer = asyncio.create_task(self._at_reveal_time(live, due))

    def _cancel_timer(self, live: LiveChallenge) -> None:
        # The timer itself arms the next problem's timer: never cancel the running task.
        if live.timer is not None and live.timer is not asyncio.current_task():
            live.timer.cancel()
        live.timer = None
        live.timer_due = math.inf

    async def _at_reveal_time(self, live: LiveChallenge, due: float) -> None:
        await self.sleep(max(0.0, due - self.clock()))
        async with live.lock:
            if live.timer is not asyncio.current_task() or live.session.current is None:
                return  # re-armed or moved on while waiting for the lock
            later = reveal_at(live.session, self.pace)
            if later > self.clock():
                self._arm(live, later)  # someone joined while this timer slept
                return
            if self._holding(live):
                self._arm(live, self.clock() + HOLD_RECHECK)
                return
            await self._move_on(live)

    async def _move_on(self, live: LiveChallenge) -> None:
        """Reveal the open problem, then open the next one or finish the challenge."""
        try:
            await self._reveal(live)
            if live.session.finished:
                await self._finish(live, SessionStatus.FINISHED)
            else:
                await self._open_next(live)
        except Exception:
            log.exception("challenge %d failed while moving on", live.session_id)
            await self._abandon(live)

    async def _open_next(self, live: LiveChallenge, *, until: float | None = None) -> None:
        opened = live.session.open_next(until=until)
        # Stored before it is shown: a crash from here on resumes this problem.
        await self.db.set_current_problem(
            live.session_id, opened.index, opened.opened_at, opened.deadline
        )
        counts = progress(live.session, self.pace, self.clock())
        message_id = await self.view.show_problem(live, opened, counts)
        self._track_message(live, message_id)  # before any await: reactions may follow fast
        await self.db.set_problem_message(live.session_id, message_id)
        live.progress_shown_at = -math.inf
        self._arm(live, reveal_at(live.session, self.pace))

    def _track_message(self, live: LiveChallenge, message_id: int) -> None:
        live.message_id = message_id
        live.taps = TapGuard(self.double_tap)  # the double-tap guard is per problem
        self._by_message[message_id] = live

    async def _reveal(self, live: LiveChallenge) -> None:
        reveal = live.session.reveal()
        if live.message_id is not None:
            self._by_message.pop(live.message_id, None)
            live.closed_messages.add(live.message_id)
            live.message_id = None
        await self.view.show_reveal(live, reveal)

    async def _finish(self, live: LiveChallenge, status: SessionStatus) -> None:
        summary = live.session.summary()
        new_badges = []
        if status is not SessionStatus.STOPPED:  # finished, or ended by a long outage
            for user_id in summary.badge_winners:
                if await self.db.award_badge(
                    live.guild_id, user_id, live.pack.badge.name, live.pack.id, self.clock()
                ):
                    new_badges.append(user_id)
        await self.db.end_session(live.session_id, status, self.clock())
        self._forget(live)
        await self.view.show_summary(live, summary, new_badges, status)

    async def _abandon(self, live: LiveChallenge) -> None:
        """After an unexpected error, end the session rather than leave the channel stuck."""
        self._forget(live)
        with contextlib.suppress(Exception):
            await self.db.end_session(live.session_id, SessionStatus.STOPPED, self.clock())
        with contextlib.suppress(Exception):
            await self.view.show_notice(
                live.channel_id,
                "Something went wrong and this challenge had to stop. Every answer is saved.",
            )

    def _forget(self, live: LiveChallenge) -> None:
        self._cancel_timer(live)
        self._by_channel.pop(live.channel_id, None)
        for message_id in [live.message_id, *live.closed_messages]:
            if message_id is not None:
                self._by_message.pop(message_id, None)
