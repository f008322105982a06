"""One worker process as the pool sees it: starting it, its pipes, its stderr, its death.

A worker answers one job at a time: it says "started" when it has read a job, then
answers it. A worker that is gone before saying "started" never ran the job (WorkerGone:
the pool retries it elsewhere); anything else unexpected on its pipes (an answer too
large to read, the wrong id, an early end) becomes RunnerCrashed, and the pool then
replaces the process rather than reuse it.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import os
import signal
from typing import Any

from bot.runner.errors import RunnerCrashed, RunnerStartError, WorkerGone
from bot.runner.protocol import EXIT_OUT_OF_MEMORY, READY_KEY, STARTED_KEY, job_line
from bot.runner.sandbox import SandboxMode

log = logging.getLogger("anneal.runner")

ANSWER_LIMIT = 32 << 20  # bytes in one answer line: 10,000 steps x 8 groups, plus a PNG
LARGE_ANSWER = 64 << 10  # decode answers bigger than this in a thread, off the event loop


class WorkerProcess:
    """One worker process and the pipes to it."""

    def __init__(self, process: asyncio.subprocess.Process, mode: SandboxMode) -> None:
        self.process = process
        self.mode = mode
        self.jobs = 0
        self.warm_up_cpu_s: float | None = None  # what starting it cost, from its ready line
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=20)
        self._stderr_task = asyncio.create_task(self._drain_stderr())

    @property
    def pid(self) -> int:
        """The process id as the host sees it (bwrap's, in bwrap mode)."""
        return self.process.pid

    async def _drain_stderr(self) -> None:
        # An undrained stderr pipe fills up and then blocks the worker mid-job.
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            line = raw.decode(errors="replace").rstrip()
            self.stderr_tail.append(line)
            log.debug("worker %d: %s", self.pid, line)

    async def read_line(self) -> bytes:
        """The next line the worker writes; b"" once it has exited."""
        assert self.process.stdout is not None
        try:
            return await self.process.stdout.readline()
        except ValueError as exc:  # a line longer than ANSWER_LIMIT
            raise RunnerCrashed("The runner's answer was too large.") from exc

    @property
    def exited(self) -> bool:
        """Whether the process is known to have ended (asyncio may learn it a little late)."""
        return self.process.returncode is not None

    async def ask(self, job: dict[str, Any]) -> dict[str, Any]:
        """Write one job and read its answer.

        WorkerGone if the worker was gone before it read the job; RunnerCrashed if it dies
        (or answers nonsense) after that.
        """
        assert self.process.stdin is not None
        self.jobs += 1
        try:
            self.process.stdin.write(job_line(job))
            await self.process.stdin.drain()
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise WorkerGone("The runner's worker had stopped.") from exc
        started = await self.read_line()
        if not started:
            raise WorkerGone("The runner's worker had stopped.")
        if (await _read_answer(started)).get(STARTED_KEY) != job["id"]:
            raise RunnerCrashed("The runner answered a different job.")
        raw = await self.read_line()
        if not raw:
            raise RunnerCrashed(await self.death_notice())
        answer = await _read_answer(raw)
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
        """SIGKILL the worker and everything it started."""
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


async def _read_answer(raw: bytes) -> dict[str, Any]:
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


async def start_worker(
    argv: list[str], env: dict[str, str], cwd: str, mode: SandboxMode, start_timeout: float
) -> WorkerProcess:
    """Start one worker and wait for its ready line; RunnerStartError if none comes."""
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
    worker = WorkerProcess(process, mode)
    try:
        ready = await _ready_line(worker, start_timeout)
    except asyncio.CancelledError:  # the pool is closing: leave no orphan behind
        worker.kill()
        raise
    if ready.get(READY_KEY) is not True:
        await worker.close(grace=0.1)
        raise RunnerStartError(f"worker did not start: {' | '.join(worker.stderr_tail)}")
    cpu = ready.get("warm_up_cpu_s")
    worker.warm_up_cpu_s = float(cpu) if isinstance(cpu, int | float) else None
    log.debug(
        "runner: worker %d ready in %s s, %s CPU-s (%s)",
        worker.pid,
        ready.get("warm_up_s"),
        cpu,
        mode,
    )
    return worker


async def _ready_line(worker: WorkerProcess, start_timeout: float) -> dict[str, Any]:
    try:
        raw = await asyncio.wait_for(worker.read_line(), start_timeout)
        ready = json.loads(raw) if raw else {}
    except (TimeoutError, ValueError, RunnerCrashed):
        return {}
    return ready if isinstance(ready, dict) else {}
