"""RunnerPool: warm torch workers behind JSON pipes, a fair bounded queue, limits and restarts.

The bot process never imports torch: each job is a JSON line written to a worker process
(bot/runner/worker.py) that imported torch at start-up. Every await here is on a pipe or
a timer, so the event loop keeps serving Discord while a job runs.

Jobs that find every worker busy wait in a FairQueue (fairness.py): bounded overall and
per server, and served so that members flooding heavy jobs cannot hold up everyone else.
What can go wrong and what the caller sees (each a RunError with a message fit to show):
- the queue, or this server's share of it, is full → RunnerBusy, at once;
- no worker has finished warming up within `warm_up_wait` → RunnerWarmingUp (a RunnerBusy);
- a job past its CPU-time limit → RunnerTimeout; the worker stays and takes the next job;
- a job past the wall-clock backstop → RunnerTimeout; the worker is killed and replaced;
- a worker that dies during a job (killed, out of memory) → RunnerCrashed; it is replaced.
A worker found dead before it started a job (it died while idle) costs the caller nothing:
the job is retried once, first in line, on another worker.
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

from bot.runner.crew import Crew
from bot.runner.dispatch import Dispatcher, Waiter, quiet
from bot.runner.errors import (
    RunnerBusy,
    RunnerClosed,
    RunnerCrashed,
    RunnerStartError,
    RunnerTimeout,
    RunnerWarmingUp,
    WorkerGone,
)
from bot.runner.fairness import ANYONE, FairQueue, Requester
from bot.runner.process import WorkerProcess
from bot.runner.protocol import (
    FATAL_KEY,
    OVER_CPU_LIMIT_KEY,
    REFUSED_KEY,
    chart_job,
    compare_job,
    decode_png,
    decode_result,
    encode_spec,
)
from bot.runner.sandbox import Limits, SandboxMode, WorkerProgram, modes_to_try, worker_command
from bot.runner.spec import RunError, RunResult, RunSpec
from bot.runner.table import describe_comparison, describe_run

# The pool's API: what it takes, returns and raises (defined in errors.py and sandbox.py).
__all__ = [
    "Chart",
    "Comparison",
    "Limits",
    "Requester",
    "RunnerBusy",
    "RunnerClosed",
    "RunnerCrashed",
    "RunnerPool",
    "RunnerStartError",
    "RunnerTimeout",
    "RunnerWarmingUp",
    "WorkerProgram",
]

log = logging.getLogger("anneal.runner")

SHUTTING_DOWN = "The runner is shutting down."
NOT_STARTED = "The runner could not start, so runs are not available right now."


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

    Use `async with RunnerPool(...) as pool:` or call start() and close() yourself. Jobs
    may be submitted before start() has finished (say, while it runs in a background
    task): they wait up to `warm_up_wait` for the first worker; see `ready`/`wait_ready`.
    """

    def __init__(
        self,
        size: int = 2,
        *,
        job_timeout: float = 5.0,
        wall_clock_factor: float = 4.0,
        max_waiting: int = 8,
        max_waiting_per_server: int | None = None,
        warm_up_wait: float = 15.0,
        heavy_steps: int = 2_500,
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
        job_timeout: CPU seconds a job may use in its worker, chart included. A busy
            machine makes a job slower, not more expensive, so it is not failed for that.
        wall_clock_factor: the wall-clock backstop is job_timeout times this; past it the
            worker is killed (it is stuck, or the machine is overloaded).
        max_waiting: jobs that may wait for a worker before RunnerBusy is raised.
        max_waiting_per_server: of those, how many one server may have (default: half).
        warm_up_wait: how long a job submitted before any worker is ready waits for one.
        heavy_steps: a job of at least this many steps (times parameter groups, summed
            over a comparison) is heavy; heavy jobs hold all workers but one at most.
        sandbox: "auto" uses bubblewrap when it is installed and works, else rlimits only.
        plot: import matplotlib in the workers so chart() and compare() work.
        recycle_after: replace a worker after this many jobs (bounds slow leaks).
        python, program: the interpreter and the worker module it runs (tests inject one).
        """
        if size < 1 or max_waiting < 0 or job_timeout <= 0 or wall_clock_factor < 1:
            raise ValueError(
                "need size >= 1, max_waiting >= 0, job_timeout > 0 and wall_clock_factor >= 1"
            )
        self.size = size
        self.job_timeout = job_timeout
        self.wall_clock_limit = job_timeout * wall_clock_factor
        self.max_waiting = max_waiting
        if max_waiting_per_server is None:
            # Half the queue: one busy server cannot fill it for everyone else.
            max_waiting_per_server = max(1, max_waiting // 2) if max_waiting else 0
        self.max_waiting_per_server = max_waiting_per_server
        self.warm_up_wait = warm_up_wait
        self.heavy_steps = heavy_steps
        self.limits = limits or Limits()
        self.plot = plot
        self._requested_sandbox = sandbox
        self._python = python or sys.executable
        self._program = program or WorkerProgram()
        self._crew = Crew(
            size,
            self._worker_command,
            lambda worker: self._dispatch.on_ready(worker),
            lambda worker: self._dispatch.on_death(worker),
            start_timeout=start_timeout,
            recycle_after=recycle_after,
        )
        self._dispatch = Dispatcher[WorkerProcess](
            self._crew,
            FairQueue[Waiter[WorkerProcess]](max_waiting, max_waiting_per_server),
            # Every job ahead of a waiting one is bounded by the wall-clock backstop, so
            # a longer wait means workers are failing to start: say busy, don't hang.
            max_wait=self.wall_clock_limit * (1 + max_waiting / size) + start_timeout,
            warm_up_wait=warm_up_wait,
            heavy_lanes=max(1, size - 1),
        )
        self._jobs: set[asyncio.Task[dict[str, Any]]] = set()
        self._ids = itertools.count(1)
        self._home: str | None = None
        self.retries = 0  # jobs retried because their worker had died while idle

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Start `size` warm workers; returns once they are all ready to take jobs.

        Raises RunnerStartError if none can start; jobs waiting for one then get RunnerClosed.
        """
        if self._home is not None:
            raise RuntimeError("RunnerPool.start() was already called")
        if self._dispatch.closed:
            raise RunnerClosed(self._dispatch.closed)
        self._home = tempfile.mkdtemp(prefix="anneal-runner-")
        try:
            modes = modes_to_try(self._requested_sandbox)
            started = await self._crew.start(modes)
        except BaseException:
            await self._shut(NOT_STARTED)
            raise
        if self._dispatch.closed:
            raise RunnerClosed(self._dispatch.closed)
        if not started:
            await self._shut(NOT_STARTED)
            raise RunnerStartError(f"no runner worker could start (tried: {', '.join(modes)})")

    def _worker_command(self, mode: SandboxMode) -> tuple[list[str], dict[str, str], str]:
        assert self._home is not None
        return worker_command(
            mode,
            program=self._program,
            python=self._python,
            home=self._home,
            limits=self.limits,
            plot=self.plot,
            job_cpu_seconds=self.job_timeout,
        )

    async def close(self) -> None:
        """Stop every worker; jobs still waiting get RunnerClosed. Safe to call twice."""
        await self._shut(SHUTTING_DOWN)

    async def _shut(self, reason: str) -> None:
        if self._dispatch.closed:
            return
        self._dispatch.close(reason)
        await self._crew.close()  # a job still running gets 2 s to finish, then its worker dies
        await asyncio.gather(*self._jobs, return_exceptions=True)
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
    def ready(self) -> bool:
        """Whether a worker has started (it stays true while workers are replaced)."""
        return self._dispatch.ready.is_set() and not self._dispatch.closed

    async def wait_ready(self) -> bool:
        """Wait for the first worker to be ready (True) or the pool to close (False).

        Bound the wait with `async with asyncio.timeout(...)`.
        """
        await self._dispatch.settled.wait()
        return self.ready

    @property
    def sandbox(self) -> SandboxMode | None:
        """The sandbox in force: "bwrap" or "rlimits" (None before the first worker)."""
        return self._crew.mode

    @property
    def idle(self) -> int:
        """Workers ready for a job right now."""
        return len(self._dispatch.idle)

    @property
    def waiting(self) -> int:
        """Jobs waiting for a free worker."""
        return self._dispatch.queue.waiting

    @property
    def pids(self) -> list[int]:
        """Process ids of the workers as the host sees them (bwrap's, in bwrap mode)."""
        return sorted(w.pid for w in self._crew.workers)

    @property
    def respawns(self) -> int:
        """Workers started to replace others (crashed, killed or recycled)."""
        return self._crew.respawns

    @property
    def respawn_cpu_seconds(self) -> float:
        """CPU time those replacements spent warming up (importing torch and matplotlib)."""
        return self._crew.respawn_cpu_seconds

    # -- jobs ----------------------------------------------------------------------------

    async def run(self, spec: RunSpec, *, requester: Requester | None = None) -> RunResult:
        """Compute one schedule. Raises RunError subclasses; torch's errors are in .error.

        `requester` (server and member) is whose share of the queue the job waits in.
        """
        answer = await self._submit(encode_spec(spec), requester, self._heavy(spec))
        return await _result(answer)

    async def chart(self, spec: RunSpec, *, requester: Requester | None = None) -> Chart:
        """Compute one schedule and draw it (in the worker, where matplotlib is warm)."""
        self._require_plot()
        job = chart_job(spec, title=describe_run(spec))
        answer = await self._submit(job, requester, self._heavy(spec))
        return Chart(result=await _result(answer), png=_png(answer))

    async def compare(
        self, runs: Sequence[tuple[str, RunSpec]], *, requester: Requester | None = None
    ) -> Comparison:
        """Compute several labelled schedules and draw them on one chart: one job, one worker.

        The job's CPU-time limit covers every schedule, and all their steps count toward the
        heavy-job rule, so a comparison costs what its runs would cost together.
        """
        self._require_plot()
        specs = [spec for _, spec in runs]
        job = compare_job(runs, title=describe_comparison(specs))
        answer = await self._submit(job, requester, self._heavy(*specs))
        results = [await _result(run) for run in answer.get("runs", [])]
        return Comparison(results=tuple(results), png=_png(answer))

    def _heavy(self, *specs: RunSpec) -> bool:
        return sum(spec.steps * len(spec.lr) for spec in specs) >= self.heavy_steps

    def _require_plot(self) -> None:
        if not self.plot:
            raise RuntimeError("this RunnerPool was created with plot=False")

    async def _submit(
        self, job: dict[str, Any], requester: Requester | None, heavy: bool
    ) -> dict[str, Any]:
        who = requester or ANYONE
        # Admission is decided before the first await, so the queue's bounds hold even
        # for many requests arriving in the same turn of the event loop.
        ticket = self._dispatch.admit(who, heavy=heavy)
        job = {**job, "id": next(self._ids)}
        try:
            answer = await self._run_on(await self._dispatch.worker_for(ticket), job, who)
        except WorkerGone:
            # The worker died before it read the job (it died while idle), so the job never
            # ran and cannot be what killed it: run it once more, first in line.
            if self._dispatch.closed:
                raise RunnerClosed(self._dispatch.closed) from None
            self.retries += 1
            log.warning("runner: job %s found its worker dead; retrying it", job["id"])
            retry = self._dispatch.admit(who, heavy=heavy, retry=True)
            try:
                answer = await self._run_on(await self._dispatch.worker_for(retry), job, who)
            except WorkerGone:
                raise RunnerCrashed(
                    "The runner stopped unexpectedly before computing that. Please try again."
                ) from None
        return _check(answer, self.job_timeout)

    async def _run_on(
        self, worker: WorkerProcess, job: dict[str, Any], who: Requester
    ) -> dict[str, Any]:
        # The job runs in its own task: if the caller is cancelled (the command was, the
        # bot is stopping) the job still finishes and its worker is reused, instead of a
        # pipe left mid-answer that would cost a respawn.
        task = asyncio.create_task(self._ask(worker, job, who))
        self._jobs.add(task)
        task.add_done_callback(self._job_done)
        return await asyncio.shield(task)

    def _job_done(self, task: asyncio.Task[dict[str, Any]]) -> None:
        self._jobs.discard(task)
        quiet(task)

    async def _ask(
        self, worker: WorkerProcess, job: dict[str, Any], who: Requester
    ) -> dict[str, Any]:
        healthy = False
        try:
            async with asyncio.timeout(self.wall_clock_limit):
                answer = await worker.ask(job)
            healthy = True
            return answer
        except WorkerGone:
            raise
        except RunnerCrashed:
            if self._dispatch.closed:
                raise RunnerClosed(self._dispatch.closed) from None
            raise
        except TimeoutError:
            log.warning(
                "runner: job %s passed the %.1f s wall-clock backstop; killing worker %d",
                job["id"],
                self.wall_clock_limit,
                worker.pid,
            )
            raise RunnerTimeout(
                f"That run took more than {self.wall_clock_limit:g} s, so it was stopped. "
                "The runner may be overloaded: try again in a moment, or with fewer steps."
            ) from None
        finally:
            self._dispatch.release(worker, who, healthy)


def _check(answer: dict[str, Any], cpu_limit: float) -> dict[str, Any]:
    if REFUSED_KEY in answer:
        raise RunError(str(answer[REFUSED_KEY]))
    if OVER_CPU_LIMIT_KEY in answer:
        raise RunnerTimeout(
            f"That run needed more than {cpu_limit:g} s of CPU time, so it was stopped. "
            "Try fewer steps."
        )
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
