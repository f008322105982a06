"""RunnerPool: warm torch workers behind JSON pipes, with limits, a bounded queue and restarts.

The bot process never imports torch: each job is a JSON line written to a worker process
(bot/runner/worker.py) that imported torch at start-up. Every await here is on a pipe or
a timer, so the event loop keeps serving Discord while a job runs.

What can go wrong and what the caller sees (each a RunError with a message fit to show):
- every worker busy and too many jobs waiting → RunnerBusy, at once;
- a job past its wall-clock limit → RunnerTimeout; the worker is killed and replaced;
- a worker that dies (killed, out of memory, out of CPU) → RunnerCrashed; it is replaced.
Replacement happens in the background: the caller gets its answer without waiting for it.
"""

from __future__ import annotations

import asyncio
import binascii
import itertools
import logging
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

from bot.runner.errors import (
    RunnerBusy,
    RunnerClosed,
    RunnerCrashed,
    RunnerStartError,
    RunnerTimeout,
)
from bot.runner.process import WorkerProcess, start_worker
from bot.runner.protocol import (
    FATAL_KEY,
    REFUSED_KEY,
    chart_job,
    compare_job,
    decode_png,
    decode_result,
    encode_spec,
)
from bot.runner.sandbox import (
    Limits,
    SandboxMode,
    WorkerProgram,
    modes_to_try,
    worker_command,
)
from bot.runner.spec import RunError, RunResult, RunSpec
from bot.runner.table import describe_run

# The pool's API: what it takes, returns and raises (defined in errors.py and sandbox.py).
__all__ = [
    "Chart",
    "Comparison",
    "Limits",
    "RunnerBusy",
    "RunnerClosed",
    "RunnerCrashed",
    "RunnerPool",
    "RunnerStartError",
    "RunnerTimeout",
    "WorkerProgram",
]

log = logging.getLogger("anneal.runner")


@dataclass(frozen=True)
class Chart:
    """A run and its chart."""

    result: RunResult
    png: bytes


@dataclass(frozen=True)
class Comparison:
    """Several runs and one chart of them all."""

    results: tuple[RunResult, ...]
    png: bytes


