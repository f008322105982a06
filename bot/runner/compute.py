"""Computing one schedule with real torch: check the spec, build the objects, step them.

This is the job the worker process runs (bot/runner/worker.py); torch is imported inside
the functions, so this module loads without it.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import warnings
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from bot.runner.budget import CHECK_EVERY, CpuBudget
from bot.runner.lambdas import compile_lambda as compile_lambda_tree
from bot.runner.lessons import (
    explain_build,
    explain_optimizer,
    explain_step,
    scheduler_class_of,
)
from bot.runner.protocol import MAX_GROUPS, child_schedulers, cycles_momentum
from bot.runner.spec import (
    MAX_STEPS,
    OPTIMIZER_NAMES,
    SCHEDULER_NAMES,
    LambdaSpec,
    RunError,
    RunResult,
    RunSpec,
    SchedulerSpec,
)

if TYPE_CHECKING:
    from torch.optim import Optimizer

LambdaCompiler = Callable[[LambdaSpec], Callable[[int], float]]

MAX_WARNINGS = 8
MAX_DEPTH = 8  # nesting of schedulers and lists: SequentialLR([...]) is two levels
MAX_SCHEDULERS = 16
# Keyword arguments are checked again here even though the parser allowlists them: the
# worker is the last place that can refuse, and it costs nothing.
_KWARG_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$", re.IGNORECASE)


# ---------------------------------------------------------------------------------------
# Checking a spec before torch sees it
# ---------------------------------------------------------------------------------------


def validate(spec: RunSpec) -> None:
    """Refuse a spec the parser should never have produced, with a message fit for a user."""
    if spec.optimizer not in OPTIMIZER_NAMES:
        raise RunError(
            f"Unknown optimizer {spec.optimizer!r}: use one of {', '.join(OPTIMIZER_NAMES)}."
        )
    if not 0 <= spec.steps <= MAX_STEPS:
        raise RunError(f"steps must be between 0 and {MAX_STEPS:,}, not {spec.steps:,}.")
    if not 1 <= len(spec.lr) <= MAX_GROUPS:
        raise RunError(f"Give between 1 and {MAX_GROUPS} learning rates (one per parameter group).")
    _validate_scheduler(spec.scheduler, depth=0)
    if _count_schedulers(spec.scheduler) > MAX_SCHEDULERS:
        # Each one is stepped every step: this bounds a job's work, not only its depth.
        raise RunError(f"Use at most {MAX_SCHEDULERS} schedulers in one run.")
    if spec.scheduler.name == "ReduceLROnPlateau":
        _validate_metrics(spec)


def _validate_scheduler(spec: SchedulerSpec, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise RunError("Schedulers and lists are nested too deeply.")
    if spec.name not in SCHEDULER_NAMES:
        raise RunError(_unknown_name_message(spec.name))
    for key, value in spec.kwargs.items():
        if not _KWARG_NAME.match(key):
            raise RunError(f"{spec.name} has no argument {key!r}.")
        _validate_value(value, depth)


def _validate_value(value: Any, depth: int) -> None:
    if isinstance(value, SchedulerSpec):
        _validate_scheduler(value, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            _validate_value(item, depth + 1)
    elif not isinstance(value, LambdaSpec | float | int | bool | str | None):
        raise RunError(f"Arguments must be numbers, strings, lists or schedulers, not {value!r}.")


def _count_schedulers(spec: SchedulerSpec) -> int:
    return 1 + sum(_count_schedulers(child) for child in child_schedulers(spec))


def _validate_metrics(spec: RunSpec) -> None:
    if spec.metrics is None:
        raise RunError(
            "ReduceLROnPlateau reacts to a metric (say, the validation loss), so it needs one "
            "value per step: give metrics=[...] with one number per step."
        )
    if len(spec.metrics) < spec.steps:
        raise RunError(
            f"ReduceLROnPlateau needs one metric per step: {spec.steps} steps but only "
            f"{len(spec.metrics)} metrics."
        )


def _unknown_name_message(name: str) -> str:
    close = difflib.get_close_matches(name, SCHEDULER_NAMES, n=1)
    hint = f" Did you mean {close[0]}?" if close else ""
    return f"{name!r} is not a scheduler Anneal can run.{hint}"


# ---------------------------------------------------------------------------------------
# Building torch objects
# ---------------------------------------------------------------------------------------


def build_optimizer(spec: RunSpec) -> Optimizer:
    """One tiny parameter per group, so every group can have its own initial rate."""
    import torch

    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in spec.lr]
    extra: dict[str, float] = {}
    # CyclicLR and OneCycleLR drive momentum; SGD's default of 0 would make the teaching
    # example unlike every real use of them, so give it the customary 0.9.
    if spec.optimizer in ("SGD", "RMSprop") and cycles_momentum(spec.scheduler):
        extra["momentum"] = 0.9
    optimizer_class = getattr(torch.optim, spec.optimizer)
    optimizer: Optimizer = optimizer_class(groups, lr=spec.lr[0], **extra)
    return optimizer


class _BuildFailed(Exception):
    """A scheduler's constructor refused its arguments; carries which one."""

    def __init__(self, spec: SchedulerSpec, cause: Exception) -> None:
        super().__init__(str(cause))
        self.spec = spec
        self.cause = cause


