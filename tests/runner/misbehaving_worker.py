"""A worker for the runner's tests: the real worker, plus misbehaviour on request.

The pool starts it through PROGRAM (`python -m tests.runner.misbehaving_worker`). A job
whose scheduler is named `__test_<what>__` misbehaves instead of running: it sleeps,
spins on the CPU without ever checking its budget, allocates memory, prints to stdout
or reports its environment. Every other job goes to
the real worker's handle(), so the production worker carries no test hooks.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

from bot.runner import worker
from bot.runner.budget import CpuBudget
from bot.runner.protocol import decode_spec, encode_result
from bot.runner.sandbox import BOT_PACKAGE, WorkerProgram
from bot.runner.spec import RunResult, RunSpec, SchedulerSpec

TESTS_PACKAGE = Path(__file__).resolve().parents[1]
PROGRAM = WorkerProgram(
    module="tests.runner.misbehaving_worker", packages=(BOT_PACKAGE, TESTS_PACKAGE)
)


def sleep_spec(seconds: float) -> RunSpec:
    """A job that sleeps for `seconds` before answering."""
    return RunSpec(SchedulerSpec("__test_sleep__", {"seconds": seconds}))


def spin_spec(seconds: float) -> RunSpec:
    """A job that burns `seconds` of CPU in a loop that never checks its CPU budget."""
    return RunSpec(SchedulerSpec("__test_spin__", {"seconds": seconds}))


def hog_spec(size: int) -> RunSpec:
    """A job that allocates `size` bytes (and says so in its warnings)."""
    return RunSpec(SchedulerSpec("__test_hog__", {"bytes": size}))


PRINT_SPEC = RunSpec(SchedulerSpec("__test_print__", {}))  # writes to stdout and fd 1
ENV_SPEC = RunSpec(SchedulerSpec("__test_env__", {}))  # reports env, cwd, uid, interfaces


def handle(
    job: dict[str, Any], plot_enabled: bool, budget: CpuBudget | None = None
) -> dict[str, Any]:
    """Misbehave for a `__test_*__` scheduler; leave every other job to the real worker."""
    if not _scheduler_name(job).startswith("__test_"):
        return worker.handle(job, plot_enabled, budget)
    spec = decode_spec(job)
    return {"id": job.get("id"), **encode_result(_misbehave(spec))}


def _scheduler_name(job: dict[str, Any]) -> str:
    scheduler = job.get("scheduler")
    inner = scheduler.get("$scheduler") if isinstance(scheduler, dict) else None
    return str(inner.get("name", "")) if isinstance(inner, dict) else ""


def _misbehave(spec: RunSpec) -> RunResult:
    kwargs = spec.scheduler.kwargs
    name = spec.scheduler.name
    notes: tuple[str, ...] = ()
    if name == "__test_sleep__":
        time.sleep(_number(kwargs.get("seconds"), 60))
    elif name == "__test_spin__":
        until = time.process_time() + _number(kwargs.get("seconds"), 60)
        while time.process_time() < until:
            pass
    elif name == "__test_hog__":
        hog = bytearray(int(_number(kwargs.get("bytes"), 1 << 33)))
        notes = (f"allocated {len(hog)} bytes",)
    elif name == "__test_print__":
        print("stray print")
        os.write(1, b"stray write to fd 1\n")
    elif name == "__test_env__":
        notes = (
            f"env={','.join(sorted(os.environ))}",
            f"cwd={os.getcwd()}",
            f"uid={os.getuid()}",
            f"interfaces={_interfaces()}",
        )
    return RunResult(groups=((),), initial=spec.lr, warnings=notes)


def _number(value: object, default: float) -> float:
    return float(value) if isinstance(value, int | float) else default


def _interfaces() -> str:
    # A sandbox without network shows only the loopback interface.
    return ",".join(sorted(name for _, name in socket.if_nameindex()))


if __name__ == "__main__":
    sys.exit(worker.main(handle_job=handle))
