"""The runner's worker process: imports torch once, then answers RunSpec JSON lines with RunResults.

Run as `python -m bot.runner.worker`. The pool (bot/runner/pool.py) starts a few of these,
waits for the ready line, then writes one job per line on stdin and reads one answer per
line on stdout. Nothing else may reach stdout: the real stdout is kept for the protocol
and file descriptor 1 is pointed at stderr, so a stray print (Python or C) cannot corrupt it.

The job itself is bot/runner/compute.py; this module is the process around it: resource
limits, the protocol's stdout, warm-up and the job loop. It imports torch only inside
functions and never imports the parser (bot/runner/language/); the bot process never
imports it at all.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import resource
import signal
import sys
import time
from collections.abc import Callable
from typing import IO, Any

from bot.runner.budget import CpuBudget, CpuLimitExceeded
from bot.runner.compute import compute
from bot.runner.protocol import (
    EXIT_OUT_OF_MEMORY,
    FATAL_KEY,
    MAX_COMPARE,
    OVER_CPU_LIMIT_KEY,
    READY_KEY,
    REFUSED_KEY,
    STARTED_KEY,
    answer_line,
    decode_spec,
    encode_png,
    encode_result,
)
from bot.runner.spec import (
    RunError,
    RunResult,
    RunSpec,
    SchedulerSpec,
)

# One job (a JSON object), whether charts are on and its CPU allowance -> its answer.
JobHandler = Callable[[dict[str, Any], bool, CpuBudget | None], dict[str, Any]]


def apply_limits(memory: int, open_files: int, file_size: int, nice: int = 0) -> None:
    """Resource limits and priority, set before torch is imported and before any job is read."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    if open_files:
        resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))
    # A write past RLIMIT_FSIZE should fail with an OSError, not kill the worker.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    if nice > 0:
        # Below the bot's priority: on a busy machine the bot's event loop (heartbeats,
        # answers) gets the CPU first. Jobs are limited in CPU time, not wall-clock time,
        # so a job that waits for a core is slowed down, never failed.
        os.nice(nice)


def arm_cpu_limit(job_cpu_seconds: float) -> None:
    """The kernel's backstop for the next job: twice its CPU allowance, plus a second.

    The job's own allowance is checked between steps (bot/runner/budget.py); this catches
    what never comes back to Python. Past it the kernel sends SIGXCPU, which ends the
    worker, and the pool replaces it. RLIMIT_CPU counts the process's whole life, so it is
    re-armed before every job from what the process has used so far.
    """
    if job_cpu_seconds <= 0:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + 2 * job_cpu_seconds + 1)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def claim_stdout() -> IO[bytes]:
    """Keep the real stdout for answers and send everything else written to fd 1 to stderr."""
    sys.stdout.flush()
    protocol = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return protocol


def send(out: IO[bytes], message: dict[str, Any]) -> None:
    """Write one answer line and flush it, so the pool reads it at once."""
    out.write(answer_line(message))
    out.flush()


def warm_up(plot: bool) -> None:
    """Pay every first-use cost now, not in a learner's first job."""
    import torch

    torch.set_num_threads(1)
    # The first optimizer costs ~0.8 s (it imports torch._dynamo); these specs also touch
    # the momentum and beta1 paths.
    for optimizer in ("SGD", "Adam"):
        spec = RunSpec(
            scheduler=SchedulerSpec("OneCycleLR", {"max_lr": 1.0, "total_steps": 10}),
            steps=10,
            optimizer=optimizer,
        )
        _must_succeed(compute(spec))
    if plot:
        from bot.runner import plot as plotting

        spec = RunSpec(scheduler=SchedulerSpec("StepLR", {"step_size": 2}), steps=10)
        result = _must_succeed(compute(spec))
        # The title the bot sends for this spec, so a real title's glyphs are warm too.
        plotting.chart(spec, result, title="StepLR(step_size=2) · SGD(lr=0.1) · 10 steps")
        plotting.render_comparison([("a", result), ("b", result)], title="warm-up")


def _must_succeed(result: RunResult) -> RunResult:
    # compute() turns every error into a message; during warm-up an error means the
    # environment is broken (a limit too tight, a missing library), so stop loudly.
    if result.error:
        raise RuntimeError(f"warm-up failed: {result.error}")
    return result