def build_scheduler(
    spec: SchedulerSpec, optimizer: Optimizer, compile_lambda: LambdaCompiler
) -> Any:
    """Build a scheduler; nested schedulers are built first, on the same optimizer, as in Python."""
    kwargs = {key: _resolve(value, optimizer, compile_lambda) for key, value in spec.kwargs.items()}
    scheduler_class = scheduler_class_of(spec.name)
    try:
        if spec.name == "ChainedScheduler":
            # Its first positional parameter is `schedulers`; the optimizer comes second.
            return scheduler_class(optimizer=optimizer, **kwargs)
        return scheduler_class(optimizer, **kwargs)
    except MemoryError:
        raise
    except Exception as exc:  # whatever torch raises is the lesson
        raise _BuildFailed(spec, exc) from exc


def _resolve(value: Any, optimizer: Optimizer, compile_lambda: LambdaCompiler) -> Any:
    if isinstance(value, SchedulerSpec):
        return build_scheduler(value, optimizer, compile_lambda)
    if isinstance(value, LambdaSpec):
        return compile_lambda(value)
    if isinstance(value, list | tuple):
        return [_resolve(item, optimizer, compile_lambda) for item in value]
    return value


# ---------------------------------------------------------------------------------------
# Running a schedule
# ---------------------------------------------------------------------------------------


def compute(
    spec: RunSpec,
    compile_lambda: LambdaCompiler | None = None,
    budget: CpuBudget | None = None,
) -> RunResult:
    """Step a fresh optimizer and scheduler `spec.steps` times and record what torch did.

    Errors a user can cause never raise: they end up in RunResult.error, after the steps
    that did succeed. Only MemoryError escapes (the worker then exits and is replaced),
    and CpuLimitExceeded once `budget` is spent (the job is refused; the worker carries on).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = _compute(spec, compile_lambda or compile_lambda_tree, budget)
    return dataclasses.replace(result, warnings=dedupe_warnings(caught))


def _compute(spec: RunSpec, compile_lambda: LambdaCompiler, budget: CpuBudget | None) -> RunResult:
    empty = tuple(() for _ in spec.lr)
    try:
        validate(spec)
        optimizer = build_optimizer(spec)
        scheduler = build_scheduler(spec.scheduler, optimizer, compile_lambda)
    except RunError as exc:
        return RunResult(groups=empty, initial=spec.lr, error=str(exc))
    except _BuildFailed as failed:
        error = explain_build(failed.spec, failed.cause)
        return RunResult(groups=empty, initial=spec.lr, error=error)
    except MemoryError:
        raise
    except Exception as exc:  # the optimizer refused, e.g. a negative lr
        return RunResult(groups=empty, initial=spec.lr, error=explain_optimizer(spec, exc))
    return _step(spec, optimizer, scheduler, budget)


def _step(
    spec: RunSpec, optimizer: Optimizer, scheduler: Any, budget: CpuBudget | None
) -> RunResult:
    groups = optimizer.param_groups
    initial = tuple(float(g["lr"]) for g in groups)
    lrs: list[list[float]] = [[] for _ in groups]
    track = cycles_momentum(spec.scheduler)
    beta = "betas" in optimizer.defaults
    momenta: list[list[float]] = [[] for _ in groups] if track else []
    start_momentum = tuple(_momentum(group, beta) for group in groups) if track else None
    metrics = spec.metrics if spec.scheduler.name == "ReduceLROnPlateau" else None
    error = None
    for i in range(spec.steps):
        if budget is not None and i % CHECK_EVERY == 0:
            budget.check()  # outside the try below: running out is not torch's lesson
        try:
            optimizer.step()
            if metrics is None:
                scheduler.step()
            else:
                scheduler.step(metrics[i])
        except MemoryError:
            raise
        except Exception as exc:  # torch's error is the lesson; keep the steps before it
            error = explain_step(exc, step=i + 1, spec=spec)
            break
        for column, group in zip(lrs, groups, strict=True):
            column.append(float(group["lr"]))
        for column, group in zip(momenta, groups, strict=False):
            column.append(_momentum(group, beta))
    return RunResult(
        groups=tuple(tuple(c) for c in lrs),
        initial=initial,
        momentum=tuple(tuple(c) for c in momenta) if track else None,
        initial_momentum=start_momentum,
        error=error,
    )


def _momentum(group: dict[str, Any], beta: bool) -> float:
    """A group's momentum, or beta1 for Adam and AdamW (what CyclicLR and OneCycleLR cycle)."""
    return float(group["betas"][0] if beta else group["momentum"])


def dedupe_warnings(caught: Iterable[warnings.WarningMessage]) -> tuple[str, ...]:
    """Each distinct warning once, in order of first appearance, at most MAX_WARNINGS."""
    seen: dict[str, None] = {}
    for record in caught:
        seen.setdefault(f"{record.category.__name__}: {record.message}", None)
    return tuple(seen)[:MAX_WARNINGS]
