"""Solo runs (practice, review) in members' DM channels: the engine's SoloRun, storage and a view.

Every answer is judged by the engine, stored, and only then shown with its verdict and
explanation; the next problem follows at once. A run is one open session (guild 0, the
member's DM channel, its mode), so it survives a restart: `resume_all` re-arms the open
runs of the solo modes. No discord import: the Discord edge implements `SoloView`.

Where problems come from is a `ProblemSource`: practice picks a topic's problems
(bot/challenges/practice.py); review serves the member's due problems the same way
(bot/challenges/due.py). A mode that must learn of each answer adds a hook to
`after_answer` (review needs none: storing an answer moves its queue).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from bot.challenges.answers import save_answer
from bot.challenges.live import ProblemClosed
from bot.challenges.resume import resume_each
from bot.content import ContentLibrary
from bot.engine.problems import Pack, Problem
from bot.engine.session import ChallengeError, Clock
from bot.engine.solo import SoloProblem, SoloRun, SoloSummary, Verdict
from bot.storage import (
    LOCAL_GUILD_ID,
    SOLO_MODES,
    ChannelBusy,
    Database,
    SessionMode,
    SessionStatus,
    StoredSession,
)

log = logging.getLogger("anneal.solo")
T = TypeVar("T")

# A run nobody has touched for this long is let go at the next restart (its answers kept).
SOLO_IDLE = 7 * 86_400.0
RUN_OVER = "This run is over; start another one any time."
PROBLEMS_GONE = (
    "Your run could not continue after my restart because its problems changed. Every "
    "answer you gave is saved; start another one any time."
)


@dataclass(frozen=True)
class SoloSet:
    """The problems a source picked for one run, and the name the run goes by.

    `label` is stored as the session's pack id and shown after the mode ("Practice:
    StepLR"). Problems in no shipped pack (generated ones) come in `generated`, which is
    kept with the session so the run can resume.
    """

    label: str
    problems: tuple[Problem, ...]
    generated: Pack | None = None


class ProblemSource(Protocol):
    """Where a solo run's problems come from: practice's topics, review's due problems."""

    async def pick(self, user_id: int, count: int) -> SoloSet:
        """Up to `count` problems for the member, in the order to play them.

        Raises a ChallengeError (its message is shown) when there is nothing to play.
        """
        ...


@dataclass(eq=False)
class LiveSolo:
    """One member's run in play in their DM channel."""

    session_id: int
    user_id: int
    channel_id: int
    mode: SessionMode
    label: str
    run: SoloRun
    shown: dict[int, int] = field(default_factory=dict)  # message id -> problem index shown
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def title(self) -> str:
        """What the member reads the run as: "Practice: StepLR"."""
        return f"{self.mode.value.title()}: {self.label}"


class SoloView(Protocol):
    """How runs are shown; the Discord feature implements it (in DMs)."""

    async def show_problem(self, live: LiveSolo, shown: SoloProblem) -> int:
        """Post the problem; return the message id its answers arrive on."""
        ...

    async def show_verdict(self, live: LiveSolo, verdict: Verdict) -> None:
        """Say right or wrong, with the explanation and why each other option is wrong."""
        ...

    async def show_summary(
        self, live: LiveSolo, summary: SoloSummary, status: SessionStatus
    ) -> None:
        """Show the end of the run: right out of answered, per scheduler, what to review."""
        ...

    async def show_notice(self, user_id: int, channel_id: int, text: str) -> None:
        """Tell the member something about their run (resumed, could not go on)."""
        ...


# Told of every answer once it is stored: (the run, its verdict). Failures are logged.
AfterAnswer = Callable[[LiveSolo, Verdict], Awaitable[None]]


@dataclass(frozen=True)
class SoloReadBack:
    """A run's problem message to read back after a restart: reactions added while away."""

    live: LiveSolo
    message_id: int


