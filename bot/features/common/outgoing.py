"""The outgoing queue: Discord calls that can wait (reaction removals, DMs, notes, edits, roles).

Judging an answer must never wait for Discord: under a burst the API answers slowly
(reactions 1 per 0.25 s per channel, 5 messages per 5 s, 50 requests/s in all), and a
verdict that waited would turn on-time answers into late ones. So every REST call that
follows a verdict is a job in a *lane* (a channel's reactions, its messages, its edits,
one member's DMs). Each lane runs its jobs one after another, so one channel's flood
never delays another channel, and jobs of one member's DM lane arrive in order. All lanes
share a pacer that keeps the bot under the global limit. A job whose call is answered 429
waits the `retry_after` Discord asked for and runs again (discord.py retries a 429 a few
times itself, then raises; this queue catches that too); 5xx and dropped connections
back off and retry; other errors fail the job, logged.

A job submitted with a `key` replaces a job with the same key still waiting in its lane
(the footer edit that shows the answer count: only the newest matters).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp
import discord

log = logging.getLogger("anneal.outgoing")

T = TypeVar("T")
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
Lane = tuple[str, int]


def reactions_lane(channel_id: int) -> Lane:
    """Adding and removing reactions in a channel (Discord: about 1 per 0.25 s)."""
    return ("reactions", channel_id)


def messages_lane(channel_id: int) -> Lane:
    """Posting and deleting notes in a channel (Discord: about 5 per 5 s)."""
    return ("messages", channel_id)


def edits_lane(channel_id: int) -> Lane:
    """Editing the bot's messages in a channel (Discord: about 5 per 5 s)."""
    return ("edits", channel_id)


def roles_lane(guild_id: int) -> Lane:
    """Giving members roles in a server (Discord limits member edits per server)."""
    return ("roles", guild_id)


def dm_lane(user_id: int) -> Lane:
    """One member's DMs, so they arrive in the order they were sent."""
    return ("dm", user_id)


def retry_delay(error: BaseException, attempt: int) -> float | None:
    """Seconds to wait before trying a failed call again, or None if retrying cannot help."""
    if isinstance(error, discord.RateLimited):
        return float(error.retry_after)
    if isinstance(error, discord.HTTPException):
        if error.status == 429:
            header: str | None = None
            if error.response is not None:
                header = error.response.headers.get("Retry-After")
            try:
                return max(0.0, float(header)) if header is not None else 1.0
            except ValueError:
                return 1.0
        if error.status >= 500:
            return 0.5 * 2.0 ** (attempt - 1)
        return None  # 4xx: Forbidden, Not Found, invalid body... the same call fails again
    if isinstance(error, aiohttp.ClientError | OSError | TimeoutError):
        return 0.5 * 2.0 ** (attempt - 1)  # the connection dropped: Discord may be back soon
    return None


@dataclass(eq=False)
class _Job:
    lane: Lane
    call: Callable[[], Awaitable[Any]]
    what: str
    cost: int
    key: Hashable | None
    future: asyncio.Future[Any]
    started: bool = False


@dataclass
class OutgoingStats:
    """Counters for logs and benchmarks."""

    done: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0


@dataclass
class _Pacer:
    """A token bucket over every lane: at most `burst` + `per_second` calls in any second."""

    per_second: float
    burst: float
    clock: Clock
    sleep: Sleep
    tokens: float = 0.0
    refilled_at: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self.tokens = self.burst
        self.refilled_at = self.clock()

    async def take(self, cost: int) -> None:
        """Wait until `cost` calls may start; lanes take turns in the order they asked."""
        async with self.lock:
            while True:
                now = self.clock()
                elapsed = max(0.0, now - self.refilled_at)
                self.tokens = min(self.burst, self.tokens + elapsed * self.per_second)
                self.refilled_at = now
                needed = min(float(cost), self.burst)
                if self.tokens >= needed:
                    self.tokens -= cost  # may go below 0 for a costly job: later ones wait
                    return
                await self.sleep((needed - self.tokens) / self.per_second)


