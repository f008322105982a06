"""What the runner raises: RunError subclasses a learner may see, and one for operators."""

from __future__ import annotations

from bot.runner.spec import RunError


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