def handle(
    job: dict[str, Any], plot_enabled: bool, budget: CpuBudget | None = None
) -> dict[str, Any]:
    """One job in, one answer out; the answer echoes the job's id."""
    answer: dict[str, Any] = {"id": job.get("id")}
    if "compare" in job:
        answer.update(_compare(job["compare"], plot_enabled, budget, job.get("title")))
        return answer
    spec = decode_spec(job)
    result = compute(spec, budget=budget)
    answer.update(encode_result(result))
    if job.get("plot") and plot_enabled:
        from bot.runner import plot as plotting

        if budget is not None:
            budget.check()
        png = plotting.chart(spec, result, title=str(job["title"]))
        answer["png"] = encode_png(png)
    return answer


def _compare(
    items: list[dict[str, Any]],
    plot_enabled: bool,
    budget: CpuBudget | None,
    title: object = None,
) -> dict[str, Any]:
    if not 1 <= len(items) <= MAX_COMPARE:
        raise RunError(f"Compare between 1 and {MAX_COMPARE} schedules at a time.")
    labelled = [
        (str(item["label"]), compute(decode_spec(item["spec"]), budget=budget)) for item in items
    ]
    answer: dict[str, Any] = {"runs": [encode_result(result) for _, result in labelled]}
    if plot_enabled:
        from bot.runner import plot as plotting

        if budget is not None:
            budget.check()
        shown = None if title is None else str(title)
        answer["png"] = encode_png(plotting.render_comparison(labelled, title=shown))
    return answer


def serve(
    source: IO[bytes],
    out: IO[bytes],
    plot_enabled: bool,
    job_cpu: float,
    handle_job: JobHandler = handle,
) -> None:
    """Answer jobs until stdin closes: "started" as soon as a job is read, then its answer."""
    for line in iter(source.readline, b""):
        job = _read_job(line)
        job_id = job.get("id") if isinstance(job, dict) else None
        send(out, {STARTED_KEY: job_id})
        arm_cpu_limit(job_cpu)
        try:
            if not isinstance(job, dict):
                raise ValueError(f"a job is a JSON object, not {line[:80]!r}")
            answer = handle_job(job, plot_enabled, CpuBudget(job_cpu) if job_cpu > 0 else None)
        except MemoryError:
            # After a MemoryError nothing here can be trusted; the pool replaces us.
            os._exit(EXIT_OUT_OF_MEMORY)
        except CpuLimitExceeded as exc:
            answer = {"id": job_id, OVER_CPU_LIMIT_KEY: round(exc.used, 3)}
        except RunError as exc:
            answer = {"id": job_id, REFUSED_KEY: str(exc)}
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            # A malformed job is the bot's bug, not the learner's: say so plainly.
            answer = {"id": job_id, FATAL_KEY: f"malformed job: {exc!r}"}
        send(out, answer)


def _read_job(line: bytes) -> Any:
    try:
        return json.loads(line)
    except ValueError:  # answered as a malformed job
        return None


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot.runner.worker")
    parser.add_argument("--plot", action="store_true", help="import matplotlib and render charts")
    parser.add_argument("--memory", type=int, default=0, help="RLIMIT_AS in bytes (0: unlimited)")
    parser.add_argument("--job-cpu", type=float, default=0, help="CPU seconds per job (0: none)")
    parser.add_argument("--nice", type=int, default=0, help="added to the process's niceness")
    parser.add_argument("--open-files", type=int, default=0, help="RLIMIT_NOFILE (0: inherit)")
    parser.add_argument("--file-size", type=int, default=1 << 20, help="RLIMIT_FSIZE in bytes")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, handle_job: JobHandler = handle) -> int:
    """Set limits, warm up, say ready, then answer jobs until stdin closes.

    `handle_job` answers one job; tests wrap `handle` to add misbehaviour.
    """
    args = _parse_args(argv)
    apply_limits(args.memory, args.open_files, args.file_size, args.nice)
    out = claim_stdout()
    started = time.perf_counter()
    try:
        warm_up(args.plot)
    except MemoryError:
        print(
            "worker: out of memory while importing torch; raise the memory limit", file=sys.stderr
        )
        return EXIT_OUT_OF_MEMORY
    import torch

    ready = {
        READY_KEY: True,
        "pid": os.getpid(),
        "plot": args.plot,
        "torch": torch.__version__,
        "warm_up_s": round(time.perf_counter() - started, 3),
        "warm_up_cpu_s": round(time.process_time(), 3),  # what a respawn costs
    }
    send(out, ready)
    with contextlib.suppress(BrokenPipeError, KeyboardInterrupt):
        serve(sys.stdin.buffer, out, args.plot, args.job_cpu, handle_job)
    return 0


if __name__ == "__main__":
    sys.exit(main())
