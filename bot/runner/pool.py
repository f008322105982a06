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
import collections
import contextlib
import itertools
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import bot
from bot.runner.protocol import (
    EXIT_OUT_OF_MEMORY,
    FATAL_KEY,
    READY_KEY,
    REFUSED_KEY,
    chart_job,
    compare_job,
    decode_png,
    decode_result,
    encode_spec,
    job_line,
)
from bot.runner.spec import RunError, RunResult, RunSpec

log = logging.getLogger("anneal.runner")

SandboxMode = Literal["bwrap", "rlimits"]
ANSWER_LIMIT = 32 << 20  # bytes in one answer line: 10,000 steps x 8 groups, plus a PNG
LARGE_ANSWER = 64 << 10  # decode answers bigger than this in a thread, off the event loop
SANDBOX_ROOT = "/opt/anneal"  # where the `bot` package appears inside bubblewrap
TEST_HOOKS_ENV = "ANNEAL_TEST_HOOKS"


class RunnerBusy(RunError):
    """Every worker is busy and the queue is full."""


class RunnerTimeout(RunError):
    """A job ran past its wall-clock limit."""


class RunnerCrashed(RunError):
    """A worker died or answered nonsense while running a job."""


class RunnerClosed(RunError):
    """The pool was closed (the bot is shutting down)."""


class RunnerStartError(RuntimeError):
    """No worker could be started: an operator's problem, not a learner's."""


@dataclass(frozen=True)
class Limits:
    """Resource limits for each worker process."""

    memory_bytes: int = 1 << 30  # RLIMIT_AS; torch + matplotlib peak at ~750 MB of it
    job_cpu_seconds: int = 10  # RLIMIT_CPU, re-armed before each job
    open_files: int = 64  # RLIMIT_NOFILE
    file_size_bytes: int = 1 << 20  # RLIMIT_FSIZE; 0 breaks tempfile, which torch uses


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


