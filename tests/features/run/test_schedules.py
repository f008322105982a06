"""Tests for bot.features.run.schedules: which runs show the same schedule, however written."""

from __future__ import annotations

import inspect

import pytest

from bot.engine.problems import Problem
from bot.features.run.schedules import (
    DEFAULTS,
    Schedule,
    problem_schedules,
    recipe_schedule,
    schedule_of,
    shows,
)
from bot.runner import SCHEDULER_NAMES, parse_run
from bot.runner.lessons import scheduler_class_of
from tests.engine.conftest import make_problem

STEPLR_SNIPPET = """\
import torch
from torch.optim.lr_scheduler import StepLR

param = torch.nn.Parameter(torch.zeros(1))
optimizer = torch.optim.SGD([param], lr=0.1)
scheduler = StepLR(optimizer, step_size=2, gamma=0.5)
for epoch in range(3):
    optimizer.step()
    scheduler.step()
print(round(optimizer.param_groups[0]["lr"], 4))
"""

# The same loop reformatted, with other names, an alias import and the default spelled out.
STEPLR_REWRITTEN = """\
import torch
from torch import optim
w = torch.nn.Parameter(torch.zeros(3))
opt = optim.SGD([w], lr = 1.0)
sched = optim.lr_scheduler.StepLR(opt, gamma=0.5, step_size=2, last_epoch=-1)
for e in range(10):
    opt.step(); sched.step()
    print(opt.param_groups[0]["lr"])
"""


def schedule(text: str) -> Schedule:
    """The schedule of `!run <text>`."""
    return schedule_of(parse_run(text).scheduler)


def runs_show(text: str, target: str) -> bool:
    """Whether `!run <text>` shows the schedule of `!run <target>`."""
    return shows(parse_run(text), (schedule(target),))


@pytest.mark.parametrize(
    "text",
    [
        "StepLR(step_size=2, gamma=0.5)",
        "StepLR(gamma=0.5, step_size=2) lr=1.0 steps=100 optimizer=Adam",  # lr scales every rate
        "StepLR(step_size=2.0, gamma=0.50000001)",  # shows the same table
        "torch.optim.lr_scheduler.StepLR(optimizer, 2, 0.5)",
        STEPLR_SNIPPET,
        STEPLR_REWRITTEN,
        # Nested where it runs first, for longer than the problem looks: the same numbers.
        "SequentialLR([StepLR(step_size=2, gamma=0.5), ConstantLR(factor=1.0)], milestones=[50])",
        "ChainedScheduler([StepLR(step_size=2, gamma=0.5), ConstantLR(factor=1.0, total_iters=1)])",
    ],
)
def test_same_schedule_however_written(text: str) -> None:
    """Reformatting, renaming, other run options and wrapping do not change the schedule."""
    assert runs_show(text, "StepLR(step_size=2, gamma=0.5) lr=0.1 steps=6")


@pytest.mark.parametrize(
    "text",
    [
        "StepLR(step_size=2, gamma=0.3)",
        "StepLR(step_size=3, gamma=0.5)",
        "StepLR(step_size=2, gamma=0.505)",  # a real change shows in the third digit
        "MultiStepLR(milestones=[2, 4, 6], gamma=0.5)",  # equal rates, but another class
        "ExponentialLR(gamma=0.5)",
    ],
)
def test_a_different_schedule_is_not_the_same(text: str) -> None:
    """Another value or another class is the member's own experiment."""
    assert not runs_show(text, "StepLR(step_size=2, gamma=0.5)")


def test_defaults_spelled_out_are_the_same_as_left_out() -> None:
    """`LinearLR(start_factor=0.25, total_iters=4)` is the recipe with `end_factor=1.0`."""
    assert schedule("LinearLR(start_factor=0.25, end_factor=1.0, total_iters=4)") == schedule(
        "LinearLR(start_factor=0.25, total_iters=4)"
    )
    assert runs_show("StepLR(step_size=2)", "StepLR(step_size=2, gamma=0.1)")
    assert runs_show(
        "OneCycleLR(max_lr=0.1, total_steps=10, pct_start=0.3, div_factor=25)",
        "OneCycleLR(max_lr=0.1, total_steps=10)",
    )


