"""Turning torch's errors into lessons: what went wrong, in words a learner can act on.

torch's own message is always kept (after "torch says" or in parentheses): it is part of
the lesson. Used by the worker (bot/runner/compute.py); torch is imported inside functions.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import re
from types import TracebackType
from typing import Any

from bot.runner.protocol import child_schedulers
from bot.runner.spec import RunError, RunSpec, SchedulerSpec, scheduler_module

_ONE_CYCLE_PAST_END = re.compile(
    r"Tried to step (\d+) times\. The specified number of total steps is (\d+)"
)
_UNEXPECTED_KWARG = re.compile(r"got an unexpected keyword argument '(\w+)'")
_MISSING_ARGS = re.compile(r"missing \d+ required (?:positional |keyword-only )?arguments?: (.+)$")


def scheduler_class_of(name: str) -> Any:
    """torch's class for scheduler `name` (SWALR from swa_utils, the rest from lr_scheduler)."""
    return getattr(importlib.import_module(scheduler_module(name)), name)


def _torch_said(exc: BaseException) -> str:
    text = str(exc)
    # Python names the method ("StepLR.__init__()"); a learner wrote "StepLR(...)".
    text = re.sub(r"\b(\w+)\.__init__\(\)", r"\1()", text)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def explain_build(spec: SchedulerSpec, exc: Exception) -> str:
    """Why a scheduler's constructor refused, in words a learner can act on."""
    name = spec.name
    if isinstance(exc, RunError):
        return str(exc)
    said = _torch_said(exc)
    if isinstance(exc, TypeError):
        lesson = _signature_lesson(name, str(exc))
        if lesson:
            return f"{lesson} (torch: {said})"
    if isinstance(exc, ZeroDivisionError):
        zeros = _zeros(spec)
        return f"{name} divides by one of its arguments, and it is 0{zeros}. (torch: {said})"
    return f"{name} refused its arguments. torch says: {said}"


def _signature_lesson(name: str, message: str) -> str | None:
    parameters = _parameters(name)
    listed = ", ".join(parameters)
    unexpected = _UNEXPECTED_KWARG.search(message)
    if unexpected:
        bad = unexpected.group(1)
        close = difflib.get_close_matches(bad, parameters, n=1)
        hint = f" Did you mean {close[0]}?" if close else ""
        return f"{name} has no argument {bad!r}.{hint} Its arguments are: {listed}."
    missing = _MISSING_ARGS.search(message)
    if missing:
        needed = missing.group(1).replace("'", "")
        return f"{name} needs {needed}. Its arguments are: {listed}."
    return None


def _parameters(name: str) -> list[str]:
    signature = inspect.signature(scheduler_class_of(name).__init__)
    return [p for p in signature.parameters if p not in ("self", "optimizer")]


def _zeros(spec: SchedulerSpec) -> str:
    zeros = [f"{k}={v}" for k, v in spec.kwargs.items() if v == 0 and not isinstance(v, bool)]
    return f" ({', '.join(zeros)})" if zeros else ""


def explain_step(exc: BaseException, step: int, spec: RunSpec) -> str:
    """Why stepping stopped at `step`; the steps before it are kept in the result."""
    who = _raising_scheduler(exc.__traceback__) or spec.scheduler.name
    if isinstance(exc, RunError):  # e.g. a lambda that divided by zero: already worded
        return f"{who} stopped at step {step}: {exc}"
    said = _torch_said(exc)
    past_end = _ONE_CYCLE_PAST_END.search(str(exc))
    if who == "OneCycleLR" and past_end:
        stepped, total = past_end.groups()
        return (
            f"OneCycleLR was stepped {stepped} times but total_steps is {total}: it plans one "
            f"cycle of exactly total_steps steps (or epochs * steps_per_epoch) and has no rate "
            f"past the end. Make total_steps at least the number of steps you run. (torch: {said})"
        )
    node = _find(spec.scheduler, who)
    zeros = _zeros(node) if node else ""
    if isinstance(exc, ZeroDivisionError) and who == "StepLR":
        return (
            f"StepLR divided by zero at step {step}: step_size is how many steps pass between "
            f"decays, so it must be a positive integer{zeros}. (torch: {said})"
        )
    if isinstance(exc, ZeroDivisionError):
        return (
            f"{who} divided by zero at step {step}: one of its arguments is 0{zeros}. "
            f"(torch: {said})"
        )
    return f"{who} failed at step {step}. torch says: {said}"


def _raising_scheduler(tb: TracebackType | None) -> str | None:
    """The class of the innermost scheduler whose method was running when torch raised."""
    from torch.optim.lr_scheduler import LRScheduler

    found = None
    while tb is not None:
        owner = tb.tb_frame.f_locals.get("self")
        if isinstance(owner, LRScheduler):
            found = type(owner).__name__
        tb = tb.tb_next
    return found


def _find(spec: SchedulerSpec, name: str) -> SchedulerSpec | None:
    if spec.name == name:
        return spec
    for child in child_schedulers(spec):
        hit = _find(child, name)
        if hit:
            return hit
    return None


def explain_optimizer(spec: RunSpec, exc: Exception) -> str:
    """Why the optimizer refused its settings (a negative lr, say)."""
    return f"{spec.optimizer} refused its settings. torch says: {_torch_said(exc)}"