class _Worker:
    """One worker process and the pipes to it."""

    def __init__(self, process: asyncio.subprocess.Process, mode: SandboxMode) -> None:
        self.process = process
        self.mode = mode
        self.jobs = 0
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=20)
        self._stderr_task = asyncio.create_task(self._drain_stderr())

    @property
    def pid(self) -> int:
        return self.process.pid

    async def _drain_stderr(self) -> None:
        # An undrained stderr pipe fills up and then blocks the worker mid-job.
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            line = raw.decode(errors="replace").rstrip()
            self.stderr_tail.append(line)
            log.debug("worker %d: %s", self.pid, line)

    async def read_line(self) -> bytes:
        assert self.process.stdout is not None
        try:
            return await self.process.stdout.readline()
        except ValueError as exc:  # a line longer than ANSWER_LIMIT
            raise RunnerCrashed("The runner's answer was too large.") from exc

    async def ask(self, job: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.jobs += 1
        try:
            self.process.stdin.write(job_line(job))
            await self.process.stdin.drain()
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise RunnerCrashed(await self.death_notice()) from exc
        raw = await self.read_line()
        if not raw:
            raise RunnerCrashed(await self.death_notice())
        answer = await _decode(raw)
        if answer.get("id") != job["id"]:
            raise RunnerCrashed("The runner answered a different job.")
        return answer

    async def death_notice(self) -> str:
        """Why the worker died, for the learner; the details go to the log."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.process.wait(), 1.0)
        code = self.process.returncode
        log.warning("worker %d died (exit %s): %s", self.pid, code, " | ".join(self.stderr_tail))
        if code == EXIT_OUT_OF_MEMORY:
            return "That run needed more memory than a runner may use, so it was stopped."
        if code in (-signal.SIGXCPU, 128 + signal.SIGXCPU):  # bwrap reports 128 + signal
            return "That run used more CPU time than a runner may use, so it was stopped."
        return "The runner stopped unexpectedly while computing that. Please try again."

    def kill(self) -> None:
        # start_new_session=True made the worker (or bwrap) a process-group leader, so this
        # reaches everything it started; bwrap's --die-with-parent covers the sandbox.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()

    async def close(self, grace: float) -> None:
        """Ask the worker to exit (stdin EOF), kill it if it dawdles, and reap it."""
        if self.process.returncode is None and self.process.stdin is not None:
            self.process.stdin.close()
            try:
                await asyncio.wait_for(self.process.wait(), grace)
            except TimeoutError:
                self.kill()
        if self.process.returncode is None:
            await self.process.wait()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stderr_task, grace)
        self._stderr_task.cancel()


async def _decode(raw: bytes) -> dict[str, Any]:
    # json.loads of a 10,000-step answer takes milliseconds: too long for the event loop.
    try:
        if len(raw) > LARGE_ANSWER:
            answer = await asyncio.to_thread(json.loads, raw)
        else:
            answer = json.loads(raw)
    except ValueError as exc:
        raise RunnerCrashed("The runner's answer could not be read.") from exc
    if not isinstance(answer, dict):
        raise RunnerCrashed("The runner's answer could not be read.")
    return answer


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
    ) -> None:
        """
        size: worker processes; each holds ~350 MB resident (torch + matplotlib).
        job_timeout: wall-clock seconds per job, chart included.
        max_waiting: jobs that may wait for a free worker before RunnerBusy is raised.
        sandbox: "auto" uses bubblewrap when it is installed and works, else rlimits only.
        plot: import matplotlib in the workers so chart() and compare() work.
        recycle_after: replace a worker after this many jobs (bounds slow leaks).
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
        self._mode: SandboxMode | None = None
        self._idle: asyncio.Queue[_Worker | None] = asyncio.Queue()
        self._workers: set[_Worker] = set()
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
        modes = self._modes_to_try()
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

    def _modes_to_try(self) -> list[SandboxMode]:
        if self._requested_sandbox == "rlimits":
            return ["rlimits"]
        if shutil.which("bwrap") is None:
            if self._requested_sandbox == "bwrap":
                raise RunnerStartError("sandbox='bwrap' but bubblewrap (bwrap) is not installed")
            log.warning("runner: bubblewrap (bwrap) is not installed; using rlimits only")
            return ["rlimits"]
        return ["bwrap"] if self._requested_sandbox == "bwrap" else ["bwrap", "rlimits"]

    async def _start_all(self, mode: SandboxMode) -> bool:
        attempts = await asyncio.gather(
            *(self._spawn(mode) for _ in range(self.size)), return_exceptions=True
        )
        for attempt in attempts:
            if isinstance(attempt, _Worker):
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
        answer = await self._submit(chart_job(spec))
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

    async def _acquire(self) -> _Worker:
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

    def _release(self, worker: _Worker, healthy: bool) -> None:
        if self._closed:
            worker.kill()
        elif healthy and worker.jobs < self.recycle_after:
            self._idle.put_nowait(worker)
        else:
            self._retire(worker)

    # -- workers -------------------------------------------------------------------------

    def _add(self, worker: _Worker) -> None:
        self._workers.add(worker)
        self._idle.put_nowait(worker)

    def _retire(self, worker: _Worker) -> None:
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

    async def _spawn(self, mode: SandboxMode) -> _Worker:
        """Start one worker and wait for its ready line."""
        argv, env, cwd = self._command(mode)
        # No preexec_fn: the worker sets its own rlimits before reading any job, which lets
        # subprocess use vfork and stays safe with the threads asyncio.to_thread starts.
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            cwd=cwd,
            start_new_session=True,
            limit=ANSWER_LIMIT,
        )
        worker = _Worker(process, mode)
        try:
            ready = await self._ready_line(worker)
        except asyncio.CancelledError:  # the pool is closing: leave no orphan behind
            worker.kill()
            raise
        if ready.get(READY_KEY) is not True:
            await worker.close(grace=0.1)
            raise RunnerStartError(f"worker did not start: {' | '.join(worker.stderr_tail)}")
        log.debug("runner: worker %d ready in %s s (%s)", worker.pid, ready.get("warm_up_s"), mode)
        return worker

    async def _ready_line(self, worker: _Worker) -> dict[str, Any]:
        try:
            raw = await asyncio.wait_for(worker.read_line(), self.start_timeout)
            ready = json.loads(raw) if raw else {}
        except (TimeoutError, ValueError, RunnerCrashed):
            return {}
        return ready if isinstance(ready, dict) else {}

    def _command(self, mode: SandboxMode) -> tuple[list[str], dict[str, str], str]:
        """argv, environment and working directory for one worker."""
        assert self._home is not None
        package_parent = str(Path(bot.__file__).resolve().parent.parent)
        worker = [self._python, "-s", "-m", "bot.runner.worker", *self._worker_flags()]
        if mode == "rlimits":
            return worker, self._environment(package_parent, self._home), self._home
        sandbox = _bwrap_arguments(self._python, Path(package_parent) / "bot")
        return [*sandbox, *worker], self._environment(SANDBOX_ROOT, "/tmp"), "/"

    def _worker_flags(self) -> list[str]:
        limits = self.limits
        flags = [
            f"--memory={limits.memory_bytes}",
            f"--job-cpu={limits.job_cpu_seconds}",
            f"--open-files={limits.open_files}",
            f"--file-size={limits.file_size_bytes}",
        ]
        return [*flags, "--plot"] if self.plot else flags

    def _environment(self, python_path: str, home: str) -> dict[str, str]:
        # Built from nothing, so the bot's secrets (its token, database URL) never reach a
        # worker; one thread each, as torch runs faster single-threaded for jobs this small.
        env = {
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": home,
            "TMPDIR": home,
            "USER": "anneal",  # torch asks getpass.getuser(); there may be no passwd entry
            "MPLCONFIGDIR": f"{home}/matplotlib",
            "MPLBACKEND": "Agg",
            "PYTHONPATH": python_path,
            "PYTHONDONTWRITEBYTECODE": "1",
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }
        if os.environ.get(TEST_HOOKS_ENV) == "1":
            env[TEST_HOOKS_ENV] = "1"
        return env


