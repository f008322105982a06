"""What the runner raises: RunError subclasses a learner may see, and one for operators."""

from __future__ import annotations

from bot.runner.spec import RunError


class RunnerBusy(RunError):
    """Every worker is busy and the queue (the pool's or this server's share) is full."""


class RunnerWarmingUp(RunnerBusy):
    """No worker has finished starting yet (torch takes seconds to import)."""


class RunnerTimeout(RunError):
    """A job used up its CPU time, or ran past the wall-clock backstop."""


class RunnerCrashed(RunError):
    """A worker died or answered nonsense while running a job."""


class WorkerGone(RunnerCrashed):
    """The worker died before it started the job (it died while idle): safe to retry."""


class RunnerClosed(RunError):
    """The pool was closed (the bot is shutting down), or it never started."""


class RunnerStartError(RuntimeError):
    """No worker could be started: an operator's problem, not a learner's."""