def test_momentum_settings_do_not_get_round_it() -> None:
    """Momentum cycling never changes a learning rate, so changing it changes nothing here."""
    assert runs_show(
        "OneCycleLR(max_lr=0.1, total_steps=10, base_momentum=0.5, cycle_momentum=False)",
        "OneCycleLR(max_lr=0.1, total_steps=10)",
    )


def test_booleans_and_numbers_stay_apart() -> None:
    """three_phase=True is a different schedule from the default False."""
    assert not runs_show(
        "OneCycleLR(max_lr=0.1, total_steps=10, three_phase=True)",
        "OneCycleLR(max_lr=0.1, total_steps=10)",
    )


def test_lambdas_compare_by_what_they_compute() -> None:
    """A lambda's argument name and spacing do not matter; its body does."""
    target = "LambdaLR(lr_lambda=lambda step: min(1.0, step / 4))"
    assert runs_show("LambdaLR(lr_lambda=lambda e:min(1, e/4)) steps=20", target)
    assert not runs_show("LambdaLR(lr_lambda=lambda e: min(1.0, e / 5))", target)


def test_one_parameter_group_list_is_the_number() -> None:
    """`max_lr=[0.1]` is `max_lr=0.1`."""
    assert runs_show(
        "OneCycleLR(max_lr=[0.1], total_steps=10)", "OneCycleLR(max_lr=0.1, total_steps=10)"
    )


def test_a_wrapper_alone_is_not_its_part() -> None:
    """A problem about a whole SequentialLR is not given away by one of its parts."""
    whole = (
        "SequentialLR([ConstantLR(factor=0.5, total_iters=3), ExponentialLR(gamma=0.9)],"
        " milestones=[3])"
    )
    assert runs_show(whole, whole)
    assert not runs_show("ConstantLR(factor=0.5, total_iters=3)", whole)


def test_a_problem_is_given_away_by_its_recipe_snippet_prompt_and_options() -> None:
    """Every scheduler call a problem shows (with literal values) is one of its schedules."""
    problem = Problem.model_validate(
        make_problem(
            "mixed",
            prompt="You use `CosineAnnealingLR(optimizer, T_max=100, eta_min=0.001)`.",
            code=STEPLR_SNIPPET,
            options={
                "A": "ExponentialLR(optimizer, gamma=0.9)",
                "B": "ReduceLROnPlateau(optimizer, patience=2)",  # read without metrics
                "C": "StepLR(optimizer, step_size=epochs)",  # a variable: not readable alone
                "D": "none of these",
            },
            run={"expression": "PolynomialLR(total_iters=4, power=2.0)", "steps": 6},
        )
    )
    found = problem_schedules(problem)
    for text in (
        "CosineAnnealingLR(T_max=100, eta_min=0.001)",
        "StepLR(step_size=2, gamma=0.5)",
        "ExponentialLR(gamma=0.9)",
        "ReduceLROnPlateau(patience=2) metrics=[1.0, 1.0]",
        "PolynomialLR(total_iters=4, power=2.0)",
    ):
        assert shows(parse_run(text), found), text
    assert len(found) == 5
    assert recipe_schedule(problem) == schedule("PolynomialLR(total_iters=4, power=2.0)")


def test_a_problem_without_schedulers_gives_nothing_away() -> None:
    """A conceptual problem with no scheduler call has no schedule; nor a recipe to run."""
    problem = Problem.model_validate(make_problem("plain"))
    assert problem_schedules(problem) == ()
    assert recipe_schedule(problem) is None


lr_scheduler = pytest.importorskip("torch.optim.lr_scheduler")


@pytest.mark.parametrize("name", SCHEDULER_NAMES)
def test_defaults_match_torch(name: str) -> None:
    """The hand-copied defaults are torch's, so a default spelled out compares equal."""
    params = inspect.signature(scheduler_class_of(name)).parameters.values()
    theirs = {
        p.name: p.default
        for p in params
        if p.default is not inspect.Parameter.empty and p.name not in ("optimizer", "verbose")
    }
    assert DEFAULTS[name] == theirs
