"""The schedule a run shows, whatever way it was written: what the leak rule compares.

A run is reduced to its scheduler (`Schedule`): the class and its arguments, with what
does not change the rates taken away. Two runs show the same schedule when their
Schedules agree, so reformatting, renamed variables, a pasted snippet or a hand-typed
expression, arguments spelled out at their defaults, another lr (every rate scales with
it), another step count, optimizer or metrics, or a momentum setting all compare equal.
Numbers agree within a relative 1e-3: a gamma of 0.5000001 shows the same table as 0.5.

Pure functions over the runner's RunSpec; no Discord, no torch.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final, TypeAlias

from bot.engine.problems import Problem
from bot.features.run.variants import recipe_text
from bot.runner import SCHEDULER_NAMES, RunError, RunSpec, SchedulerSpec, parse_run

# Arguments torch gives a default, by class, copied from torch 2.13's signatures so the bot
# never imports torch (tests/features/run/test_schedules.py compares them with torch).
DEFAULTS: Final[dict[str, dict[str, float | int | str | bool | None]]] = {
    "ChainedScheduler": {},
    "ConstantLR": {"factor": 1 / 3, "total_iters": 5, "last_epoch": -1},
    "CosineAnnealingLR": {"eta_min": 0.0, "last_epoch": -1},
    "CosineAnnealingWarmRestarts": {"T_mult": 1, "eta_min": 0.0, "last_epoch": -1},
    "CyclicLR": {
        "step_size_up": 2000,
        "step_size_down": None,
        "mode": "triangular",
        "gamma": 1.0,
        "scale_fn": None,
        "scale_mode": "cycle",
        "cycle_momentum": True,
        "base_momentum": 0.8,
        "max_momentum": 0.9,
        "last_epoch": -1,
    },
    "ExponentialLR": {"last_epoch": -1},
    "LambdaLR": {"last_epoch": -1},
    "LinearLR": {"start_factor": 1 / 3, "end_factor": 1.0, "total_iters": 5, "last_epoch": -1},
    "MultiStepLR": {"gamma": 0.1, "last_epoch": -1},
    "MultiplicativeLR": {"last_epoch": -1},
    "OneCycleLR": {
        "total_steps": None,
        "epochs": None,
        "steps_per_epoch": None,
        "pct_start": 0.3,
        "anneal_strategy": "cos",
        "cycle_momentum": True,
        "base_momentum": 0.85,
        "max_momentum": 0.95,
        "div_factor": 25.0,
        "final_div_factor": 10000.0,
        "three_phase": False,
        "last_epoch": -1,
    },
    "PolynomialLR": {"total_iters": 5, "power": 1.0, "last_epoch": -1},
    "ReduceLROnPlateau": {
        "mode": "min",
        "factor": 0.1,
        "patience": 10,
        "threshold": 0.0001,
        "threshold_mode": "rel",
        "cooldown": 0,
        "min_lr": 0,
        "eps": 1e-08,
    },
    "SequentialLR": {"last_epoch": -1},
    "StepLR": {"gamma": 0.1, "last_epoch": -1},
    "SWALR": {"anneal_epochs": 10, "anneal_strategy": "cos", "last_epoch": -1},
}
# Arguments that never change a learning rate: momentum cycling, and `last_epoch`, which
# only resumes (or, without a resumed optimizer, fails). Changing them must not get round
# the rule, so they are left out of the comparison.
RATE_NEUTRAL: Final = frozenset({"cycle_momentum", "base_momentum", "max_momentum", "last_epoch"})
REL_TOL: Final = 1e-3
ABS_TOL: Final = 1e-12
MAX_CALL_CHARS: Final = 2000  # a scheduler call quoted in a prompt is never longer

_CALL_START: Final = re.compile(r"\b(?:" + "|".join(SCHEDULER_NAMES) + r")\s*\(")

# A normalised argument: numbers as floats, lists as tuples, lambdas as ("lambda", body),
# booleans as ("bool", value) so that True never equals 1.0.
Value: TypeAlias = "float | str | tuple[Value, ...] | Schedule | None"


@dataclass(frozen=True)
class Schedule:
    """A scheduler class with the arguments that shape its rates (defaults left out)."""

    name: str
    args: tuple[tuple[str, Value], ...]  # sorted by name

    def parts(self) -> Iterator[Schedule]:
        """This schedule and every one nested in it (SequentialLR's, ChainedScheduler's)."""
        yield self
        for _, value in self.args:
            yield from _nested(value)


def schedule_of(spec: SchedulerSpec) -> Schedule:
    """The normalised form of one scheduler (and those nested in it)."""
    defaults = DEFAULTS.get(spec.name, {})
    args = []
    for name, raw in spec.kwargs.items():
        if name in RATE_NEUTRAL:
            continue
        value = _normalise(raw)
        if name in defaults and same(value, _normalise(defaults[name])):
            continue
        args.append((name, value))
    return Schedule(spec.name, tuple(sorted(args, key=lambda pair: pair[0])))


def shows(spec: RunSpec, schedules: tuple[Schedule, ...]) -> bool:
    """Whether running `spec` shows one of `schedules`, alone or nested in a bigger one."""
    if not schedules:
        return False
    parts = schedule_of(spec.scheduler).parts()
    return any(same(part, target) for part in parts for target in schedules)


def same(a: Value, b: Value) -> bool:
    """Normalised values agree: numbers within REL_TOL, the rest part by part."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    if isinstance(a, Schedule) and isinstance(b, Schedule):
        return (
            a.name == b.name
            and [name for name, _ in a.args] == [name for name, _ in b.args]
            and all(same(x, y) for (_, x), (_, y) in zip(a.args, b.args, strict=True))
        )
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    # One parameter group: `max_lr=[0.1]` is `max_lr=0.1`.
    if isinstance(a, tuple) and len(a) == 1 and isinstance(b, float):
        return same(a[0], b)
    if isinstance(b, tuple) and len(b) == 1 and isinstance(a, float):
        return same(a, b[0])
    return a == b


