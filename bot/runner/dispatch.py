"""Handing workers to jobs: admission, the fair queue, how long a job may wait, handovers.

A job is admitted synchronously (`admit`, no await): it gets a free worker at once, a
place in the FairQueue, or RunnerBusy, so the queue's bounds hold even when many
requests arrive in the same turn of the event loop. A worker that comes free goes
straight to the waiter the queue picks; it is parked as idle only when nobody waits.

Heavy jobs (thousands of steps) may hold at most `heavy_lanes` workers at once, all but
one by default: however many heavy jobs are queued, an ordinary run finds a worker that
is free or busy with another ordinary run, so it waits milliseconds, not a heavy job.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from bot.runner.errors import RunnerBusy, RunnerClosed, RunnerWarmingUp
from bot.runner.fairness import FairQueue, QueueFull, Requester, Scope

BUSY = "The runner is busy; try again in a moment."
SERVER_BUSY = "This server already has {waiting} runs waiting; try again in a moment."
WARMING_UP = "The runner is still warming up (it loads PyTorch); try again in a few seconds."


class Worker(Protocol):
    """What the dispatcher needs of a worker process (process.WorkerProcess)."""

    @property
    def exited(self) -> bool:
        """Whether the process is known to have ended."""
        ...

    def kill(self) -> None:
        """Kill the process."""
        ...


W = TypeVar("W", bound=Worker)
W_contra = TypeVar("W_contra", bound=Worker, contravariant=True)


class Staff(Protocol[W_contra]):
    """What the dispatcher needs of the crew that starts and replaces workers (crew.Crew)."""

    def is_leaving(self, worker: W_contra) -> bool:
        """Whether the worker has been replaced and should leave instead of taking a job."""
        ...

    def served(self, worker: W_contra) -> None:
        """The worker finished a job cleanly."""
        ...

    def retire(self, worker: W_contra) -> None:
        """Kill the worker and replace it (unless a successor is already there)."""
        ...


@dataclass(eq=False)
class Waiter(Generic[W]):
    """A job waiting for a worker: the dispatcher hands one over by completing `future`."""

    requester: Requester
    since: float
    heavy: bool = False
    future: asyncio.Future[W] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class Dispatcher(Generic[W]):
    """Who gets which worker, and when: the idle workers and the jobs waiting for one."""

    def __init__(
        self,
        crew: Staff[W],
        queue: FairQueue[Waiter[W]],
        *,
        max_wait: float,
        warm_up_wait: float,
        heavy_lanes: int,
    ) -> None:
        self.crew = crew
        self.heavy_lanes = heavy_lanes
        self.heavy_running = 0
        self.queue = queue
        self.max_wait = max_wait  # once ready; longer means workers are failing to start
        self.warm_up_wait = warm_up_wait  # before the first worker is ready
        self.idle: collections.deque[W] = collections.deque()
        self._held: dict[W, tuple[float, bool]] = {}  # busy workers: since when, heavy job
        self.ready = asyncio.Event()  # the first worker is ready
        self.settled = asyncio.Event()  # ready, or closed
        self.closed: str | None = None  # why, once closed

    def admit(self, who: Requester, *, heavy: bool = False, retry: bool = False) -> W | Waiter[W]:
        """A free worker now, or a place in the queue; RunnerBusy if there is no room.

        `retry`: a job admitted once already, whose worker died before starting it; it
        goes first in line, past the bounds.
        """
        if self.closed:
            raise RunnerClosed(self.closed)
        worker = self._take_idle() if self._may_start(heavy) else None
        if worker is not None:
            self.queue.started(who)
            self._hold(worker, heavy)
            return worker
        waiter: Waiter[W] = Waiter(who, asyncio.get_running_loop().time(), heavy)
        waiter.future.add_done_callback(quiet)
        if retry:
            self.queue.push_first(who, waiter, heavy=heavy)
            return waiter
        try:
            self.queue.push(who, waiter, heavy=heavy)
        except QueueFull as full:
            raise self._refusal(full.scope, who) from None
        return waiter

    def _refusal(self, scope: Scope, who: Requester) -> RunnerBusy:
        if not self.ready.is_set():
            return RunnerWarmingUp(WARMING_UP)
        if scope == "server":
            return RunnerBusy(SERVER_BUSY.format(waiting=self.queue.waiting_for(who)))
        return RunnerBusy(BUSY)

    async def worker_for(self, ticket: W | Waiter[W]) -> W:
        """The worker admission gave, or the one the queue hands over in time."""
        if isinstance(ticket, Waiter):
            return await self._wait(ticket)
        return ticket

    async def _wait(self, waiter: Waiter[W]) -> W:
        loop = asyncio.get_running_loop()
        try:
            while not waiter.future.done():
                limit = self.max_wait if self.ready.is_set() else self.warm_up_wait
                remaining = waiter.since + limit - loop.time()
                if remaining <= 0:
                    break
                # shield: a timeout here must not cancel the handover itself. (Not
                # wait_for, which in 3.11 swallows a cancellation that races a result.)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(remaining):
                        await asyncio.shield(waiter.future)
        except asyncio.CancelledError:
            self._give_up(waiter)
            raise
        if waiter.future.done():
            return waiter.future.result()  # or the RunnerClosed that close() set
        self._give_up(waiter)
        raise RunnerBusy(BUSY) if self.ready.is_set() else RunnerWarmingUp(WARMING_UP)

    def _give_up(self, waiter: Waiter[W]) -> None:
        if self.queue.discard(waiter.requester, waiter):
            waiter.future.cancel()
            return
        future = waiter.future  # no longer queued: a worker was handed over just now
        if future.done() and not future.cancelled() and future.exception() is None:
            self.release(future.result(), waiter.requester, healthy=True)

    def _take_idle(self) -> W | None:
        while self.idle:
            worker = self.idle.popleft()
            if not worker.exited and not self.crew.is_leaving(worker):
                return worker
            self.crew.retire(worker)  # died while idle, or replaced: a successor takes over
        return None

    def release(self, worker: W, who: Requester, healthy: bool) -> None:
        """A job gives its worker back: to the next waiter, to the idle ones, or to retire."""
        since, heavy = self._held.pop(worker, (time.monotonic(), False))
        self.heavy_running -= heavy
        self.queue.finished(who, time.monotonic() - since)  # heavy users go after light ones
        if self.closed:
            worker.kill()
        elif not healthy or self.crew.is_leaving(worker):
            # Anything but a clean answer (the backstop, a crash) leaves the worker's pipe
            # in an unknown state: replace it rather than reuse it.
            self.crew.retire(worker)
        else:
            self.crew.served(worker)
            self._offer(worker)

    def _offer(self, worker: W) -> None:
        """Give a free worker to the next waiter the fair queue picks, or park it."""
        while (entry := self.queue.pop(heavy_allowed=self._may_start(heavy=True))) is not None:
            who, waiter = entry
            if waiter.future.done():  # it gave up a moment ago
                self.queue.finished(who)
                continue
            waiter.future.set_result(worker)
            self._hold(worker, waiter.heavy)
            return
        self.idle.append(worker)

    def _may_start(self, heavy: bool) -> bool:
        return not heavy or self.heavy_running < self.heavy_lanes

    def _hold(self, worker: W, heavy: bool) -> None:
        self._held[worker] = (time.monotonic(), heavy)
        self.heavy_running += heavy

    def on_ready(self, worker: W) -> None:
        """A new worker is warm: the first one makes the pool ready."""
        self.ready.set()
        self.settled.set()
        for old in [w for w in self.idle if self.crew.is_leaving(w)]:
            self.idle.remove(old)  # replaced by this one: leave now rather than idle on
            self.crew.retire(old)
        self._offer(worker)

    def on_death(self, worker: W) -> None:
        """A worker died on its own: if it was idle, retire it (a job in flight sees it die)."""
        if worker in self.idle:
            self.idle.remove(worker)
            self.crew.retire(worker)

    def close(self, reason: str) -> None:
        """Refuse new jobs and fail every waiting one with RunnerClosed(reason)."""
        self.closed = reason
        self.settled.set()
        for waiter in self.queue.drain():
            if not waiter.future.done():
                waiter.future.set_exception(RunnerClosed(reason))
        self.idle.clear()


def quiet(future: asyncio.Future[Any]) -> None:
    """Retrieve a future's exception: one nobody awaits (the caller gave up) is expected."""
    if not future.cancelled():
        future.exception()
