"""A job's CPU-time allowance in the worker, checked between steps.

The limit on a job is CPU time, not wall-clock time: on a busy machine a job waits for a
core and takes longer, but uses no more CPU, so it slows down instead of failing. The
worker checks the allowance between scheduler steps (and before drawing), so a job that
runs out is stopped with a clear answer and the worker, still healthy, takes the next
job: no respawn, which would cost seconds of CPU to import torch again. The kernel's
RLIMIT_CPU and the pool's wall clock stay behind it as backstops for what never returns
to Python.
"""

from __future__ import annotations

import time

from bot.runner.spec import RunError

CHECK_EVERY = 64  # steps between checks: one check costs ~1 µs, one step ~10 µs


class CpuLimitExceeded(RunError):
    """A job used up its CPU time; `used` is how much it had used when it was stopped."""

    def __init__(self, limit: float, used: float) -> None:
        super().__init__(f"That run needed more than {limit:g} s of CPU time, so it was stopped.")
        self.limit = limit
        self.used = used


class CpuBudget:
    """`seconds` of this process's CPU time, counted from now."""

    def __init__(self, seconds: float) -> None:
        if seconds <= 0:
            raise ValueError("a CPU budget must be positive")
        self.seconds = seconds
        self._started = time.process_time()

    @property
    def used(self) -> float:
        """CPU seconds used since the budget started."""
        return time.process_time() - self._started

    def check(self) -> None:
        """Raise CpuLimitExceeded once the allowance is spent."""
        used = self.used
        if used > self.seconds:
            raise CpuLimitExceeded(self.seconds, used)
