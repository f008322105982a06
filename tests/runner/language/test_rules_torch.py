"""The rules checked before a run, against real torch: each claim about torch is tested here.

For every rule, each value it refuses is built and stepped with torch: torch must raise the
exception the rule names (or, for a rule that says torch runs it, must not raise). Each value
it lets through at the edge must run in torch. So the rules cannot drift from torch: if a
torch release starts or stops refusing a value, a test here fails.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from typing import Any

import pytest

from bot.runner.compute import build_optimizer, build_scheduler
from bot.runner.lambdas import compile_lambda
from bot.runner.language import parse_run, render_expression
from bot.runner.language._rules import RUN, Rule
from bot.runner.language._schedulers import SCHEDULERS
from bot.runner.language._validation import RULES, broken_rule, rules_for
from bot.runner.lessons import scheduler_class_of
from bot.runner.spec import RunError, RunSpec, SchedulerSpec

pytestmark = pytest.mark.torch

STEPS = 12  # enough to reach every value's failure: total_iters and T_max default to 5 or less
METRICS = " metrics=[1.0, 1.0, 1.0]"  # ReduceLROnPlateau needs them to be parsed at all


def _example_scheduler(name: str) -> SchedulerSpec:
    """The language's own example call of `name`, e.g. CyclicLR(base_lr=0.01, ...)."""
    return parse_run(
        SCHEDULERS[name].example + (METRICS if name == "ReduceLROnPlateau" else "")
    ).scheduler


def _spec(rule: Rule, kwargs: Mapping[str, Any]) -> RunSpec:
    """The run an example stands for: a scheduler with those arguments, or lr on a scheduler."""
    if rule.scheduler == RUN:
        name = next(iter(kwargs.get("schedulers", ["StepLR"])))
        return RunSpec(_example_scheduler(name), lr=tuple(kwargs["lr"]), steps=STEPS)
    return RunSpec(SchedulerSpec(rule.scheduler, dict(kwargs)), steps=STEPS)


def run_in_torch(spec: RunSpec) -> None:
    """Build the optimizer and scheduler with torch and step them; torch's exception escapes."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optimizer = build_optimizer(spec)
        try:
            scheduler = build_scheduler(spec.scheduler, optimizer, compile_lambda)
        except Exception as failed:  # _BuildFailed: unwrap what torch itself raised
            raise failed.__cause__ or failed from None
        for _ in range(spec.steps):
            optimizer.step()
            if spec.scheduler.name == "ReduceLROnPlateau":
                scheduler.step(1.0)
            else:
                scheduler.step()


REFUSED = [(rule, kwargs) for rule in RULES for kwargs in rule.refused]
ALLOWED = [(rule, kwargs) for rule in RULES for kwargs in rule.allowed]


def _id(case: tuple[Rule, Mapping[str, Any]]) -> str:
    rule, kwargs = case
    shown = ",".join(f"{k}={v}" for k, v in kwargs.items() if k != "schedulers")
    return f"{rule.scheduler}.{rule.param}:{shown}"


@pytest.mark.parametrize("case", REFUSED, ids=[_id(c) for c in REFUSED])
def test_torch_reacts_to_each_refused_value_as_the_rule_says(
    case: tuple[Rule, Mapping[str, Any]],
) -> None:
    """torch raises the rule's exception for the value (or runs it, when the rule says so)."""
    rule, kwargs = case
    assert broken_rule(rule.scheduler, kwargs) is rule
    spec = _spec(rule, kwargs)
    if rule.torch_raises is None:
        run_in_torch(spec)
    else:
        with pytest.raises(rule.torch_raises):
            run_in_torch(spec)


@pytest.mark.parametrize("case", ALLOWED, ids=[_id(c) for c in ALLOWED])
def test_values_at_the_edge_pass_the_rules_and_run_in_torch(
    case: tuple[Rule, Mapping[str, Any]],
) -> None:
    """What a rule lets through at its edge breaks no rule and runs in torch."""
    rule, kwargs = case
    assert broken_rule(rule.scheduler, kwargs) is None
    run_in_torch(_spec(rule, kwargs))


@pytest.mark.parametrize("name", sorted({r.scheduler for r in RULES} - {RUN}))
def test_torch_defaults_break_no_rule(name: str) -> None:
    """A rule never refuses a value torch itself gives as the default."""
    defaults = {
        p.name: p.default
        for p in inspect.signature(scheduler_class_of(name)).parameters.values()
        if p.default is not inspect.Parameter.empty
    }
    kwargs = {**defaults, **_example_scheduler(name).kwargs}
    assert broken_rule(name, kwargs) is None, kwargs
    assert rules_for(name)


def _typed(rule: Rule, kwargs: Mapping[str, Any]) -> str:
    """The `!run` text a learner would type for an example."""
    if rule.scheduler == RUN:
        lr = kwargs["lr"]
        return f"StepLR(step_size=2) lr={lr[0] if len(lr) == 1 else lr}"
    text = render_expression(SchedulerSpec(rule.scheduler, dict(kwargs)))
    return text + (METRICS if rule.scheduler == "ReduceLROnPlateau" else "")


@pytest.mark.parametrize(
    "case", [c for c in REFUSED if c[0].scheduler != RUN or len(c[1]) == 1], ids=_id
)
def test_typing_a_refused_value_gets_the_rules_reason(case: tuple[Rule, Mapping[str, Any]]) -> None:
    """The parser refuses each example before running: with the rule's reason, or (for values
    its own bounds refuse, like a negative whole number) with those bounds."""
    rule, kwargs = case
    with pytest.raises(RunError) as refused:
        parse_run(_typed(rule, kwargs))
    message = str(refused.value)
    parser_bounds = re.search(r" must be (between|a whole number from) ", message)
    assert message == rule.message(kwargs) or parser_bounds, message
