"""RunSpec and RunResult: the pure data that crosses from the bot to a torch worker and back.

Both travel as JSON (never pickle). Nothing here imports torch.
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
)
OPTIMIZER_NAMES: tuple[str, ...] = ("SGD", "Adam", "AdamW", "RMSprop")
MAX_STEPS = 10_000
DEFAULT_STEPS = 10
DEFAULT_LR = 0.1

# A lambda body is a small JSON tree; its node vocabulary is defined and evaluated in
# bot/runner/language/_lambdas.py, the only module that interprets it.
LambdaNode = list[Any]
Literal_: TypeAlias = float | int | bool | str | None
Arg: TypeAlias = "Literal_ | list[Any] | SchedulerSpec | LambdaSpec"


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

    def to_json(self) -> dict[str, Any]:
        return {"$lambda": {"arg": self.arg, "body": self.body, "source": self.source}}


@dataclass(frozen=True)
class SchedulerSpec:
    """One scheduler class with its keyword arguments (the optimizer is implied)."""

    name: str
    kwargs: dict[str, Arg] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"$scheduler": {"name": self.name, "kwargs": _encode(self.kwargs)}}


@dataclass(frozen=True)
class RunSpec:
    """Everything a worker needs to compute a schedule."""

    scheduler: SchedulerSpec
    lr: tuple[float, ...] = (DEFAULT_LR,)  # one initial rate per parameter group
    steps: int = DEFAULT_STEPS
    optimizer: str = "SGD"
    metrics: tuple[float, ...] | None = None  # ReduceLROnPlateau: one value per step

    def to_json(self) -> dict[str, Any]:
        return {
            "scheduler": self.scheduler.to_json(),
            "lr": list(self.lr),
            "steps": self.steps,
            "optimizer": self.optimizer,
            "metrics": None if self.metrics is None else list(self.metrics),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunSpec:
        scheduler = _decode(data["scheduler"])
        if not isinstance(scheduler, SchedulerSpec):
            raise ValueError("spec.scheduler must be a scheduler")
        metrics = data.get("metrics")
        return cls(
            scheduler=scheduler,
            lr=tuple(float(v) for v in data["lr"]),
            steps=int(data["steps"]),
            optimizer=str(data["optimizer"]),
            metrics=None if metrics is None else tuple(float(v) for v in metrics),
        )


@dataclass(frozen=True)
class RunResult:
    """What torch did: the rate of every parameter group after each step."""

    groups: tuple[tuple[float, ...], ...]  # groups[g][i]: group g's lr after step i+1
    initial: tuple[float, ...]  # each group's lr before the first step
    momentum: tuple[tuple[float, ...], ...] | None = None  # where the scheduler cycles it
    warnings: tuple[str, ...] = ()
    error: str | None = None  # torch's error, made readable; steps before it are kept

    @property
    def lrs(self) -> tuple[float, ...]:
        return self.groups[0] if self.groups else ()

    def to_json(self) -> dict[str, Any]:
        return {
            "lrs": list(self.lrs),
            "groups": [list(g) for g in self.groups],
            "initial": list(self.initial),
            "momentum": None if self.momentum is None else [list(m) for m in self.momentum],
            "warnings": list(self.warnings),
            "error": self.error,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunResult:
        momentum = data.get("momentum")
        return cls(
            groups=tuple(tuple(float(v) for v in g) for g in data["groups"]),
            initial=tuple(float(v) for v in data["initial"]),
            momentum=None if momentum is None else tuple(tuple(map(float, m)) for m in momentum),
            warnings=tuple(str(w) for w in data.get("warnings", ())),
            error=data.get("error"),
        )


def _encode(value: Any) -> Any:
    if isinstance(value, SchedulerSpec | LambdaSpec):
        return value.to_json()
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "$scheduler" in value:
            inner = value["$scheduler"]
            return SchedulerSpec(name=str(inner["name"]), kwargs=_decode(inner["kwargs"]))
        if "$lambda" in value:
            inner = value["$lambda"]
            return LambdaSpec(arg=inner["arg"], body=inner["body"], source=inner["source"])
        return {str(k): _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value