class SoloPlay:
    """Every member's solo run: starts them, judges and stores answers, resumes them."""

    def __init__(
        self,
        db: Database,
        library: ContentLibrary,
        view: SoloView,
        clock: Clock,
        *,
        modes: Collection[SessionMode] = SOLO_MODES,
        idle_limit: float = SOLO_IDLE,
    ) -> None:
        self.db = db
        self.library = library
        self.view = view
        self.clock = clock
        self.modes = frozenset(modes)  # the modes this one re-arms after a restart
        self.idle_limit = idle_limit
        self.after_answer: list[AfterAnswer] = []
        self._by_channel: dict[int, LiveSolo] = {}
        self._by_message: dict[int, LiveSolo] = {}
        self._starting: dict[int, asyncio.Lock] = {}  # per channel: one start at a time

    # -- looking things up --------------------------------------------------------------

    def in_channel(self, channel_id: int) -> LiveSolo | None:
        """The run open in the (DM) channel, if any."""
        return self._by_channel.get(channel_id)

    def run_of(self, user_id: int) -> LiveSolo | None:
        """The member's run in play, if any (a member plays alone in one DM channel)."""
        return next((live for live in self._by_channel.values() if live.user_id == user_id), None)

    def knows_message(self, message_id: int) -> bool:
        """A problem message of a run in play (current or already answered)."""
        return message_id in self._by_message

    # -- starting and ending --------------------------------------------------------------

    async def start(
        self,
        *,
        user_id: int,
        user_name: str,
        channel_id: int,
        chosen: SoloSet,
        mode: SessionMode,
    ) -> LiveSolo:
        """Start a run of `chosen` in the member's channel and post its first problem.

        A run already open there (of any solo mode) ends first, stopped: a member who asks
        for a new run wants it, and every answer of the old one is kept.
        """
        if mode not in SOLO_MODES:
            raise ValueError(f"{mode} is not played alone")
        if not chosen.problems:
            raise ValueError("a solo run needs at least one problem")
        lock = self._starting.setdefault(channel_id, asyncio.Lock())
        async with lock:
            await self._end_open(channel_id)
            await self.db.upsert_user(user_id, user_name)
            ids = [p.id for p in chosen.problems]
            try:
                session_id = await self.db.create_session(
                    LOCAL_GUILD_ID, channel_id, chosen.label, ids, user_id, self.clock(), mode=mode
                )
            except ChannelBusy as exc:  # another process started one meanwhile
                raise ChallengeError(
                    "Another run is starting here; try again in a moment."
                ) from exc
            if chosen.generated is not None:
                await self.db.save_session_pack(session_id, chosen.generated.model_dump_json())
            run = SoloRun(user_id, chosen.problems, self.clock)
            live = LiveSolo(session_id, user_id, channel_id, mode, chosen.label, run)
            self._by_channel[channel_id] = live
            async with live.lock:
                try:
                    await self._show(live)
                except BaseException:
                    await self._abandon(live)  # never leave the channel blocked by a dead start
                    raise
        return live

    async def _end_open(self, channel_id: int) -> None:
        """Stop the run open in the channel, live or only stored (e.g. one that failed to
        resume), without a summary."""
        live = self._by_channel.get(channel_id)
        if live is not None:
            async with live.lock:
                self._forget(live)
                with contextlib.suppress(ChallengeError):
                    await self._end(live.session_id, SessionStatus.STOPPED)
        stored = await self.db.open_session_in_channel(channel_id)
        if stored is not None:
            await self._end(stored.id, SessionStatus.STOPPED)

    async def repost(self, channel_id: int) -> LiveSolo | None:
        """Post the open run's current problem again (the member lost it); None if no run."""

        async def show_again(live: LiveSolo) -> LiveSolo:
            await self._show(live)
            return live

        return await self._with_run(channel_id, show_again)

    async def stop(self, channel_id: int) -> SoloSummary | None:
        """End the channel's run now, with its summary; None if no run is open there."""
        return await self._with_run(
            channel_id, lambda live: self._finish(live, SessionStatus.STOPPED)
        )

    async def _with_run(
        self, channel_id: int, action: Callable[[LiveSolo], Awaitable[T]]
    ) -> T | None:
        """`action` on the channel's run under its lock; None if no run is open there."""
        live = self._by_channel.get(channel_id)
        if live is None:
            return None
        async with live.lock:
            if self._by_channel.get(channel_id) is not live:
                return None  # it ended while we waited for the lock
            return await action(live)

    def close(self) -> None:
        """Forget the live runs at shutdown; they stay open in the database and resume."""
        self._by_channel.clear()
        self._by_message.clear()

    # -- answers and hints --------------------------------------------------------------

    def _live(self, message_id: int, user_id: int) -> LiveSolo:
        live = self._by_message.get(message_id)
        if live is None or self._by_channel.get(live.channel_id) is not live:
            raise ProblemClosed(RUN_OVER)
        if user_id != live.user_id:
            raise ProblemClosed("This run is someone else's.")
        return live

    async def answer(
        self, *, message_id: int, user_id: int, option: str, answered_at: float | None = None
    ) -> Verdict:
        """Judge an answer to the problem posted as `message_id`, store it, then show the
        verdict and the next problem (or the summary). Raises ChallengeError when it does
        not count (another problem, not an option, not saved: AnswerNotSaved)."""
        at = self.clock() if answered_at is None else answered_at
        live = self._live(message_id, user_id)
        async with live.lock:
            if self._by_channel.get(live.channel_id) is not live:
                raise ProblemClosed(RUN_OVER)
            verdict = live.run.judge(option, index=live.shown.get(message_id), at=at)
            await save_answer(self.db, live.session_id, verdict.attempt, None, ended=RUN_OVER)
            live.run.record(verdict)  # only once it is safely on disk
            await self._after(live, verdict)
        return verdict

    async def _after(self, live: LiveSolo, verdict: Verdict) -> None:
        """The verdict, the hooks, then the next problem or the summary. The answer is
        stored already: a failure here is logged, never reported as an answer lost."""
        try:
            await self.view.show_verdict(live, verdict)
            for hook in self.after_answer:
                try:
                    await hook(live, verdict)
                except Exception:
                    log.exception("an after-answer hook failed in session %d", live.session_id)
            if live.run.finished:
                await self._finish(live, SessionStatus.FINISHED)
            else:
                await self._show(live)
        except Exception:
            # The member can ask for the problem again (`practice` with nothing after it).
            log.exception("solo session %d could not move on", live.session_id)

    async def hint(self, *, message_id: int, user_id: int) -> str:
        """The hint of the problem posted as `message_id`, noted once (it costs nothing alone)."""
        live = self._live(message_id, user_id)
        async with live.lock:
            use = live.run.check_hint(index=live.shown.get(message_id))
            if not live.run.hinted(use.problem_id):
                await self.db.save_hint(live.session_id, use)
                live.run.record_hint(use)
        current = live.run.current
        assert current is not None  # check_hint refuses a finished run
        return current.problem.hint

    # -- moving on ------------------------------------------------------------------------

    async def _show(self, live: LiveSolo) -> None:
        current = live.run.current
        assert current is not None  # only called while a problem waits for its answer
        now = self.clock()
        # Stored before it is shown: a crash from here on resumes on this problem. The
        # "deadline" of an untimed run is when an untouched run is let go.
        await self.db.set_current_problem(
            live.session_id, current.index, now, now + self.idle_limit
        )
        message_id = await self.view.show_problem(live, current)
        live.shown[message_id] = current.index
        self._by_message[message_id] = live
        await self.db.set_problem_message(live.session_id, message_id)

    async def _finish(self, live: LiveSolo, status: SessionStatus) -> SoloSummary:
        summary = live.run.summary()
        await self._end(live.session_id, status)
        self._forget(live)
        await self.view.show_summary(live, summary, status)
        return summary

    async def _end(self, session_id: int, status: SessionStatus) -> None:
        try:
            await self.db.end_session(session_id, status, self.clock())
        except Exception as exc:
            raise ChallengeError("I couldn't close that run just now; try again.") from exc

    async def _abandon(self, live: LiveSolo) -> None:
        self._forget(live)
        with contextlib.suppress(Exception):
            await self.db.end_session(live.session_id, SessionStatus.STOPPED, self.clock())

    def _forget(self, live: LiveSolo) -> None:
        if self._by_channel.get(live.channel_id) is live:
            del self._by_channel[live.channel_id]
        for message_id in live.shown:
            if self._by_message.get(message_id) is live:
                del self._by_message[message_id]

    # -- resuming after a restart -------------------------------------------------------

    async def resume_all(self) -> list[SoloReadBack]:
        """Bring back every open run of this one's modes; return the problem messages whose
        reactions (added while the bot was away) the caller should read back.

        A run left untouched past its idle limit is let go (expired, answers kept); one
        whose problems are gone ends with a notice; one whose problem was never posted, or
        was answered just before the crash, gets its current problem posted now.
        """
        ours = [
            stored
            for stored in await self.db.open_sessions(sorted(self.modes))
            # Local (terminal) profiles have negative ids: their runs are the terminal's.
            if stored.started_by > 0 and stored.channel_id not in self._by_channel
        ]
        return await resume_each(self.db, ours, self._resume, self.clock)

    async def _resume(self, stored: StoredSession) -> SoloReadBack | None:
        let_go_at = (
            stored.deadline if stored.deadline is not None else stored.started_at + self.idle_limit
        )
        if self.clock() > let_go_at:
            await self.db.end_session(stored.id, SessionStatus.EXPIRED, self.clock())
            return None
        problems = await self._problems_of(stored)
        if problems is None:
            await self.db.end_session(stored.id, SessionStatus.STOPPED, self.clock())
            await self.view.show_notice(stored.started_by, stored.channel_id, PROBLEMS_GONE)
            return None
        run = SoloRun.restore(
            stored.started_by,
            problems,
            self.clock,
            attempts=await self.db.attempts_for_session(stored.id),
            hints=await self.db.hints_for_session(stored.id),
        )
        live = LiveSolo(
            stored.id, stored.started_by, stored.channel_id, stored.mode, stored.pack_id, run
        )
        self._by_channel[stored.channel_id] = live
        async with live.lock:
            current = run.current
            if current is None:  # the last answer was stored just before the crash
                await self._finish(live, SessionStatus.FINISHED)
                return None
            if stored.message_id is not None and stored.current_index == current.index:
                live.shown[stored.message_id] = current.index
                self._by_message[stored.message_id] = live
                return SoloReadBack(live, stored.message_id)
            # Never posted, or answered just before the crash: post where the run stands.
            notice = f"🔄 I'm back. Here is problem {current.number}/{current.total} again."
            await self.view.show_notice(live.user_id, live.channel_id, notice)
            await self._show(live)
        return None

    async def _problems_of(self, stored: StoredSession) -> list[Problem] | None:
        """The session's problems by id (shipped, or kept with the session); None if one
        of them is gone."""
        kept: dict[str, Problem] = {}
        if (saved := await self.db.session_pack(stored.id)) is not None:
            pack = Pack.model_validate_json(saved)
            self.library.remember_generated(pack)  # so `!run <problem-id>` finds them
            kept = {p.id: p for p in pack.problems}
        found = []
        for problem_id in stored.problem_ids:
            shipped = self.library.find_problem(problem_id)
            problem = kept.get(problem_id) or (shipped[1] if shipped else None)
            if problem is None:
                return None
            found.append(problem)
        return found
