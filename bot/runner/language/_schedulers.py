"""What `!run` knows about each scheduler class (SWALR too): its arguments, their kinds, bounds.

Copied by hand from torch 2.13's signatures so the bot never imports torch;
tests/runner/language/test_schedulers.py compares this table with `inspect.signature`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Final

from bot.runner.spec import SCHEDULER_NAMES

MAX_NUMBER: Final = 1_000_000  # the bound on most numbers a user may type
MAX_LIST: Final = 100  # milestones and other lists of numbers
MAX_SCHEDULERS: Final = 10  # schedulers in one expression, nested ones included
MAX_NESTING: Final = 3  # SequentialLR([ChainedScheduler([...])]) is two levels


class Kind(Enum):
    """How a value is written and checked."""

    INT = "a whole number"
    FLOAT = "a number"
    FLOAT_OR_LIST = "a number or a list of numbers (one per parameter group)"
    OPTIONAL_INT = "a whole number or None"
    CHOICE = "one of"
    BOOL = "True or False"
    INT_LIST = "a list of whole numbers"
    LAMBDAS = "a lambda like `lambda epoch: 0.95 ** epoch`, or a list of them"
    OPTIONAL_LAMBDA = "a lambda like `lambda x: 0.5 ** x`, or None"
    SCHEDULERS = "a list of schedulers"
    OPTIMIZER = "the optimizer"  # implied: accepted where torch wants it, then dropped


@dataclass(frozen=True)
class Param:
    """One argument of a scheduler class."""

    name: str
    kind: Kind
    required: bool = False
    low: float = 0
    high: float = MAX_NUMBER
    choices: tuple[str, ...] = ()

    def describe(self) -> str:
        """What a value of this argument looks like, for a message."""
        if self.kind is Kind.CHOICE:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind in (Kind.INT, Kind.FLOAT, Kind.OPTIONAL_INT, Kind.INT_LIST):
            return f"{self.kind.value} from {_fmt(self.low)} to {_fmt(self.high)}"
        return str(self.kind.value)


@dataclass(frozen=True)
class SchedulerSig:
    """A scheduler class: its arguments in torch's order (the leading optimizer left out)."""

    name: str
    params: tuple[Param, ...]
    example: str  # a call `!run` accepts, shown when a required argument is missing

    def param(self, name: str) -> Param | None:
        """The argument called `name`, if the class has one."""
        for param in self.params:
            if param.name == name:
                return param
        return None

    @property
    def names(self) -> tuple[str, ...]:
        """The argument names a user may write (the optimizer left out)."""
        return tuple(p.name for p in self.params if p.kind is not Kind.OPTIMIZER)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"


def _int(name: str, *, required: bool = False, low: float = 0) -> Param:
    return Param(name, Kind.INT, required=required, low=low)


def _float(name: str, *, required: bool = False) -> Param:
    return Param(name, Kind.FLOAT, required=required, low=-MAX_NUMBER)


def _floats(name: str, *, required: bool = False) -> Param:
    return Param(name, Kind.FLOAT_OR_LIST, required=required, low=-MAX_NUMBER)


def _choice(name: str, *choices: str) -> Param:
    return Param(name, Kind.CHOICE, choices=choices)


# torch refuses last_epoch != -1 unless the optimizer was resumed, which is worth seeing.
_LAST_EPOCH = Param("last_epoch", Kind.INT, low=-1)

