"""ChallengeManager: starts, runs, resumes and ends the challenges of every channel.

Answers and hints are `answering.py`'s (each judged, written to SQLite, and only then
acknowledged); timers, reveals and the end of a challenge are in `running.py`. Every
live challenge has one lock: answers, hints, the reveal timer, `next` and `stop` take
turns, so a reaction that races the reveal is either counted or told the problem closed.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable

from bot.challenges.answering import AnsweringChallenges
from bot.challenges.live import (
    ChallengeNotAllowedHere,
    ChallengeRunning,
    ChallengeView,
    LiveChallenge,
    NoChallengeHere,
    NotYourChallenge,
    ReadBack,
    UnknownPack,
)
from bot.challenges.resume import (
    CannotResume,
    ResumeKind,
    back_notice,
    overdue_notice,
    plan_resume,
    reopen_notice,
    restore_session,
    resume_each,
    too_late_notice,
)
from bot.content import FRESH_PACK_ID, ContentLibrary
from bot.engine.pace import Pace, reveal_at
from bot.engine.problems import Pack
from bot.engine.scoring import ScoringRules
from bot.engine.selection import DEFAULT_COUNT, choose_problems
from bot.engine.session import (
    ChallengeError,
    ChallengeSession,
    Clock,
    Sleep,
)
from bot.storage import LOCAL_GUILD_ID, ChannelBusy, Database, SessionStatus, StoredSession

log = logging.getLogger("anneal.challenges")

MAX_FRESH = 10  # generated problems per challenge: each one is a torch run
RECENT_CHALLENGES = 10  # how far back "problems this channel saw recently" looks
READ_BACK_HOLD = 30.0  # longest a reveal waits for the reactions read back after a restart

# Makes the `fresh` pack: `count` new problems, computed by the runner.
FreshPack = Callable[[int], Awaitable[Pack]]


class ChallengeManager(AnsweringChallenges):
    """Every live challenge of the bot: starts them, judges and stores answers, times them."""

    def __init__(
        self,
        db: Database,
        library: ContentLibrary,
        view: ChallengeView,
        clock: Clock,
        *,
        pace: Pace | None = None,
        resume_window: float = 900.0,
        progress_interval: float = 5.0,
        fresh: FreshPack | None = None,
        sleep: Sleep = asyncio.sleep,
        double_tap: float = 1.5,
        rng: random.Random | None = None,
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
        self.resume_window = resume_window  # downtime past a deadline that a game survives
        self.fresh = fresh  # generates the `fresh` pack, new problems every time
        self.rng = rng or random.Random()  # picks and orders each challenge's problems

    # -- looking things up --------------------------------------------------------------

    def in_channel(self, channel_id: int) -> LiveChallenge | None:
        """The challenge live in the channel, if any."""
        return self._by_channel.get(channel_id)

    async def resolve_pack(self, pack_id: str | None, count: int | None = DEFAULT_COUNT) -> Pack:
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
            pack = await self.fresh(min(count or DEFAULT_COUNT, MAX_FRESH))
            self.library.remember_generated(pack)
            return pack
        known = ", ".join(f"`{p}`" for p in [*self.library.packs, FRESH_PACK_ID])
        raise UnknownPack(f"There is no pack `{pack_id}`. The packs are: {known}.")

    # -- starting, moving on and stopping -------------------------------------------------

    async def start(
        self,
        *,
        guild_id: int,
        guild_name: str,
        channel_id: int,
        user_id: int,
        user_name: str,
        pack_id: str | None = None,
        count: int | None = DEFAULT_COUNT,
    ) -> LiveChallenge:
        """Start `count` problems of a pack (None: all) in the channel; post the first one."""
        if (running := self._by_channel.get(channel_id)) is not None:
            raise ChallengeRunning(running)
        pack = await self.resolve_pack(pack_id, count)
        await self.db.upsert_guild(guild_id, guild_name)
        settings = await self.db.guild_settings(guild_id)
        if not settings.allows(channel_id):
            channels = ", ".join(f"<#{c}>" for c in sorted(settings.allowed_channel_ids))
            raise ChallengeNotAllowedHere(f"Challenges run in {channels} on this server.")
        await self.db.upsert_user(user_id, user_name)
        recent = await self.db.recently_shown(guild_id, channel_id, pack.id, RECENT_CHALLENGES)
        session = ChallengeSession(
            pack,
            self.clock,
            problems=choose_problems(pack.problems, count, self.rng, recent),
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

    def _in_charge(self, channel_id: int, user_id: int, is_moderator: bool) -> LiveChallenge:
        live = self._by_channel.get(channel_id)
        if live is None:
            raise NoChallengeHere("There is no challenge running in this channel.")
        if user_id != live.started_by and not is_moderator:
            raise NotYourChallenge(
                "Only the member who started this challenge, or a moderator, can do that."
            )
        return live

    async def next(self, channel_id: int, user_id: int, *, is_moderator: bool) -> None:
        """Reveal the open problem now and go on (the starter or a moderator may)."""
        live = self._in_charge(channel_id, user_id, is_moderator)
        async with live.lock:
            if live.session.current is None or self._by_channel.get(channel_id) is not live:
                raise NoChallengeHere("No problem is open right now.")
            self._cancel_timer(live)
            await self._move_on(live)

    async def stop(self, channel_id: int, user_id: int, *, is_moderator: bool) -> None:
        """End the challenge early: the starter or a moderator may; the summary is shown."""
        live = self._in_charge(channel_id, user_id, is_moderator)
        async with live.lock:
            if self._by_channel.get(channel_id) is not live:
                raise NoChallengeHere("There is no challenge running in this channel.")
            self._cancel_timer(live)
            if live.session.current is not None:
                await self._reveal(live)
            await self._finish(live, SessionStatus.STOPPED)

    # -- resuming after a restart -------------------------------------------------------

    async def resume_all(self) -> list[ReadBack]:
        """Bring back every open challenge; return the messages whose reactions to read back.

        Reactions added while the bot was away reach it as no event, so the caller reads
        them from Discord and hands them in as if they had just arrived: on time if the
        problem is still open, late if its deadline passed during the outage (Discord does
        not say when a reaction was added, so that is the only fair reading). The caller
        then calls `replays_done`; until then (at most READ_BACK_HOLD s) an open problem
        is not revealed, so reading back never makes an on-time pick late.
        """
        ours = [
            stored
            for stored in await self.db.open_sessions()
            # Terminal games are not the bot's.
            if stored.guild_id != LOCAL_GUILD_ID and stored.channel_id not in self._by_channel
        ]
        return await resume_each(self.db, ours, self._resume, self.clock)

    async def _resume(self, stored: StoredSession) -> ReadBack | None:
        kind = plan_resume(stored, self.clock(), self.resume_window)
        shown = stored.message_id is not None and stored.deadline is not None
        try:
            session = await restore_session(
                self.db, self.library, stored, self.clock, reopen=not shown
            )
        except CannotResume as refusal:
            await self.db.end_session(stored.id, refusal.status, self.clock())
            await self.view.show_notice(stored.channel_id, refusal.notice)
            return None
        live = LiveChallenge(
            stored.id, stored.guild_id, stored.channel_id, stored.started_by, session
        )
        self._by_channel[stored.channel_id] = live
        async with live.lock:
            if stored.message_id is None or not shown:
                # Nobody saw the problem: post it now with its whole time, or end here.
                if kind is ResumeKind.REOPEN:
                    number, total = stored.current_index + 1, len(session.problems)
                    await self.view.show_notice(stored.channel_id, reopen_notice(number, total))
                    await self._open_next(live)
                else:
                    notice = too_late_notice(None, self.resume_window)
                    await self.view.show_notice(stored.channel_id, notice)
                    await self._finish(live, SessionStatus.EXPIRED)
                return None
            opened = session.current
            if kind is ResumeKind.CONTINUE:
                assert opened is not None
                # Picks added while away are judged as of now: hold the reveal till they are.
                self._reading_back[stored.message_id] = self.clock() + READ_BACK_HOLD
                self._track_message(live, stored.message_id)
                self._arm(live, reveal_at(session, self.pace))
                await self.view.show_notice(stored.channel_id, back_notice(opened))
                return ReadBack(stored.channel_id, stored.message_id, late=False)
            # The deadline passed while the bot was down: its picks are all in; reveal it.
            notice = (
                overdue_notice(opened)
                if kind is ResumeKind.OVERDUE and opened is not None
                else too_late_notice(opened, self.resume_window)
            )
            await self.view.show_notice(stored.channel_id, notice)
            if opened is not None:
                self._late[stored.message_id] = frozenset(session.heard(opened.problem.id))
                await self._reveal(live)
            if kind is ResumeKind.OVERDUE and not session.finished:
                await self._open_next(live)  # with its full time
            else:
                await self._finish(
                    live,
                    SessionStatus.FINISHED if kind is ResumeKind.OVERDUE else SessionStatus.EXPIRED,
                )
            return ReadBack(stored.channel_id, stored.message_id, late=True)
