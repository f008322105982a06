"""A rule about a value torch refuses (or would run to no purpose), and the checks rules use.

The parser checks that values are well formed (a whole number, a list, within bounds);
these rules check that they make sense for torch. Some values torch refuses itself, at
construction or at the first steps (StepLR's step_size=0 divides by zero); others it
accepts and computes something meaningless (gamma=0: every rate after the first decay is
0). Either way the learner gets one sentence saying why, before any worker is asked.

Every rule names what torch does with the values it refuses (`torch_raises`) and carries
examples; the table is in _validation.py, and tests/runner/language/test_rules_torch.py
builds each example with real torch and checks that claim, so it cannot drift from torch.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from bot.runner.spec import SchedulerSpec

RUN: Final = "run"  # the rules about the run's own options (lr), not a scheduler's
# Schedulers that set the rate themselves, so the optimizer's lr does not shape the run.
SETS_ITS_OWN_RATE: Final = frozenset({"CyclicLR", "OneCycleLR", "SWALR"})

Allows = Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class Rule:
    """One check of one argument (or of the run's lr), with its reason and torch's reaction."""

    scheduler: str  # a scheduler class, or RUN
    param: str  # the argument the rule is about (shown in the message)
    allows: Allows  # given every argument of the call, is this one acceptable?
    reason: str  # why, in a sentence fit to show
    torch_raises: type[Exception] | None  # what torch raises for refused values; None: it runs
    refused: tuple[dict[str, Any], ...]  # arguments the rule refuses, checked against torch
    allowed: tuple[dict[str, Any], ...]  # arguments at the edge it lets through, likewise
    always: bool = False  # check even when `param` is not given (a missing combination)

    def applies(self, kwargs: Mapping[str, Any]) -> bool:
        """Whether this rule has something to check in `kwargs`."""
        return self.always or self.param in kwargs

    def message(self, kwargs: Mapping[str, Any]) -> str:
        """What the learner reads when the rule refuses `kwargs`."""
        if self.torch_raises is not None:
            torch = f"torch itself would stop with {self.torch_raises.__name__}"
        else:
            torch = "torch would run it without a word, so Anneal checks first"
        if self.param not in kwargs:  # a missing combination: the reason names the scheduler
            return f"{self.reason} ({torch})."
        value = kwargs[self.param]
        if self.scheduler == RUN and isinstance(value, list) and len(value) == 1:
            value = value[0]  # one parameter group: lr=0, not lr=[0]
        where = "" if self.scheduler == RUN else f"{self.scheduler}: "
        refused = f"{where}{self.param}={_show(value)} is refused before running"
        return f"{refused}: {self.reason} ({torch})."


def _show(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, SchedulerSpec):
        return f"{value.name}(...)"
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value)


# --- how values are checked -------------------------------------------------------------------


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def each(param: str, test: Callable[[float], bool]) -> Allows:
    """`param` (a number, or a list with one per parameter group) passes `test` item by item."""
    return lambda kwargs: all(test(v) for v in _items(kwargs[param]) if v is not None)


def increasing(param: str) -> Allows:
    """`param` is a list of strictly increasing numbers."""

    def allows(kwargs: Mapping[str, Any]) -> bool:
        values = _items(kwargs[param])
        return all(a < b for a, b in itertools.pairwise(values))

    return allows


def one_cycle_length(kwargs: Mapping[str, Any]) -> bool:
    has_total = kwargs.get("total_steps") is not None
    has_epochs = kwargs.get("epochs") is not None and kwargs.get("steps_per_epoch") is not None
    return has_total or has_epochs


def counted_by_epochs(param: str) -> Allows:
    # OneCycleLR reads epochs and steps_per_epoch only when total_steps is not given.
    def allows(kwargs: Mapping[str, Any]) -> bool:
        value = kwargs[param]
        return kwargs.get("total_steps") is not None or value is None or value >= 1

    return allows


def one_per_gap(kwargs: Mapping[str, Any]) -> bool:
    return len(_items(kwargs["milestones"])) == len(_items(kwargs["schedulers"])) - 1


def rate_not_zero(kwargs: Mapping[str, Any]) -> bool:
    schedulers = kwargs.get("schedulers", ())
    return any(v != 0 for v in _items(kwargs["lr"])) or bool(SETS_ITS_OWN_RATE & set(schedulers))


def pct_start(kwargs: Mapping[str, Any]) -> bool:
    value = kwargs["pct_start"]
    return isinstance(value, float) and 0.0 <= value <= 1.0


def positive(value: float) -> bool:
    return value > 0


def not_negative(value: float) -> bool:
    return value >= 0


def at_least_one(value: float) -> bool:
    return value >= 1


def not_zero(value: float) -> bool:
    return value != 0