class Outgoing:
    """Per-lane queues of Discord calls, paced under the global limit, retried on 429."""

    def __init__(
        self,
        *,
        per_second: float = 35.0,  # Discord allows 50/s; the rest is for replies and posts
        burst: float = 5.0,
        attempts: int = 5,
        max_waiting: int = 500,  # per lane; beyond it the oldest waiting job is dropped
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._pacer = _Pacer(per_second, burst, clock, sleep)
        self._sleep = sleep
        self.attempts = attempts
        self.max_waiting = max_waiting
        self.stats = OutgoingStats()
        self._lanes: dict[Lane, deque[_Job]] = {}
        self._workers: dict[Lane, asyncio.Task[None]] = {}
        self._keyed: dict[tuple[Lane, Hashable], _Job] = {}
        self._closed = False

    def submit(
        self,
        lane: Lane,
        call: Callable[[], Awaitable[T]],
        *,
        what: str = "a Discord call",
        key: Hashable | None = None,
        cost: int = 1,
        first: bool = False,
    ) -> asyncio.Future[T]:
        """Queue `call` in `lane` and return at once; the future holds its result or error.

        `what` names the job in logs. `key` replaces the job with that key still waiting in
        the lane (it keeps its place; both callers get the newest call's result). `cost` is
        how many REST calls the job makes, for pacing. `first` puts it ahead of the lane.
        """
        loop = asyncio.get_running_loop()
        if self._closed:
            future: asyncio.Future[T] = loop.create_future()
            future.cancel()
            self.stats.dropped += 1
            log.debug("outgoing queue closed: dropped %s", what)
            return future
        if key is not None and (waiting := self._keyed.get((lane, key))) is not None:
            waiting.call, waiting.what, waiting.cost = call, what, cost
            return waiting.future
        future = loop.create_future()
        future.add_done_callback(_retrieve)
        job = _Job(lane, call, what, cost, key, future)
        queue = self._lanes.setdefault(lane, deque())
        if len(queue) >= self.max_waiting:
            self._drop(queue.popleft(), "the lane is full")
        if first:
            queue.appendleft(job)
        else:
            queue.append(job)
        if key is not None:
            self._keyed[(lane, key)] = job
        if lane not in self._workers:
            self._workers[lane] = loop.create_task(self._work(lane), name=f"outgoing {lane}")
        return future

    def waiting(self, lane: Lane | None = None) -> int:
        """Jobs not yet started, in one lane or in all."""
        if lane is not None:
            return len(self._lanes.get(lane, ()))
        return sum(len(queue) for queue in self._lanes.values())

    async def drain(self) -> None:
        """Wait until every lane is idle (jobs queued meanwhile included)."""
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)

    async def close(self, grace: float = 2.0) -> None:
        """Refuse new jobs, give the queued ones `grace` seconds, then drop what is left."""
        self._closed = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.drain(), grace)
        for task in list(self._workers.values()):
            task.cancel()
        for queue in list(self._lanes.values()):
            for job in queue:
                self._drop(job, "the bot is shutting down")
        self._lanes.clear()
        self._keyed.clear()

    def _drop(self, job: _Job, why: str) -> None:
        self._unkey(job)
        if not job.future.done():
            job.future.cancel()
            self.stats.dropped += 1
            log.warning("outgoing: dropped %s (%s)", job.what, why)

    def _unkey(self, job: _Job) -> None:
        if job.key is not None and self._keyed.get((job.lane, job.key)) is job:
            del self._keyed[(job.lane, job.key)]

    async def _work(self, lane: Lane) -> None:
        queue = self._lanes[lane]
        try:
            while queue:
                job = queue.popleft()
                job.started = True
                self._unkey(job)  # from here on a job with its key queues behind it
                await self._run(job)
        finally:
            self._workers.pop(lane, None)
            if not queue:
                self._lanes.pop(lane, None)

    async def _run(self, job: _Job) -> None:
        for attempt in range(1, self.attempts + 1):
            if job.future.done():
                return  # the caller gave up on it
            await self._pacer.take(job.cost)
            try:
                result = await job.call()
            except asyncio.CancelledError:
                job.future.cancel()
                raise
            except Exception as error:
                delay = retry_delay(error, attempt)
                if delay is None or attempt == self.attempts:
                    self.stats.failed += 1
                    log.warning("outgoing: %s failed: %s", job.what, error)
                    if not job.future.done():
                        job.future.set_exception(error)
                    return
                self.stats.retried += 1
                log.info("outgoing: %s (try %d) waits %.2f s: %s", job.what, attempt, delay, error)
                await self._sleep(delay)
            else:
                self.stats.done += 1
                if not job.future.done():
                    job.future.set_result(result)
                return


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Mark a job's error as seen: the queue has logged it; callers may ignore the future."""
    if not future.cancelled():
        future.exception()
