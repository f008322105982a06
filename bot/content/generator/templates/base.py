"""What every template is made of: the sampled `Setup`, the mistakes, and `Template` itself.

Also the helpers that read torch's rates (`fmt`, the calls where the rate dropped or
peaked, the trail of rates an explanation shows).
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import ClassVar, TypeAlias

from bot.content.generator.templates.wording import after_calls, counted, how_often
from bot.engine.problems import Level
from bot.runner import Arg, SchedulerSpec

# Rates after 0, 1, 2, ... calls of scheduler.step(), as torch computed them.
Rates: TypeAlias = Sequence[float]

X = "\N{MULTIPLICATION SIGN}"  # the signs learners see in explanations; escaped for ruff
MINUS = "\N{MINUS SIGN}"

# Learning rates with few digits, so that options and explanations stay readable.
ROUND_LRS = (0.1, 0.2, 0.05, 0.5, 1.0)


def fmt(value: float) -> str:
    """A rate as the problem's snippet prints it: `print(round(lr, 6))`."""
    return str(round(value, 6))


@dataclass(frozen=True)
class Setup:
    """One sampled exercise: `epochs` passes of optimizer.step(); scheduler.step()."""

    scheduler: SchedulerSpec
    lr: float  # the optimizer's lr, as written in SGD(params, lr=...)
    epochs: int

    def number(self, key: str) -> float:
        """The keyword's value as a float (it must be a number)."""
        value = self.scheduler.kwargs[key]
        assert isinstance(value, int | float), key
        assert not isinstance(value, bool), key
        return float(value)

    def integer(self, key: str) -> int:
        """The keyword's value, which must be an int."""
        value = self.scheduler.kwargs[key]
        assert isinstance(value, int), key
        assert not isinstance(value, bool), key
        return value

    def word(self, key: str) -> str:
        """The keyword's value, which must be a string."""
        value = self.scheduler.kwargs[key]
        assert isinstance(value, str), key
        return value

    def integers(self, key: str) -> list[int]:
        """The keyword's value, which must be a list of ints."""
        value = self.scheduler.kwargs[key]
        assert isinstance(value, list), key
        return [v for v in value if isinstance(v, int)]

    def variant(self, **changes: Arg | None) -> SchedulerSpec:
        """The same scheduler with some keywords changed (None removes one)."""
        kwargs = dict(self.scheduler.kwargs)
        for key, value in changes.items():
            if value is None:
                kwargs.pop(key, None)
            else:
                kwargs[key] = value
        return replace(self.scheduler, kwargs=kwargs)


# --- mistakes: how each wrong option is computed, and what it says about the learner -----


@dataclass(frozen=True)
class AfterCalls:
    """This run's rate after a different number of calls (off by one, before any call)."""

    calls: int
    why: str


@dataclass(frozen=True)
class OtherSchedule:
    """A different schedule stepped `epochs` times: the one the learner had in mind."""

    scheduler: SchedulerSpec
    why: str


@dataclass(frozen=True)
class TimesRight:
    """The right rate times a factor (gamma applied once too often)."""

    factor: float
    why: str


@dataclass(frozen=True)
class Number:
    """A number the learner reads off the code, such as the optimizer's lr."""

    value: float
    why: str


Mistake: TypeAlias = AfterCalls | OtherSchedule | TimesRight | Number


def one_short(setup: Setup, why: str | None = None) -> AfterCalls:
    """The rate one call early: forgetting that the first call already moves it."""
    n = setup.epochs
    return AfterCalls(
        n - 1,
        why
        or (
            f"That is the rate {after_calls(n - 1)}: it forgets that the first scheduler.step() "
            f"already moves the rate (it is the rate the last epoch trained with, read before "
            f"that epoch's scheduler.step())."
        ),
    )


def one_over(setup: Setup, why: str | None = None) -> AfterCalls:
    """The rate one call late: counting one call too many."""
    n = setup.epochs
    return AfterCalls(
        n + 1,
        why
        or (
            f"That is the rate after {n + 1} calls, one too many: range({n}) runs the loop "
            f"{how_often(n)}, so scheduler.step() is called {how_often(n)}."
        ),
    )


def other_calls(setup: Setup, calls: int) -> AfterCalls:
    """The last resort: another point of the same run, when every named mistake collided."""
    n = setup.epochs
    return AfterCalls(
        calls,
        f"That is the rate {after_calls(calls)}; the loop calls scheduler.step() {how_often(n)}, "
        f"and the rate printed is the one after the last of them.",
    )


# --- templates ------------------------------------------------------------------------------


class Template(ABC):
    """One scheduler: how to sample it, the traps to set, and how to explain the answer."""

    name: ClassVar[str]
    level: ClassVar[Level]
    # CyclicLR and OneCycleLR cycle momentum, which SGD only has when asked for; the runner
    # gives SGD momentum=0.9 for them, and the snippet must say the same.
    momentum: ClassVar[bool] = False
    per_batch: ClassVar[bool] = False  # stepped per batch in real training

    @abstractmethod
    def sample(self, rng: random.Random) -> Setup:
        """Parameters from sensible ranges; every keyword set is a literal in the snippet."""

    def horizon(self, setup: Setup) -> int:
        """How many calls to compute: past N, so neighbours and fallbacks are at hand."""
        return 2 * setup.epochs + 2

    @abstractmethod
    def mistakes(self, setup: Setup, rates: Rates) -> list[Mistake]:
        """The wrong options this scheduler invites, the most telling first."""

    @abstractmethod
    def hint(self, setup: Setup) -> str:
        """A nudge towards the method, never the number."""

    @abstractmethod
    def explain(self, setup: Setup, rates: Rates) -> str:
        """What torch did, with torch's numbers."""

    def title(self, setup: Setup) -> str:
        """The problem's title, e.g. "StepLR after 5 epochs"."""
        n = setup.epochs
        return f"{self.name} after {counted(n, 'epoch')}"


def drops(rates: Rates, epochs: int) -> list[int]:
    """The calls (1..epochs) on which torch lowered the rate."""
    return [k for k in range(1, epochs + 1) if fmt(rates[k]) != fmt(rates[k - 1])]


def peak_call(rates: Rates) -> int:
    """The call after which the rate was highest (the first, if it stayed there)."""
    return max(range(len(rates)), key=lambda k: (rates[k], -k))


def changes(rates: Rates, epochs: int) -> str:
    """`0.1 → 0.05 → 0.025`: the distinct rates from the start to call `epochs`."""
    shown: list[str] = []
    for k in range(epochs + 1):
        text = fmt(rates[k])
        if not shown or shown[-1] != text:
            shown.append(text)
    return " → ".join(shown)


def trail(rates: Rates, epochs: int, keep: int = 9) -> str:
    """The rate before the loop and after each call, shortened in the middle when long."""
    texts = [fmt(rates[k]) for k in range(epochs + 1)]
    if len(texts) > keep:
        texts = [*texts[:3], "…", *texts[-(keep - 4) :]]
    return " → ".join(texts)
