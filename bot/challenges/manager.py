"""ChallengeManager: starts, runs, resumes and ends the challenges of every channel.

Each answer is judged by the engine, written to SQLite, and only then acknowledged.
Every live challenge has one lock: answers, hints, the deadline timer and `stop` take
turns, so a reaction that races the reveal is either counted or told the problem closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable

from bot.challenges.answers import save_answer
from bot.challenges.live import (
    ChallengeNotAllowedHere,
    ChallengeRunning,
    ChallengeView,
    LiveChallenge,
    NoChallengeHere,
    ProblemClosed,
    TapGuard,
    UnknownPack,
)
from bot.challenges.resume import CannotResume, back_notice, restore_session
from bot.content import FRESH_PACK_ID, ContentLibrary
from bot.engine.problems import Pack, Problem
from bot.engine.scoring import ScoringRules
from bot.engine.session import (
    AnswerOutcome,
    ChallengeError,
    ChallengeSession,
    Clock,
    HintUse,
)
from bot.storage import LOCAL_GUILD_ID, ChannelBusy, Database, SessionStatus, StoredSession

log = logging.getLogger("anneal.challenges")


# Waits this many seconds of `clock` time, like asyncio.sleep; tests pass a fake clock's.
Sleep = Callable[[float], Awaitable[None]]


class ChallengeManager:
    """Every live challenge of the bot: starts them, judges and stores answers, times them."""

    def __init__(
        self,
        db: Database,
        library: ContentLibrary,
        view: ChallengeView,
        clock: Clock,
        *,
        grace: float = 5.0,
        progress_interval: float = 5.0,
        fresh: Callable[[], Awaitable[Pack]] | None = None,
        sleep: Sleep = asyncio.sleep,
        double_tap: float = 1.5,
    ) -> None:
        self.db = db
        self.library = library
        self.view = view
        self.clock = clock
        self.sleep = sleep  # how timers wait for a deadline measured on `clock`
        self.grace = grace  # once everyone is done, latecomers get this long to join in
        self.progress_interval = progress_interval  # Discord rate-limits message edits
        self.fresh = fresh  # generates the `fresh` pack, new problems every time
        # Two letters within this many seconds are one slip of the finger, not two guesses.
        self.double_tap = double_tap
        self._by_channel: dict[int, LiveChallenge] = {}
        self._by_message: dict[int, LiveChallenge] = {}

    # -- looking things up --------------------------------------------------------------

    def in_channel(self, channel_id: int) -> LiveChallenge | None:
        """The challenge live in the channel, if any."""
        return self._by_channel.get(channel_id)

    def knows_message(self, message_id: int) -> bool:
        """A problem message of a live challenge, open or already revealed."""
        return message_id in self._by_message or any(
            message_id in live.closed_messages for live in self._by_channel.values()
        )

    def unrevealed_problems(self, guild_id: int | None) -> list[Problem]:
        """Problems of the guild's live challenges not revealed yet (None: of every guild)."""
        return [
            problem
            for live in self._by_channel.values()
            if guild_id is None or live.guild_id == guild_id
            for problem in live.session.unrevealed
        ]

    async def resolve_pack(self, pack_id: str | None) -> Pack:
        """The pack to play: the default, a shipped one by id, or a freshly generated one."""
        if pack_id is None:
            return self.library.default_pack()
        wanted = pack_id.strip().lower()
        pack = self.library.packs.get(wanted)
        if pack is not None:
            return pack
        if wanted == FRESH_PACK_ID:
            if self.fresh is None:
                raise UnknownPack("Fresh problems need `!run`'s torch workers, which are off.")
            pack = await self.fresh()
            self.library.remember_generated(pack)
            return pack
        known = ", ".join(f"`{p}`" for p in [*self.library.packs, FRESH_PACK_ID])
        raise UnknownPack(f"There is no pack `{pack_id}`. The packs are: {known}.")

    # -- starting and stopping ----------------------------------------------------------

    async def start(
        self,
        *,
        guild_id: int,
        guild_name: str,
        channel_id: int,
        user_id: int,
        user_name: str,
        pack_id: str | None = None,
    ) -> LiveChallenge:
        """Start a challenge in the channel and post its first problem."""
        if (running := self._by_channel.get(channel_id)) is not None:
            raise ChallengeRunning(running)
        pack = await self.resolve_pack(pack_id)
        await self.db.upsert_guild(guild_id, guild_name)
        settings = await self.db.guild_settings(guild_id)
        if not settings.allows(channel_id):
            channels = ", ".join(f"<#{c}>" for c in sorted(settings.allowed_channel_ids))
            raise ChallengeNotAllowedHere(f"Challenges run in {channels} on this server.")
        await self.db.upsert_user(user_id, user_name)
        session = ChallengeSession(
            pack,
            self.clock,
            time_scale=settings.timer_scale,
            rules=ScoringRules(speed_bonus=settings.speed_bonus),
        )
        problem_ids = [p.id for p in session.problems]
        try:
            session_id = await self.db.create_session(
                guild_id, channel_id, pack.id, problem_ids, user_id, self.clock()
            )
        except ChannelBusy as exc:
            raise ChallengeError(
                "A challenge is already running in this channel (started elsewhere)."
            ) from exc
        if pack.id not in self.library.packs:
            # A generated pack exists nowhere else: keep it, so the session can resume.
            await self.db.save_session_pack(session_id, pack.model_dump_json())
        live = LiveChallenge(session_id, guild_id, channel_id, user_id, session)
        self._by_channel[channel_id] = live
        async with live.lock:
            try:
                await self._open_next(live)
            except BaseException:
                await self._abandon(live)  # never leave the channel blocked by a dead start
                raise
        return live

    async def stop(self, channel_id: int, user_id: int, *, is_moderator: bool) -> None:
        """End the challenge early: the starter or a moderator may; the summary is shown."""
        live = self._by_channel.get(channel_id)
        if live is None:
            raise NoChallengeHere("There is no challenge running in this channel.")
        if user_id != live.started_by and not is_moderator:
            raise ChallengeError(
                "Only the member who started this challenge, or a moderator, can stop it."
            )
        async with live.lock:
            self._cancel_timer(live)
            if live.session.current is not None:
                await self._reveal(live)
            await self._finish(live, SessionStatus.STOPPED)

    async def close(self) -> None:
        """Stop timers at shutdown; the challenges stay open in the database and resume."""
        for live in list(self._by_channel.values()):
            self._cancel_timer(live)
            if live.progress is not None:
                live.progress.cancel()
        self._by_channel.clear()
        self._by_message.clear()

    # -- answers and hints --------------------------------------------------------------

    def _live_problem(self, message_id: int) -> LiveChallenge:
        live = self._by_message.get(message_id)
        if live is None:
            raise ProblemClosed("That problem is closed; answer the current one.")
        return live

    async def answer(
        self,
        *,
        message_id: int,
        user_id: int,
        user_name: str,
        option: str,
        answered_at: float | None = None,
    ) -> AnswerOutcome:
        """Judge an answer to the problem posted as `message_id`, store it, then return it.

        `answered_at` is when the answer reached the bot (default: now). The deadline, the
        speed bonus and the double-tap guard use it, never the time the lock was free, so
        an answer queued behind others (or behind a busy database) is judged as it arrived.
        Raises DoubleTap for a pick within `double_tap` seconds of the previous counted one,
        AnswerNotSaved when storage fails (nothing is counted; the player may try again).
        """
        at = self.clock() if answered_at is None else answered_at
        live = self._live_problem(message_id)
        # Claimed before waiting for the lock: a second tap that arrives while the first
        # is being stored must see it.
        previous = live.taps.claim(user_id, at)
        try:
            async with live.lock:
                if live.message_id != message_id:
                    raise ProblemClosed("That problem is closed; answer the current one.")
                outcome = live.session.judge(user_id, option, at=at)
                await save_answer(self.db, live.session_id, outcome.attempt, user_name)
                live.session.record(outcome.attempt)  # only once it is safely on disk
                self._after_answer(live)
        except BaseException:
            live.taps.release(user_id, at, previous)
            raise
        return outcome

    async def check_hint(self, *, message_id: int | None, channel_id: int, user_id: int) -> str:
        """The hint, if this player may have it now; nothing is charged yet."""
        live = self._hint_target(message_id, channel_id)
        return live.session.check_hint(user_id)

    async def take_hint(
        self, *, message_id: int | None, channel_id: int, user_id: int, user_name: str
    ) -> tuple[str, bool]:
        """Charge for the hint and return it, with whether this was the first time."""
        live = self._hint_target(message_id, channel_id)
        async with live.lock:
            if message_id is not None and live.message_id != message_id:
                raise ProblemClosed("That problem is closed.")
            current = live.session.current
            if current is None:
                raise ProblemClosed("No problem is open right now.")
            first = not live.session.hinted(user_id)
            text = live.session.check_hint(user_id)
            if first:
                use = HintUse(user_id, current.problem.id, self.clock())
                await self.db.save_hint(live.session_id, use, display_name=user_name)
                live.session.hint(user_id)
        return text, first

    def _hint_target(self, message_id: int | None, channel_id: int) -> LiveChallenge:
        if message_id is not None:
            return self._live_problem(message_id)
        live = self._by_channel.get(channel_id)
        if live is None or live.session.current is None:
            raise NoChallengeHere("There is no open problem in this channel.")
        return live

    def _after_answer(self, live: LiveChallenge) -> None:
        current = live.session.current
        assert current is not None
        due = current.deadline
        if live.session.everyone_done():
            due = min(due, self.clock() + self.grace)
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
        try:
            await self.view.show_progress(live, current, live.session.answered_count())
        except Exception:
            log.exception("could not update the progress of session %d", live.session_id)

    def _arm(self, live: LiveChallenge, due: float) -> None:
        self._cancel_timer(live)
        live.timer_due = due
        live.timer = asyncio.create_task(self._at_deadline(live, due))

    def _cancel_timer(self, live: LiveChallenge) -> None:
        # The timer itself arms the next problem's timer: never cancel the running task.
        if live.timer is not None and live.timer is not asyncio.current_task():
            live.timer.cancel()
        live.timer = None
        live.timer_due = math.inf

    async def _at_deadline(self, live: LiveChallenge, due: float) -> None:
        await self.sleep(max(0.0, due - self.clock()))
        async with live.lock:
            if live.timer is not asyncio.current_task():
                return  # re-armed while waiting for the lock
            try:
                await self._reveal(live)
                if live.session.finished:
                    await self._finish(live, SessionStatus.FINISHED)
                else:
                    await self._open_next(live)
            except Exception:
                log.exception("challenge %d failed at its deadline", live.session_id)
                await self._abandon(live)

    async def _open_next(self, live: LiveChallenge) -> None:
        opened = live.session.open_next()
        # Stored before it is shown: a crash from here on resumes this problem.
        await self.db.set_current_problem(
            live.session_id, opened.index, opened.opened_at, opened.deadline
        )
        message_id = await self.view.show_problem(live, opened)
        self._track_message(live, message_id)  # before any await: reactions may follow fast
        await self.db.set_problem_message(live.session_id, message_id)
        live.progress_shown_at = -math.inf
        self._arm(live, opened.deadline)

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
        if status is SessionStatus.FINISHED:
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

    # -- resuming after a restart -------------------------------------------------------

    async def resume_all(self) -> None:
        """Re-arm every open challenge; close with a notice those that expired meanwhile."""
        for stored in await self.db.open_sessions():
            if stored.guild_id == LOCAL_GUILD_ID or stored.channel_id in self._by_channel:
                continue  # terminal games are not the bot's
            try:
                await self._resume(stored)
            except Exception:
                log.exception("could not resume session %d", stored.id)
                with contextlib.suppress(Exception):
                    await self.db.end_session(stored.id, SessionStatus.STOPPED, self.clock())

    async def _resume(self, stored: StoredSession) -> None:
        try:
            session = await restore_session(self.db, self.library, stored, self.clock)
        except CannotResume as refusal:
            await self.db.end_session(stored.id, refusal.status, self.clock())
            await self.view.show_notice(stored.channel_id, refusal.notice)
            return
        live = LiveChallenge(
            stored.id, stored.guild_id, stored.channel_id, stored.started_by, session
        )
        self._by_channel[stored.channel_id] = live
        opened = session.current
        assert opened is not None  # a restored session is on its open problem
        if stored.message_id is None:
            # The crash came between storing the problem and posting it: post it now.
            message_id = await self.view.show_problem(live, opened)
            await self.db.set_problem_message(stored.id, message_id)
            self._track_message(live, message_id)
        else:
            self._track_message(live, stored.message_id)
        self._arm(live, opened.deadline)
        await self.view.show_notice(stored.channel_id, back_notice(opened))