class RunnerPool:
    """Warm worker processes that compute learning-rate schedules with real torch.

    Use `async with RunnerPool(...) as pool:` or call start() and close() yourself.
    """

    def __init__(
        self,
        size: int = 2,
        *,
        job_timeout: float = 5.0,
        max_waiting: int = 8,
        limits: Limits | None = None,
        sandbox: Literal["auto", "bwrap", "rlimits"] = "auto",
        plot: bool = True,
        start_timeout: float = 60.0,
        recycle_after: int = 5000,
        python: str | None = None,
        program: WorkerProgram | None = None,
    ) -> None:
        """
        size: worker processes; each holds ~350 MB resident (torch + matplotlib).
        job_timeout: wall-clock seconds per job, chart included.
        max_waiting: jobs that may wait for a free worker before RunnerBusy is raised.
        sandbox: "auto" uses bubblewrap when it is installed and works, else rlimits only.
        plot: import matplotlib in the workers so chart() and compare() work.
        recycle_after: replace a worker after this many jobs (bounds slow leaks).
        python, program: the interpreter and the worker module it runs (tests inject one).
        """
        if size < 1 or max_waiting < 0 or job_timeout <= 0:
            raise ValueError("need size >= 1, max_waiting >= 0 and job_timeout > 0")
        self.size = size
        self.job_timeout = job_timeout
        self.max_waiting = max_waiting
        self.limits = limits or Limits()
        self.plot = plot
        self.start_timeout = start_timeout
        self.recycle_after = recycle_after
        self._requested_sandbox = sandbox
        self._python = python or sys.executable
        self._program = program or WorkerProgram()
        self._mode: SandboxMode | None = None
        self._idle: asyncio.Queue[WorkerProcess | None] = asyncio.Queue()
        self._workers: set[WorkerProcess] = set()
        self._background: set[asyncio.Task[None]] = set()
        self._waiting = 0
        self._ids = itertools.count(1)
        self._closed = False
        self._home: str | None = None

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Start `size` warm workers; returns once they are all ready to take jobs."""
        if self._home is not None:
            raise RuntimeError("RunnerPool.start() was already called")
        self._home = tempfile.mkdtemp(prefix="anneal-runner-")
        modes = modes_to_try(self._requested_sandbox)
        for mode in modes:
            started = await self._start_all(mode)
            if started:
                self._mode = mode
                break
            log.warning("runner: no worker started in %s mode", mode)
        else:
            await self.close()
            raise RunnerStartError(f"no runner worker could start (tried: {', '.join(modes)})")
        log.info("runner sandbox: %s (%d workers)", self._mode, len(self._workers))
        for _ in range(self.size - len(self._workers)):
            self._replace_in_background()

    async def _start_all(self, mode: SandboxMode) -> bool:
        attempts = await asyncio.gather(
            *(self._spawn(mode) for _ in range(self.size)), return_exceptions=True
        )
        for attempt in attempts:
            if isinstance(attempt, WorkerProcess):
                self._add(attempt)
            else:
                log.warning("runner: a worker failed to start in %s mode: %s", mode, attempt)
        return bool(self._workers)

    async def close(self) -> None:
        """Stop every worker; jobs still waiting get RunnerClosed. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        background = list(self._background)
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        for _ in range(self._waiting):
            self._idle.put_nowait(None)  # wakes each waiter, which then raises RunnerClosed
        workers, self._workers = list(self._workers), set()
        await asyncio.gather(*(w.close(grace=2.0) for w in workers), return_exceptions=True)
        if self._home:
            await asyncio.to_thread(shutil.rmtree, self._home, True)

    async def __aenter__(self) -> RunnerPool:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def sandbox(self) -> SandboxMode | None:
        """The sandbox in force: "bwrap" or "rlimits" (None before start())."""
        return self._mode

    @property
    def idle(self) -> int:
        """Workers ready for a job right now."""
        return self._idle.qsize()

    @property
    def waiting(self) -> int:
        """Jobs waiting for a free worker."""
        return self._waiting

    @property
    def pids(self) -> list[int]:
        """Process ids of the workers as the host sees them (bwrap's, in bwrap mode)."""
        return sorted(w.pid for w in self._workers)

    # -- jobs ----------------------------------------------------------------------------

    async def run(self, spec: RunSpec) -> RunResult:
        """Compute one schedule. Raises RunError subclasses; torch's errors are in .error."""
        answer = await self._submit(encode_spec(spec))
        return await _result(answer)

    async def chart(self, spec: RunSpec) -> Chart:
        """Compute one schedule and draw it (in the worker, where matplotlib is warm)."""
        self._require_plot()
        answer = await self._submit(chart_job(spec, title=describe_run(spec)))
        return Chart(result=await _result(answer), png=_png(answer))

    async def compare(self, runs: Sequence[tuple[str, RunSpec]]) -> Comparison:
        """Compute several labelled schedules and draw them on one chart."""
        self._require_plot()
        answer = await self._submit(compare_job(runs))
        results = [await _result(run) for run in answer.get("runs", [])]
        return Comparison(results=tuple(results), png=_png(answer))

    def _require_plot(self) -> None:
        if not self.plot:
            raise RuntimeError("this RunnerPool was created with plot=False")

    async def _submit(self, job: dict[str, Any]) -> dict[str, Any]:
        worker = await self._acquire()
        job = {**job, "id": next(self._ids)}
        healthy = False
        try:
            async with asyncio.timeout(self.job_timeout):
                answer = await worker.ask(job)
            healthy = True
        except RunnerCrashed:
            if self._closed:
                raise RunnerClosed("The runner is shutting down.") from None
            raise
        except TimeoutError:
            log.warning(
                "runner: job %s passed %.1f s; killing worker %d",
                job["id"],
                self.job_timeout,
                worker.pid,
            )
            raise RunnerTimeout(
                f"That run took longer than {self.job_timeout:g} s, so it was stopped. "
                "Try fewer steps."
            ) from None
        finally:
            # Anything but a clean answer (timeout, crash, the caller cancelled) leaves the
            # worker's pipe in an unknown state: replace it rather than reuse it.
            self._release(worker, healthy)
        return _check(answer)

    async def _acquire(self) -> WorkerProcess:
        if self._closed:
            raise RunnerClosed("The runner is shutting down.")
        if self._idle.empty() and self._waiting >= self.max_waiting:
            raise RunnerBusy("The runner is busy; try again in a moment.")
        self._waiting += 1
        try:
            # Jobs are bounded by job_timeout, so a long wait means workers are failing to
            # start; say "busy" rather than keep the learner waiting forever.
            wait = self.job_timeout * (1 + self.max_waiting / self.size) + self.start_timeout
            worker = await asyncio.wait_for(self._idle.get(), wait)
        except TimeoutError:
            raise RunnerBusy("The runner is busy; try again in a moment.") from None
        finally:
            self._waiting -= 1
        if worker is None:
            raise RunnerClosed("The runner is shutting down.")
        if worker.process.returncode is not None:  # died while idle: replace, try again
            self._retire(worker)
            return await self._acquire()
        return worker

    def _release(self, worker: WorkerProcess, healthy: bool) -> None:
        if self._closed:
            worker.kill()
        elif healthy and worker.jobs < self.recycle_after:
            self._idle.put_nowait(worker)
        else:
            self._retire(worker)

    # -- workers -------------------------------------------------------------------------

    def _add(self, worker: WorkerProcess) -> None:
        self._workers.add(worker)
        self._idle.put_nowait(worker)

    def _retire(self, worker: WorkerProcess) -> None:
        worker.kill()
        self._workers.discard(worker)
        self._background_task(worker.close(grace=1.0))
        self._replace_in_background()

    def _replace_in_background(self) -> None:
        self._background_task(self._replace())

    def _background_task(self, coroutine: Any) -> None:
        task: asyncio.Task[None] = asyncio.create_task(coroutine)
        # Keep a reference: the event loop holds only weak ones to tasks.
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _spawn(self, mode: SandboxMode) -> WorkerProcess:
        assert self._home is not None
        argv, env, cwd = worker_command(
            mode,
            program=self._program,
            python=self._python,
            home=self._home,
            limits=self.limits,
            plot=self.plot,
        )
        return await start_worker(argv, env, cwd, mode, self.start_timeout)

    async def _replace(self) -> None:
        delay = 0.5
        while not self._closed:
            assert self._mode is not None
            try:
                worker = await self._spawn(self._mode)
            except RunnerStartError as exc:
                log.error("runner: replacement worker failed to start: %s", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            if self._closed:
                await worker.close(grace=0.1)
            else:
                self._add(worker)
            return


def _check(answer: dict[str, Any]) -> dict[str, Any]:
    if REFUSED_KEY in answer:
        raise RunError(str(answer[REFUSED_KEY]))
    if FATAL_KEY in answer:
        log.error("runner: worker rejected a job: %s", answer[FATAL_KEY])
        raise RunnerCrashed("The runner could not read that job (a bug in Anneal).")
    return answer


async def _result(answer: dict[str, Any]) -> RunResult:
    try:
        values = sum(len(group) for group in answer.get("groups") or ())
        if values > 20_000:  # converting 10,000 steps x 3 groups takes a few milliseconds
            return await asyncio.to_thread(decode_result, answer)
        return decode_result(answer)
    except (KeyError, TypeError, ValueError) as exc:
        raise RunnerCrashed("The runner's answer could not be read.") from exc


def _png(answer: dict[str, Any]) -> bytes:
    try:
        return decode_png(answer)
    except (KeyError, TypeError, binascii.Error) as exc:
        raise RunnerCrashed("The runner did not return a chart.") from exc