_SIGS: tuple[SchedulerSig, ...] = (
    SchedulerSig(
        "ChainedScheduler",
        (
            Param("schedulers", Kind.SCHEDULERS, required=True),
            Param("optimizer", Kind.OPTIMIZER),
        ),
        "ChainedScheduler([ConstantLR(factor=0.5, total_iters=3), ExponentialLR(gamma=0.9)])",
    ),
    SchedulerSig(
        "ConstantLR",
        (_float("factor"), _int("total_iters"), _LAST_EPOCH),
        "ConstantLR(factor=0.5, total_iters=4)",
    ),
    SchedulerSig(
        "CosineAnnealingLR",
        (_int("T_max", required=True), _float("eta_min"), _LAST_EPOCH),
        "CosineAnnealingLR(T_max=10, eta_min=0.001)",
    ),
    SchedulerSig(
        "CosineAnnealingWarmRestarts",
        (_int("T_0", required=True), _int("T_mult"), _float("eta_min"), _LAST_EPOCH),
        "CosineAnnealingWarmRestarts(T_0=5, T_mult=2)",
    ),
    SchedulerSig(
        "CyclicLR",
        (
            _floats("base_lr", required=True),
            _floats("max_lr", required=True),
            _int("step_size_up"),
            Param("step_size_down", Kind.OPTIONAL_INT),
            _choice("mode", "triangular", "triangular2", "exp_range"),
            _float("gamma"),
            Param("scale_fn", Kind.OPTIONAL_LAMBDA),
            _choice("scale_mode", "cycle", "iterations"),
            Param("cycle_momentum", Kind.BOOL),
            _floats("base_momentum"),
            _floats("max_momentum"),
            _LAST_EPOCH,
        ),
        "CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=4)",
    ),
    SchedulerSig(
        "ExponentialLR",
        (_float("gamma", required=True), _LAST_EPOCH),
        "ExponentialLR(gamma=0.9)",
    ),
    SchedulerSig(
        "LambdaLR",
        (Param("lr_lambda", Kind.LAMBDAS, required=True), _LAST_EPOCH),
        "LambdaLR(lr_lambda=lambda epoch: 0.95 ** epoch)",
    ),
    SchedulerSig(
        "LinearLR",
        (_float("start_factor"), _float("end_factor"), _int("total_iters"), _LAST_EPOCH),
        "LinearLR(start_factor=0.1, end_factor=1.0, total_iters=5)",
    ),
    SchedulerSig(
        "MultiStepLR",
        (Param("milestones", Kind.INT_LIST, required=True), _float("gamma"), _LAST_EPOCH),
        "MultiStepLR(milestones=[3, 6], gamma=0.1)",
    ),
    SchedulerSig(
        "MultiplicativeLR",
        (Param("lr_lambda", Kind.LAMBDAS, required=True), _LAST_EPOCH),
        "MultiplicativeLR(lr_lambda=lambda epoch: 0.95)",
    ),
    SchedulerSig(
        "OneCycleLR",
        (
            _floats("max_lr", required=True),
            Param("total_steps", Kind.OPTIONAL_INT),
            Param("epochs", Kind.OPTIONAL_INT),
            Param("steps_per_epoch", Kind.OPTIONAL_INT),
            _float("pct_start"),
            _choice("anneal_strategy", "cos", "linear"),
            Param("cycle_momentum", Kind.BOOL),
            _floats("base_momentum"),
            _floats("max_momentum"),
            _float("div_factor"),
            _float("final_div_factor"),
            Param("three_phase", Kind.BOOL),
            _LAST_EPOCH,
        ),
        "OneCycleLR(max_lr=0.1, total_steps=10)",
    ),
    SchedulerSig(
        "PolynomialLR",
        (_int("total_iters"), _float("power"), _LAST_EPOCH),
        "PolynomialLR(total_iters=8, power=2.0)",
    ),
    SchedulerSig(
        "ReduceLROnPlateau",
        (
            _choice("mode", "min", "max"),
            _float("factor"),
            _int("patience"),
            _float("threshold"),
            _choice("threshold_mode", "rel", "abs"),
            _int("cooldown"),
            _floats("min_lr"),
            _float("eps"),
        ),
        "ReduceLROnPlateau(mode='min', factor=0.5, patience=1)",
    ),
    SchedulerSig(
        "SequentialLR",
        (
            Param("schedulers", Kind.SCHEDULERS, required=True),
            Param("milestones", Kind.INT_LIST, required=True),
            _LAST_EPOCH,
        ),
        "SequentialLR([LinearLR(start_factor=0.1, total_iters=3), ExponentialLR(gamma=0.9)],"
        " milestones=[3])",
    ),
    SchedulerSig(
        "StepLR",
        (_int("step_size", required=True), _float("gamma"), _LAST_EPOCH),
        "StepLR(step_size=2, gamma=0.5)",
    ),
    SchedulerSig(
        "SWALR",
        (
            _floats("swa_lr", required=True),
            _int("anneal_epochs"),
            _choice("anneal_strategy", "cos", "linear"),
            _LAST_EPOCH,
        ),
        "SWALR(swa_lr=0.05, anneal_epochs=5)",
    ),
)

SCHEDULERS: Final[dict[str, SchedulerSig]] = {sig.name: sig for sig in _SIGS}
if set(SCHEDULERS) != set(SCHEDULER_NAMES):  # pragma: no cover - a table edit gone wrong
    raise RuntimeError("the scheduler table and spec.SCHEDULER_NAMES disagree")

# One call of each scheduler that `!run` accepts as it is (suggestions, examples).
SCHEDULER_EXAMPLES: Final = tuple(sig.example for sig in _SIGS)

# Whether a scheduler's schedule depends on per-step metrics passed to step().
NEEDS_METRICS: Final = frozenset({"ReduceLROnPlateau"})
