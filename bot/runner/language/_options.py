"""Run options after a scheduler (`lr=`, `steps=`, `optimizer=`, `metrics=`) and the RunSpec."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Final

from bot.runner.language._convert import Scope, integer, list_items, number
from bot.runner.language._schedulers import MAX_NUMBER, NEEDS_METRICS
from bot.runner.language._syntax import did_you_mean
from bot.runner.language._validation import check_rules
from bot.runner.protocol import MAX_GROUPS
from bot.runner.spec import (
    DEFAULT_LR,
    DEFAULT_STEPS,
    MAX_STEPS,
    OPTIMIZER_NAMES,
    RunError,
    RunSpec,
    SchedulerSpec,
    quote,
)

RUN_OPTIONS: Final = ("lr", "steps", "optimizer", "metrics")
# Negative rates get past the bounds so the rules (_rules.py) can say why they are refused.
_LR_BOUNDS: Final = (-MAX_NUMBER, MAX_NUMBER)


@dataclass
class Options:
    """The run options, as far as the user gave them."""

    lr: tuple[float, ...] | None = None
    steps: int | None = None
    optimizer: str | None = None
    metrics: tuple[float, ...] | None = None


def set_option(options: Options, name: str, node: ast.expr, scope: Scope | None = None) -> None:
    """Check one run option's value and record it in `options`."""
    if name == "lr":
        if isinstance(node, ast.List | ast.Tuple):
            items = list_items(node, "lr", 1, MAX_GROUPS)
            options.lr = tuple(float(number(i, scope, "lr", *_LR_BOUNDS)) for i in items)
        else:
            options.lr = (float(number(node, scope, "lr", *_LR_BOUNDS)),)
    elif name == "steps":
        options.steps = integer(node, scope, "steps", 1, MAX_STEPS)
    elif name == "optimizer":
        options.optimizer = optimizer_name(node, scope)
    elif name == "metrics":
        if isinstance(node, ast.List | ast.Tuple):
            items = list_items(node, "metrics", 1, MAX_STEPS)
        else:
            items = [node]
        label = "metrics"
        options.metrics = tuple(
            float(number(i, scope, label, -MAX_NUMBER, MAX_NUMBER)) for i in items
        )
    else:  # pragma: no cover - callers check the name
        raise RunError(f"Unknown option {name}.")


def optimizer_name(node: ast.expr, scope: Scope | None) -> str:
    """The optimizer `optimizer=` names (`Adam`, `'adam'`, `optim.Adam`), spelled as torch does."""
    text: str | None = None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif (parts := (scope or Scope()).dotted(node)) and parts[:-1] in (
        [],
        ["optim"],
        ["torch", "optim"],
    ):
        text = parts[-1]
    if text is None:
        raise RunError(f"optimizer must be one of {', '.join(OPTIMIZER_NAMES)}.")
    for known in OPTIMIZER_NAMES:
        if text.lower() == known.lower():
            return known
    hint = did_you_mean(text, OPTIMIZER_NAMES)
    raise RunError(
        f"{quote(text)} isn't an optimizer `!run` uses; pick one of "
        f"{', '.join(OPTIMIZER_NAMES)}.{hint}"
    )


def finish(
    scheduler: SchedulerSpec, options: Options, *, default_lr: float = DEFAULT_LR
) -> RunSpec:
    """The RunSpec, after the checks that need both the scheduler and the options.

    ReduceLROnPlateau needs one metric per step: without `steps=` the run has as many steps
    as metrics; with fewer metrics than steps, the last one repeats (a plateau); more
    metrics than steps is refused.
    """
    steps = options.steps
    metrics = options.metrics
    if scheduler.name in NEEDS_METRICS:
        if metrics is None:
            raise RunError(
                "ReduceLROnPlateau lowers the rate when a metric stops improving, so it needs "
                "one value per step (what you would pass to scheduler.step()), after the call "
                "or inside it: `ReduceLROnPlateau(patience=1) metrics=[1.0, 0.8, 0.7, 0.7, 0.7]`."
            )
        if steps is None:
            steps = len(metrics)
        elif len(metrics) > steps:
            raise RunError(
                f"metrics has {len(metrics)} values but steps={steps}; "
                "give at most one value per step."
            )
        metrics = metrics + (metrics[-1],) * (steps - len(metrics))
    elif metrics is not None:
        raise RunError(
            f"metrics are only used by ReduceLROnPlateau; {scheduler.name} doesn't take any."
        )
    spec = RunSpec(
        scheduler=scheduler,
        lr=options.lr or (default_lr,),
        steps=DEFAULT_STEPS if steps is None else steps,
        optimizer=options.optimizer or "SGD",
        metrics=metrics,
    )
    check_rules(spec)  # values torch refuses, or would run to no purpose
    return spec
