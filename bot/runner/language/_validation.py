"""The table of rules `!run` and `anneal run` check before running, and the check itself.

Each Rule (see _rules.py) refuses the values of one argument that torch refuses itself or
would run to no purpose, with the reason a learner reads. `finish` (in _options.py) calls
check_rules on every RunSpec the language builds: expressions, snippets, problem variants.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from bot.runner.language._rules import (
    RUN,
    Rule,
    at_least_one,
    counted_by_epochs,
    each,
    increasing,
    not_negative,
    not_zero,
    one_cycle_length,
    one_per_gap,
    pct_start,
    positive,
    rate_not_zero,
)
from bot.runner.protocol import child_schedulers
from bot.runner.spec import RunError, RunSpec, SchedulerSpec

# --- the rules ----------------------------------------------------------------------------------

_CONSTANT = SchedulerSpec("ConstantLR", {"factor": 0.5, "total_iters": 2})
_GAMMA = (
    "gamma multiplies the rate at every decay, so it must be above 0: with 0 the rate drops to "
    "0 for good, and below 0 it turns negative"
)
_ETA_MIN = "eta_min is the lowest rate of the cosine, and a rate below 0 would climb the loss"


def _gamma(scheduler: str, **needs: Any) -> Rule:
    return Rule(
        scheduler,
        "gamma",
        each("gamma", positive),
        _GAMMA,
        None,
        ({**needs, "gamma": 0.0}, {**needs, "gamma": -0.5}),
        ({**needs, "gamma": 1e-3},),
    )


def _eta_min(scheduler: str, **needs: Any) -> Rule:
    return Rule(
        scheduler,
        "eta_min",
        each("eta_min", not_negative),
        _ETA_MIN,
        None,
        ({**needs, "eta_min": -0.01},),
        ({**needs, "eta_min": 0.0},),
    )


RULES: Final[tuple[Rule, ...]] = (
    Rule(
        RUN,
        "lr",
        each("lr", not_negative),
        "a learning rate can't be negative",
        ValueError,
        ({"lr": [-0.1]},),
        ({"lr": [1e-6]},),
    ),
    Rule(
        RUN,
        "lr",
        rate_not_zero,
        "every rate of this schedule is a multiple of lr, so with lr=0 they would all be 0",
        None,
        ({"lr": [0.0]},),
        ({"lr": [0.0, 0.1]}, {"lr": [0.0], "schedulers": ["CyclicLR"]}, {"lr": [1e-6]}),
    ),
    Rule(
        "StepLR",
        "step_size",
        each("step_size", at_least_one),
        "step_size is how many steps pass between decays, so it must be at least 1",
        ZeroDivisionError,
        ({"step_size": 0},),
        ({"step_size": 1},),
    ),
    _gamma("StepLR", step_size=2),
    _gamma("MultiStepLR", milestones=[2, 4]),
    Rule(
        "MultiStepLR",
        "milestones",
        increasing("milestones"),
        "milestones are the steps where the rate decays, in increasing order and each once: "
        "torch reads them as a multiset, so [6, 3] is [3, 6] and [2, 2] decays twice at step 2",
        None,
        ({"milestones": [6, 3]}, {"milestones": [2, 2]}),
        ({"milestones": [2, 3]},),
    ),
    _gamma("ExponentialLR"),
    Rule(
        "CosineAnnealingLR",
        "T_max",
        each("T_max", at_least_one),
        "T_max is the number of steps from the top of the cosine to its bottom, so at least 1",
        ZeroDivisionError,
        ({"T_max": 0},),
        ({"T_max": 1},),
    ),
    _eta_min("CosineAnnealingLR", T_max=4),
    Rule(
        "CosineAnnealingWarmRestarts",
        "T_0",
        each("T_0", at_least_one),
        "T_0 is the length of the first cycle in steps, so it must be at least 1",
        ValueError,
        ({"T_0": 0},),
        ({"T_0": 1},),
    ),
    Rule(
        "CosineAnnealingWarmRestarts",
        "T_mult",
        each("T_mult", at_least_one),
        "T_mult multiplies the cycle's length after each restart: a whole number, at least 1",
        ValueError,
        ({"T_0": 2, "T_mult": 0},),
        ({"T_0": 2, "T_mult": 1},),
    ),
    _eta_min("CosineAnnealingWarmRestarts", T_0=3),
    Rule(
        "OneCycleLR",
        "total_steps",
        one_cycle_length,
        "OneCycleLR needs the length of its one cycle: give total_steps, or epochs and "
        "steps_per_epoch",
        ValueError,
        ({"max_lr": 0.1}, {"max_lr": 0.1, "epochs": 2}),
        ({"max_lr": 0.1, "epochs": 4, "steps_per_epoch": 4},),
        always=True,
    ),
    Rule(
        "OneCycleLR",
        "total_steps",
        each("total_steps", at_least_one),
        "total_steps is the length of the whole cycle, so it must be at least 1",
        ValueError,
        ({"max_lr": 0.1, "total_steps": 0},),
        ({"max_lr": 0.1, "total_steps": 20},),
    ),
    Rule(
        "OneCycleLR",
        "epochs",
        counted_by_epochs("epochs"),
        "the cycle lasts epochs x steps_per_epoch steps, so epochs must be at least 1",
        ValueError,
        ({"max_lr": 0.1, "epochs": 0, "steps_per_epoch": 4},),
        ({"max_lr": 0.1, "epochs": 1, "steps_per_epoch": 20},),
    ),
    Rule(
        "OneCycleLR",
        "steps_per_epoch",
        counted_by_epochs("steps_per_epoch"),
        "the cycle lasts epochs x steps_per_epoch steps, so steps_per_epoch must be at least 1",
        ValueError,
        ({"max_lr": 0.1, "epochs": 2, "steps_per_epoch": 0},),
        ({"max_lr": 0.1, "epochs": 20, "steps_per_epoch": 1},),
    ),
    Rule(
        "OneCycleLR",
        "max_lr",
        each("max_lr", positive),
        "max_lr is the peak of the cycle and every other rate is a fraction of it, so it must "
        "be above 0",
        None,
        ({"max_lr": 0.0, "total_steps": 20}, {"max_lr": -0.1, "total_steps": 20}),
        ({"max_lr": 1e-6, "total_steps": 20},),
    ),
    Rule(
        "OneCycleLR",
        "pct_start",
        pct_start,
        "pct_start is the fraction of the cycle spent raising the rate: a float from 0.0 to 1.0, "
        "written with its decimal point, since torch refuses even 0 or 1 as whole numbers",
        ValueError,
        (
            {"max_lr": 0.1, "total_steps": 20, "pct_start": 1.5},
            {"max_lr": 0.1, "total_steps": 20, "pct_start": 1},
        ),
        ({"max_lr": 0.1, "total_steps": 20, "pct_start": 1.0},),
    ),
    Rule(
        "OneCycleLR",
        "div_factor",
        each("div_factor", not_zero),
        "the cycle starts at max_lr / div_factor, and dividing by 0 has no answer",
        ZeroDivisionError,
        ({"max_lr": 0.1, "total_steps": 20, "div_factor": 0.0},),
        ({"max_lr": 0.1, "total_steps": 20, "div_factor": 1.0},),
    ),
    Rule(
        "OneCycleLR",
        "div_factor",
        each("div_factor", positive),
        "the cycle starts at max_lr / div_factor, which must be a positive rate",
        None,
        ({"max_lr": 0.1, "total_steps": 20, "div_factor": -25.0},),
        ({"max_lr": 0.1, "total_steps": 20, "div_factor": 0.5},),
    ),
    Rule(
        "OneCycleLR",
        "final_div_factor",
        each("final_div_factor", not_zero),
        "the cycle ends at the starting rate / final_div_factor, and dividing by 0 has no answer",
        ZeroDivisionError,
        ({"max_lr": 0.1, "total_steps": 20, "final_div_factor": 0.0},),
        ({"max_lr": 0.1, "total_steps": 20, "final_div_factor": 1.0},),
    ),
    Rule(
        "OneCycleLR",
        "final_div_factor",
        each("final_div_factor", positive),
        "the cycle ends at the starting rate / final_div_factor, which must be a positive rate",
        None,
        ({"max_lr": 0.1, "total_steps": 20, "final_div_factor": -1.0},),
        ({"max_lr": 0.1, "total_steps": 20, "final_div_factor": 0.5},),
    ),
    Rule(
        "LinearLR",
        "start_factor",
        each("start_factor", lambda v: 0 < v <= 1),
        "the first rate is lr x start_factor, and torch wants the factor above 0 and at most 1",
        ValueError,
        ({"start_factor": 0.0}, {"start_factor": 1.5}),
        ({"start_factor": 1.0}, {"start_factor": 1e-3}),
    ),
    Rule(
        "LinearLR",
        "end_factor",
        each("end_factor", lambda v: 0 <= v <= 1),
        "the last rate is lr x end_factor, and torch wants the factor from 0 to 1",
        ValueError,
        ({"end_factor": 1.5}, {"end_factor": -0.5}),
        ({"end_factor": 0.0}, {"end_factor": 1.0}),
    ),
    Rule(
        "ConstantLR",
        "factor",
        each("factor", not_zero),
        "when total_iters is reached the rate is divided by factor to restore lr, and dividing "
        "by 0 has no answer",
        ZeroDivisionError,
        ({"factor": 0.0},),
        ({"factor": 0.5},),
    ),
    Rule(
        "ConstantLR",
        "factor",
        each("factor", lambda v: 0 <= v <= 1),
        "the rate is lr x factor until total_iters, then lr; torch wants the factor from 0 to 1",
        ValueError,
        ({"factor": 1.5}, {"factor": -0.1}),
        ({"factor": 1.0}, {"factor": 1e-3}),
    ),
    Rule(
        "PolynomialLR",
        "power",
        each("power", not_negative),
        "the rate falls as (1 - step / total_iters) ** power, which has no value at the end "
        "for a negative power",
        ZeroDivisionError,
        ({"total_iters": 4, "power": -1.0},),
        ({"total_iters": 4, "power": 0.0},),
    ),
    Rule(
        "CyclicLR",
        "step_size_up",
        each("step_size_up", at_least_one),
        "step_size_up is how many steps the rate climbs in each cycle, so at least 1",
        ZeroDivisionError,
        ({"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 0},),
        ({"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 1},),
    ),
    Rule(
        "CyclicLR",
        "base_lr",
        each("base_lr", not_negative),
        "base_lr is the bottom of each cycle, and a rate below 0 would climb the loss",
        None,
        ({"base_lr": -0.01, "max_lr": 0.1, "step_size_up": 2},),
        ({"base_lr": 0.0, "max_lr": 0.1, "step_size_up": 2},),
    ),
    Rule(
        "ReduceLROnPlateau",
        "factor",
        each("factor", lambda v: v < 1),
        "factor multiplies the rate on each plateau, so it must be below 1 to reduce it",
        ValueError,
        ({"factor": 1.0}, {"factor": 1.5}),
        ({"factor": 0.99},),
    ),
    Rule(
        "ReduceLROnPlateau",
        "factor",
        each("factor", positive),
        "factor multiplies the rate on each plateau: at 0 or below the rate would be 0 or "
        "negative, and only min_lr would stop it",
        None,
        ({"factor": 0.0, "patience": 0}, {"factor": -0.5, "patience": 0}),
        ({"factor": 1e-3, "patience": 0},),
    ),
    Rule(
        "ReduceLROnPlateau",
        "min_lr",
        each("min_lr", not_negative),
        "min_lr is the floor the rate never goes below, and a rate below 0 would climb the loss",
        None,
        ({"min_lr": -1.0},),
        ({"min_lr": 0.0},),
    ),
    Rule(
        "SequentialLR",
        "milestones",
        one_per_gap,
        "it needs one milestone between each pair of schedulers: one fewer than the schedulers",
        ValueError,
        ({"schedulers": [_CONSTANT] * 2, "milestones": [2, 4]},),
        ({"schedulers": [_CONSTANT] * 2, "milestones": [2]},),
    ),
    Rule(
        "SequentialLR",
        "milestones",
        increasing("milestones"),
        "milestones are the steps where the next scheduler takes over, so they must increase",
        None,
        ({"schedulers": [_CONSTANT] * 3, "milestones": [5, 2]},),
        ({"schedulers": [_CONSTANT] * 3, "milestones": [2, 5]},),
    ),
    Rule(
        "SWALR",
        "swa_lr",
        each("swa_lr", not_negative),
        "swa_lr is the rate SWALR anneals to and then holds, and a rate below 0 would climb "
        "the loss",
        None,
        ({"swa_lr": -0.01},),
        ({"swa_lr": 0.0},),
    ),
    Rule(
        "SWALR",
        "anneal_epochs",
        each("anneal_epochs", not_negative),
        "anneal_epochs is how many steps the annealing takes: 0 or more",
        ValueError,
        ({"swa_lr": 0.05, "anneal_epochs": -1},),
        ({"swa_lr": 0.05, "anneal_epochs": 0},),
    ),
)

_BY_SCHEDULER: Final[dict[str, tuple[Rule, ...]]] = {
    name: tuple(rule for rule in RULES if rule.scheduler == name)
    for name in {rule.scheduler for rule in RULES}
}


# --- checking a run -----------------------------------------------------------------------------


def check_rules(spec: RunSpec) -> None:
    """Raise RunError for the first rule `spec` breaks: in its own options or in any scheduler."""
    options = {"lr": list(spec.lr), "schedulers": sorted(_names(spec.scheduler))}
    _check(RUN, options)
    for scheduler in _walk(spec.scheduler):
        _check(scheduler.name, scheduler.kwargs)


def broken_rule(scheduler: str, kwargs: Mapping[str, Any]) -> Rule | None:
    """The first rule of `scheduler` (or RUN) that `kwargs` breaks, if any."""
    for rule in _BY_SCHEDULER.get(scheduler, ()):
        if rule.applies(kwargs) and not rule.allows(kwargs):
            return rule
    return None


def _check(scheduler: str, kwargs: Mapping[str, Any]) -> None:
    rule = broken_rule(scheduler, kwargs)
    if rule is not None:
        raise RunError(rule.message(kwargs))


def _walk(spec: SchedulerSpec) -> Iterator[SchedulerSpec]:
    yield spec
    for child in child_schedulers(spec):
        yield from _walk(child)


def _names(spec: SchedulerSpec) -> set[str]:
    return {node.name for node in _walk(spec)}


def rules_for(scheduler: str) -> Sequence[Rule]:
    """The rules about `scheduler`'s arguments (RUN: the run's own options)."""
    return _BY_SCHEDULER.get(scheduler, ())