def _bwrap_arguments(python: str, package: Path) -> list[str]:
    """bubblewrap: no network, nothing writable but a private /tmp, only what Python needs.

    The bot package is mounted on its own at SANDBOX_ROOT, so the worker cannot read the
    rest of the checkout (a .env with the bot's token, the database).
    """
    arguments = [
        shutil.which("bwrap") or "bwrap",
        "--unshare-all",
        "--uid", "65534",
        "--gid", "65534",
        "--die-with-parent",
        "--new-session",
        "--cap-drop", "ALL",
        "--proc", "/proc",
        "--dev", "/dev",
        "--tmpfs", "/tmp",
        "--chdir", "/tmp",
    ]  # fmt: skip
    for path in _python_paths(python):
        arguments += ["--ro-bind", path, path]
    for link in ("/bin", "/lib", "/lib64", "/sbin"):
        if os.path.islink(link):
            arguments += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            arguments += ["--ro-bind", link, link]
    if os.path.exists("/etc/ld.so.cache"):
        arguments += ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    return [*arguments, "--ro-bind", str(package), f"{SANDBOX_ROOT}/bot"]


def _python_paths(python: str) -> list[str]:
    """/usr, the interpreter's installation and the virtualenv, outermost first."""
    candidates = {"/usr", sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    candidates.add(str(Path(python).parent.parent))
    candidates.add(str(Path(python).resolve().parent.parent))
    paths = sorted(p for p in candidates if os.path.isdir(p))
    # A path inside another one is mounted by its parent already.
    return [p for p in paths if not any(p.startswith(q + "/") for q in paths if q != p)]


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
