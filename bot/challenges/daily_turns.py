"""The daily problems' clock: each server's turn at its posting time, claimed through the
database so that exactly one process posts a day, even two that share the database.

A turn of day D: claim D's row before anything is posted; choose D's problem (kept in
the row); reveal every earlier day whose answer is not out (each reveal claimed on its
own row); post D's problem; record the post. A process that dies anywhere in between
leaves a row another (or its restart) finishes once the claim is older than the lease:
the problem chosen, and the session if it was made, are reused; a post recorded is
never redone. A process only looks after the servers `owns` says are its own.

The loop sleeps on the injected clock until the next posting time or deadline (at most
`idle` seconds, so schedules another process changed are seen), and wakes at once when a
schedule changes here. At start its first round catches up a missed posting time: the
day whose problem should be out is posted, once; days missed before it are not.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from bot.challenges.daily import DailyProblems
from bot.challenges.daily_pick import DailyPicker
from bot.engine.daily_times import DailyTime, day_from_number, day_number
from bot.engine.session import ChallengeError, Clock, Sleep
from bot.engine.streaks import Streak
from bot.storage import LOCAL_GUILD_ID, DailyRecord, DailySchedule, Database, StorageError

log = logging.getLogger("anneal.daily")

LEASE = 120.0  # a claim not posted after this many seconds may be taken over
IDLE = 300.0  # the longest the loop sleeps without looking at the schedules
RETRY = 60.0  # after a failed turn, when to try it again
ONE_DAY = timedelta(days=1)


class DailyOff(ChallengeError):
    """The server has no daily problem scheduled (or it is off)."""


class TurnResult(Enum):
    """What a turn did."""

    POSTED = "posted"  # this call posted the day's problem
    DONE = "done"  # the day's problem was out already
    HELD = "held"  # another process holds the day's claim (or took it over meanwhile)


@dataclass(frozen=True)
class Turn:
    """A turn's result, the day's row after it, and when to look again if it is held."""

    result: TurnResult
    record: DailyRecord | None = None
    retry_at: float | None = None


def schedule_time(schedule: DailySchedule) -> DailyTime:
    """The stored schedule's posting time (ValueError if its zone is no longer known)."""
    return DailyTime.from_minute(schedule.minute, schedule.timezone)


