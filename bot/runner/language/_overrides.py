"""`!run <problem-id> gamma=0.3`: a recipe's run with some of its values changed by the user."""

from __future__ import annotations

import ast
from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Final

import bot.runner.language._syntax as _syntax
from bot.runner.language._convert import (
    Scope,
    check_required,
    convert,
)
from bot.runner.language._options import (
    RUN_OPTIONS,
    Options,
    finish,
    set_option,
)
from bot.runner.language._parse import parse_run, parse_value
from bot.runner.language._schedulers import SCHEDULERS, Kind
from bot.runner.language._syntax import did_you_mean
from bot.runner.spec import Arg, RunError, RunSpec, SchedulerSpec, quote

MAX_OVERRIDE_CHARS: Final = 500


def with_overrides(
    base: str | RunSpec, overrides: Mapping[str, str], allowed: Collection[str]
) -> RunSpec:
    """`base` (a recipe's `!run` text, or a RunSpec) with some values replaced by the user's.

    `overrides` maps a name to the text the user typed (`{"gamma": "0.3"}`); only names in
    `allowed` may be changed: a scheduler argument (changed wherever the recipe sets it,
    nested schedulers included, or added to the outer scheduler) or a run option (lr,
    steps, optimizer, metrics). Each value is parsed and checked like the same value in
    `parse_run`. With ReduceLROnPlateau, a new `steps` trims the recipe's metrics or
    repeats their last value.
    """
    spec = parse_run(base) if isinstance(base, str) else base
    allowed_list = sorted(allowed)
    for name in overrides:
        if name not in allowed:
            if allowed_list:
                listed = ", ".join(f"`{n}`" for n in allowed_list)
                hint = did_you_mean(name, allowed_list)
                message = f"This problem lets you change {listed}; not {quote(name)}.{hint}"
            else:
                message = "This problem's run can't be changed; try `!run` with your own text."
            raise RunError(message)
    options = Options(lr=spec.lr, steps=None, optimizer=spec.optimizer, metrics=spec.metrics)
    scheduler = spec.scheduler
    for name, text in overrides.items():
        if len(text) > MAX_OVERRIDE_CHARS:
            raise RunError(f"The value of {name} is too long.")
        node = parse_value(_syntax.clean(text) or text, f"The value of {name}=")
        if name in RUN_OPTIONS:
            set_option(options, name, node)
        else:
            scheduler, _ = _override(scheduler, name, node, top=True)
    if options.steps is None and "metrics" not in overrides:
        # The recipe's own metrics fit its steps; keep that count.
        options.steps = spec.steps
    if "steps" in overrides and "metrics" not in overrides and options.metrics:
        # A new step count trims the recipe's metrics or repeats their last value.
        kept = options.metrics[: options.steps]
        options.metrics = kept + (kept[-1],) * ((options.steps or 0) - len(kept))
    return finish(scheduler, options)


def _override(
    spec: SchedulerSpec, name: str, node: ast.expr, *, top: bool
) -> tuple[SchedulerSpec, bool]:
    """`spec` with `name` replaced wherever it is set; (new spec, whether anything was set)."""
    sig = SCHEDULERS[spec.name]
    kwargs = dict(spec.kwargs)
    found = False
    for key, value in spec.kwargs.items():
        if isinstance(value, list) and any(isinstance(s, SchedulerSpec) for s in value):
            inner: list[Arg] = []
            for item in value:
                if isinstance(item, SchedulerSpec):
                    item, hit = _override(item, name, node, top=False)
                    found = found or hit
                inner.append(item)
            kwargs[key] = inner
    param = sig.param(name)
    if (
        param is not None
        and param.kind is not Kind.OPTIMIZER
        and (name in spec.kwargs or (top and not found))
    ):
        kwargs[name] = convert(param, node, Scope(), owner=spec.name)
        found = True
    if top and not found:
        hint = did_you_mean(name, sig.names)
        raise RunError(f"{spec.name} has no argument {quote(name)} to change.{hint}")
    check_required(sig, kwargs)
    ordered = {p.name: kwargs[p.name] for p in sig.params if p.name in kwargs}
    return replace(spec, kwargs=ordered), found