def problem_schedules(problem: Problem) -> tuple[Schedule, ...]:
    """Every schedule that would give `problem` away: its recipe's, its snippet's, and each
    scheduler call written out in its prompt, code or options."""
    texts = [problem.prompt, *problem.options.values()]
    found: list[Schedule] = []
    if problem.run is not None:
        found.extend(_schedules_run(recipe_text(problem.run)))
    if problem.code:
        found.extend(_schedules_run(problem.code))
        texts.append(problem.code)
    for text in texts:
        found.extend(_schedules_quoted(text))
    return tuple(dict.fromkeys(found))


def recipe_schedule(problem: Problem) -> Schedule | None:
    """The schedule `!run <problem-id>` runs, or None without a (readable) recipe."""
    if problem.run is None:
        return None
    found = _schedules_run(recipe_text(problem.run))
    return found[0] if found else None


@functools.lru_cache(maxsize=1024)
def _schedules_run(text: str) -> tuple[Schedule, ...]:
    """The schedule `!run <text>` would run, or none if it does not parse."""
    try:
        return (schedule_of(parse_run(text).scheduler),)
    except RunError:
        return ()


@functools.lru_cache(maxsize=1024)
def _schedules_quoted(text: str) -> tuple[Schedule, ...]:
    """The schedules of the scheduler calls in a text that `!run` could read on their own.

    A call that uses a snippet's variables (`T_max=epochs`) does not parse alone and is
    skipped; the whole snippet's parse covers those.
    """
    found: list[Schedule] = []
    for match in _CALL_START.finditer(text):
        call = _balanced(text, match.start(), match.end() - 1)
        if call is not None:
            # `!run` reads ReduceLROnPlateau only with metrics; the scheduler is what we keep.
            found.extend(_schedules_run(call) or _schedules_run(f"{call} metrics=[1.0]"))
    return tuple(found)


def _balanced(text: str, start: int, opening: int) -> str | None:
    """`text[start:]` up to the bracket that closes the one at `opening`, or None."""
    depth = 0
    for index in range(opening, min(len(text), opening + MAX_CALL_CHARS)):
        char = text[index]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return text[start : index + 1]
    return None


def _normalise(value: object) -> Value:
    """A RunSpec argument in the form `same` compares."""
    if isinstance(value, bool):
        return ("bool", "true" if value else "false")
    if isinstance(value, int | float):
        return float(value)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, SchedulerSpec):
        return schedule_of(value)
    if isinstance(value, list | tuple):
        return tuple(_normalise(item) for item in value)
    # What is left is a LambdaSpec (the runner's public face does not export the class):
    # its body decides the rates; its argument's name and its source text do not.
    body = getattr(value, "body", None)
    if body is not None:
        return ("lambda", _normalise(body))
    return repr(value)


def _nested(value: Value) -> Iterator[Schedule]:
    if isinstance(value, Schedule):
        yield from value.parts()
    elif isinstance(value, tuple):
        for item in value:
            yield from _nested(item)