class DailyTurns:
    """Takes each server's daily turn when it is due, and the ones admins ask for."""

    def __init__(
        self,
        db: Database,
        problems: DailyProblems,
        picker: DailyPicker,
        *,
        clock: Clock,
        sleep: Sleep,
        owner: str,
        owns: Callable[[int], bool] = lambda guild_id: True,
        lease: float = LEASE,
        idle: float = IDLE,
        retry: float = RETRY,
    ) -> None:
        self.db = db
        self.problems = problems
        self.picker = picker
        self.clock = clock
        self.sleep = sleep
        self.owner = owner  # this process's name in the claims it makes
        self.owns = owns
        self.lease = lease
        self.idle = idle
        self.retry = retry
        self.last_check: float | None = None  # the clock's time of the last round
        self._wake = asyncio.Event()
        # One turn at a time per server in this process: its claims are all `owner`'s.
        self._locks: dict[int, asyncio.Lock] = {}

    # -- the loop ---------------------------------------------------------------------------

    async def run(self) -> None:
        """Take the turns that are due, then sleep until the next, until cancelled."""
        while True:
            self._wake.clear()  # a change made during the round wakes the nap after it
            started = self.clock()
            try:
                wait = await self.check()
            except StorageError as exc:
                log.warning("daily problems skipped a round: %s", exc)
                wait = self.retry
            # Counted from the round's start: time that passed during the round is not
            # slept again (a clock moved meanwhile makes it due at once).
            await self._nap(started + wait - self.clock())

    def wake(self) -> None:
        """Look at the schedules again now (one was changed)."""
        self._wake.set()

    async def _nap(self, seconds: float) -> None:
        sleeping = asyncio.ensure_future(self.sleep(seconds))
        woken = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeping, woken}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeping, woken):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def check(self) -> float:
        """One round: every turn due now, then every open problem past its deadline whose
        server takes no turn (the schedule is off). Seconds until the next is due."""
        now = self.clock()
        due = [now + self.idle]
        busy: set[int] = set()  # turns held elsewhere or failed: their reveals wait too
        for schedule in await self.db.daily_schedules():
            if not self.owns(schedule.guild_id):
                continue
            try:
                times = schedule_time(schedule)
            except ValueError:
                log.warning(
                    "daily schedule of %d: no zone %s", schedule.guild_id, schedule.timezone
                )
                continue
            due.append(times.next_slot(now))
            day = times.turn(now)
            if times.slot(day) < schedule.since:
                continue  # that posting time came before the schedule was set: not caught up
            try:
                turn = await self.take_turn(schedule, day)
            except Exception:
                log.exception("the daily turn of %d failed; trying again later", schedule.guild_id)
                busy.add(schedule.guild_id)
                due.append(now + self.retry)
                continue
            if turn.retry_at is not None:
                busy.add(schedule.guild_id)
                due.append(turn.retry_at)
        due += await self._reveal_overdue(now, busy)
        self.last_check = now
        return max(0.0, min(due) - now)

    async def _reveal_overdue(self, now: float, busy: set[int]) -> list[float]:
        """Reveal the open problems past their deadline; the deadlines still to come."""
        upcoming = []
        for stored, day in await self.db.open_daily_sessions():
            guild_id = stored.guild_id
            if guild_id == LOCAL_GUILD_ID or guild_id in busy or not self.owns(guild_id):
                continue
            if stored.deadline is None:
                continue  # never posted: its day's turn posts it
            if stored.deadline > now:
                upcoming.append(stored.deadline)
                continue
            try:
                async with self._lock(guild_id):
                    await self.reveal_day(guild_id, day)
            except Exception:
                log.exception("the daily reveal of %d failed; trying again later", guild_id)
                upcoming.append(now + self.retry)
        return upcoming

    # -- turns --------------------------------------------------------------------------------

    async def post_now(self, guild_id: int) -> Turn:
        """Take today's turn at once (if today's problem is not out yet): `!admin daily now`."""
        schedule = await self.db.daily_schedule(guild_id)
        if schedule is None or not schedule.enabled:
            raise DailyOff("Daily problems are off on this server.")
        today = schedule_time(schedule).day_of(self.clock())
        turn = await self.take_turn(schedule, today)
        self.wake()  # the next wake-up may have moved
        return turn

    async def take_turn(self, schedule: DailySchedule, day: date) -> Turn:
        """Claim the server's day, reveal the days before it and post its problem, unless
        it is out already or another process holds the claim."""
        guild_id = schedule.guild_id
        number = day_number(day)
        async with self._lock(guild_id):
            record = await self.db.daily_record(guild_id, number)
            if record is not None and record.posted:  # the usual case, read without a write
                self.problems.drop_before(guild_id, day)
                return Turn(TurnResult.DONE, record)
            latest = await self.db.latest_daily(guild_id)
            if latest is not None and latest.posted and latest.day > number:
                return Turn(TurnResult.DONE, latest)  # a later day is out (`now`): skip this
            claim = await self.db.claim_daily(
                guild_id, number, self.owner, self.clock(), lease=self.lease
            )
            if not claim.ours:
                if claim.record.posted:
                    self.problems.drop_before(guild_id, day)
                    return Turn(TurnResult.DONE, claim.record)
                return Turn(TurnResult.HELD, claim.record, claim.record.claimed_at + self.lease)
            daily = await self.picker.for_claim(self.db, claim, self.owner)
            if daily is None:
                log.warning("daily turn of %d, day %s: no problem to post", guild_id, day)
                return Turn(TurnResult.HELD, claim.record, self.clock() + self.retry)
            for earlier in await self.db.unrevealed_days(guild_id, number):
                await self.reveal_day(guild_id, earlier.day)
            if not await self.db.renew_daily_claim(guild_id, number, self.owner, self.clock()):
                return Turn(TurnResult.HELD, claim.record, self.clock() + self.lease)
            live = await self.problems.post(
                guild_id=guild_id,
                channel_id=schedule.channel_id,
                day=day,
                daily=daily,
                until=schedule_time(schedule).slot(day + ONE_DAY),
                started_by=schedule.set_by,
            )
            posted = await self.db.mark_daily_posted(
                guild_id,
                number,
                self.owner,
                self.clock(),
                channel_id=live.channel_id,
                message_id=live.message_id,
            )
            if not posted:
                log.warning("daily turn of %d, day %s: claim lost while posting", guild_id, day)
            return Turn(TurnResult.POSTED, await self.db.daily_record(guild_id, number))

    async def reveal_day(self, guild_id: int, day: int) -> bool:
        """Claim the day's reveal and post its answer (end its session); False if another
        process has it, or had it."""
        if not await self.db.claim_daily_reveal(
            guild_id, day, self.owner, self.clock(), lease=self.lease
        ):
            return False
        for stored in await self.db.daily_sessions(guild_id, day):
            await self.problems.reveal(stored, day_from_number(day))
        await self.db.mark_daily_revealed(guild_id, day, self.owner, self.clock())
        return True

    async def rescheduled(self, guild_id: int) -> None:
        """The server's schedule changed here: its open problem closes at the new time, and
        the loop looks at the schedules again."""
        schedule = await self.db.daily_schedule(guild_id)
        if schedule is not None and schedule.enabled:
            times = schedule_time(schedule)
            await self.problems.reschedule(guild_id, lambda day: times.slot(day + ONE_DAY))
        self.wake()

    async def streaks(
        self, guild_id: int, user_id: int | None = None, *, going_only: bool = False
    ) -> dict[int, Streak]:
        """The server's daily streaks (one member's with `user_id`, those that may be going
        with `going_only`), knowing who is out of attempts on the problem open here."""
        missed = self.problems.missed_open(guild_id)
        return await self.db.daily_streaks(guild_id, user_id, missed=missed, going_only=going_only)

    def _lock(self, guild_id: int) -> asyncio.Lock:
        return self._locks.setdefault(guild_id, asyncio.Lock())
