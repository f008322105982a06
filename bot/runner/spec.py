"""RunSpec and RunResult: the pure data that crosses from the bot to a torch worker and back.

Both travel as JSON (never pickle; see protocol.py). Nothing here imports torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

SCHEDULER_NAMES: tuple[str, ...] = (
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
    "SWALR",
)
# Where torch defines each scheduler class: lr_scheduler, except SWALR (swa_utils).
LR_SCHEDULER_MODULE = "torch.optim.lr_scheduler"
SWA_MODULE = "torch.optim.swa_utils"
_MODULE_OF: dict[str, str] = {"SWALR": SWA_MODULE}
OPTIMIZER_NAMES: tuple[str, ...] = ("SGD", "Adam", "AdamW", "RMSprop")
MAX_STEPS = 10_000
DEFAULT_STEPS = 10
DEFAULT_LR = 0.1

# A lambda body is a small JSON tree; its node vocabulary is defined and evaluated in
# bot/runner/lambdas.py, the only module that interprets it.
LambdaNode = list[Any]
Literal_: TypeAlias = float | int | bool | str | None
Arg: TypeAlias = "Literal_ | list[Any] | SchedulerSpec | LambdaSpec"


def scheduler_module(name: str) -> str:
    """The torch module that defines scheduler class `name`."""
    return _MODULE_OF.get(name, LR_SCHEDULER_MODULE)


def scheduler_path(name: str) -> str:
    """The full dotted path of scheduler class `name`, e.g. torch.optim.swa_utils.SWALR."""
    return f"{scheduler_module(name)}.{name}"


class RunError(Exception):
    """Input a user can fix: the message is fit to show them as it is."""


def quote(text: str, limit: int = 60) -> str:
    """User text as inline code, shortened, with backticks removed so it can't break out."""
    text = " ".join(text.replace("`", "'").split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"`{text}`" if text else "``"


@dataclass(frozen=True)
class LambdaSpec:
    """`lambda <arg>: <body>`, a float-only expression of one variable."""

    arg: str
    body: LambdaNode
    source: str  # the text as the user wrote it, for display


@dataclass(frozen=True)
class SchedulerSpec:
    """One scheduler class with its keyword arguments (the optimizer is implied)."""

    name: str
    kwargs: dict[str, Arg] = field(default_factory=dict)


@dataclass(frozen=True)
class RunSpec:
    """Everything a worker needs to compute a schedule."""

    scheduler: SchedulerSpec
    lr: tuple[float, ...] = (DEFAULT_LR,)  # one initial rate per parameter group
    steps: int = DEFAULT_STEPS
    optimizer: str = "SGD"
    metrics: tuple[float, ...] | None = None  # ReduceLROnPlateau: one value per step


@dataclass(frozen=True)
class RunResult:
    """What torch did: the rate of every parameter group after each step."""

    groups: tuple[tuple[float, ...], ...]  # groups[g][i]: group g's lr after step i+1
    initial: tuple[float, ...]  # each group's lr before the first step
    momentum: tuple[tuple[float, ...], ...] | None = None  # where the scheduler cycles it
    initial_momentum: tuple[float, ...] | None = None  # each group's, before the first step
    warnings: tuple[str, ...] = ()
    error: str | None = None  # torch's error, made readable; steps before it are kept

    @property
    def lrs(self) -> tuple[float, ...]:
        """The first parameter group's rates (the only group, in most runs)."""
        return self.groups[0] if self.groups else ()
