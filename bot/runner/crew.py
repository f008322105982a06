"""The pool's worker processes: starting them, replacing the dead, recycling the worn.

A worker is replaced in the background when it dies or is killed (the caller gets its
answer without waiting for that). A worker that has served `recycle_after` jobs (a bound
on slow leaks) is replaced make-before-break: its successor warms up while it keeps
serving, and it leaves only once the successor is ready, so capacity never dips.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from bot.runner.errors import RunnerStartError
from bot.runner.process import WorkerProcess, start_worker
from bot.runner.sandbox import SandboxMode

log = logging.getLogger("anneal.runner")

# A sandbox mode -> argv, environment and working directory of one worker.
WorkerCommand = Callable[[SandboxMode], tuple[list[str], dict[str, str], str]]


class Crew:
    """`size` warm workers; each new one goes to `on_ready` (which gives it a job or parks it)."""

    def __init__(
        self,
        size: int,
        command: WorkerCommand,
        on_ready: Callable[[WorkerProcess], None],
        on_death: Callable[[WorkerProcess], None],
        *,
        start_timeout: float,
        recycle_after: int,
    ) -> None:
        self.size = size
        self.start_timeout = start_timeout
        self.recycle_after = recycle_after
        self.mode: SandboxMode | None = None
        self.workers: set[WorkerProcess] = set()
        self.respawns = 0  # workers started after start(), for crashes, kills or recycling
        self.respawn_cpu_seconds = 0.0  # what those cost in warm-up CPU time
        self.closed = False
        self._command = command
        self._on_ready = on_ready
        self._on_death = on_death
        self._outgoing: collections.deque[WorkerProcess] = collections.deque()  # successor due
        self._leaving: set[WorkerProcess] = set()  # successor ready: retire when free
        self._spawning: set[asyncio.Task[Any]] = set()  # replacements warming up
        self._reaping: set[asyncio.Task[Any]] = set()  # killed workers being waited for
        self._watching: set[asyncio.Task[Any]] = set()  # one per live worker

    async def start(self, modes: list[SandboxMode]) -> bool:
        """Start `size` workers in the first mode where any starts; False if none did."""
        for mode in modes:
            attempts = await asyncio.gather(
                *(self._start_one(mode) for _ in range(self.size)), return_exceptions=True
            )
            for attempt in attempts:
                if isinstance(attempt, BaseException):
                    log.warning("runner: a worker failed to start in %s mode: %s", mode, attempt)
            if self.workers or self.closed:
                break
            log.warning("runner: no worker started in %s mode", mode)
        if not self.workers:
            return False
        log.info("runner sandbox: %s (%d workers)", self.mode, len(self.workers))
        for _ in range(self.size - len(self.workers)):
            self._replace_in_background()
        return True

    async def _start_one(self, mode: SandboxMode) -> None:
        worker = await self._spawn(mode)
        self.mode = mode
        self._join(worker)

    async def _spawn(self, mode: SandboxMode) -> WorkerProcess:
        argv, env, cwd = self._command(mode)
        worker = await start_worker(argv, env, cwd, mode, self.start_timeout)
        if self.closed:
            await worker.close(grace=0.1)
            raise RunnerStartError("the pool closed while the worker started")
        return worker

    def _join(self, worker: WorkerProcess) -> None:
        self.workers.add(worker)
        self._keep(self._watching, self._watch(worker))
        if self._outgoing:
            self._leaving.add(self._outgoing.popleft())  # its successor is here
        self._on_ready(worker)

    async def _watch(self, worker: WorkerProcess) -> None:
        # A worker that dies while idle (the OOM killer, an operator) is replaced now,
        # not when the next job finds it dead.
        await worker.process.wait()
        if worker in self.workers and not self.closed:
            self._on_death(worker)

    def is_leaving(self, worker: WorkerProcess) -> bool:
        """Whether the worker has been replaced and should leave instead of taking a job."""
        return worker in self._leaving

    def served(self, worker: WorkerProcess) -> None:
        """A worker finished a job cleanly: start its successor if it is worn."""
        worn = worker.jobs >= self.recycle_after
        if worn and worker not in self._outgoing and worker not in self._leaving:
            self._outgoing.append(worker)
            self._replace_in_background()

    def retire(self, worker: WorkerProcess) -> None:
        """Kill the worker and reap it in the background; replace it unless already done."""
        worker.kill()
        self.workers.discard(worker)
        self._keep(self._reaping, worker.close(grace=1.0))
        if worker in self._leaving:
            self._leaving.discard(worker)
        elif worker in self._outgoing:
            self._outgoing.remove(worker)  # the successor already on its way replaces it
        else:
            self._replace_in_background()

    @staticmethod
    def _keep(tasks: set[asyncio.Task[Any]], coroutine: Coroutine[Any, Any, Any]) -> None:
        task: asyncio.Task[Any] = asyncio.create_task(coroutine)
        # Keep a reference: the event loop holds only weak ones to tasks.
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    def _replace_in_background(self) -> None:
        self._keep(self._spawning, self._replace())

    async def _replace(self) -> None:
        delay = 0.5
        while not self.closed:
            assert self.mode is not None
            try:
                worker = await self._spawn(self.mode)
            except (RunnerStartError, OSError) as exc:
                if self.closed:
                    return
                log.error("runner: replacement worker failed to start: %s", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            self.respawns += 1
            self.respawn_cpu_seconds += worker.warm_up_cpu_s or 0.0
            self._join(worker)
            return

    async def close(self) -> None:
        """Stop replacing workers and stop every worker (each gets `grace` s to finish its job)."""
        self.closed = True
        spawning = list(self._spawning)
        for task in [*spawning, *self._watching]:
            task.cancel()
        workers, self.workers = list(self.workers), set()
        await asyncio.gather(
            *spawning,
            *self._reaping,  # already killed: reaping them takes a moment, and then no
            # transport is left to be collected after the event loop is gone
            *(w.close(grace=2.0) for w in workers),
            return_exceptions=True,
        )
