"""`!run <problem-id> gamma=0.3`: a recipe's run with some values changed by the user."""

from __future__ import annotations

import pytest

from bot.runner.language import parse_run, with_overrides
from bot.runner.spec import RunError, RunSpec, SchedulerSpec

S = SchedulerSpec

RECIPE = "StepLR(step_size=2, gamma=0.5) lr=0.1 steps=6"


def test_override_replaces_an_allowed_keyword() -> None:
    """A keyword the recipe allows is replaced; everything else stays."""
    spec = with_overrides(RECIPE, {"gamma": "0.3"}, {"gamma", "step_size"})
    assert spec == RunSpec(S("StepLR", {"step_size": 2, "gamma": 0.3}), (0.1,), 6)


def test_override_of_run_options() -> None:
    """lr and steps are overridable like keywords."""
    spec = with_overrides(RECIPE, {"lr": "[0.1, 0.2]", "steps": "9"}, {"lr", "steps"})
    assert (spec.lr, spec.steps) == ((0.1, 0.2), 9)


def test_override_accepts_a_spec() -> None:
    """with_overrides takes a RunSpec as well as text."""
    base = parse_run(RECIPE)
    assert with_overrides(base, {"step_size": "3"}, {"step_size"}).scheduler.kwargs == {
        "step_size": 3,
        "gamma": 0.5,
    }


def test_override_of_a_name_not_allowed_lists_the_allowed_ones() -> None:
    """A name the recipe doesn't allow is refused, listing those it does."""
    with pytest.raises(RunError, match=r"change `gamma`, `step_size`; not `steps`"):
        with_overrides(RECIPE, {"steps": "100"}, {"gamma", "step_size"})
    with pytest.raises(RunError, match="Did you mean `gamma`"):
        with_overrides(RECIPE, {"gama": "0.1"}, {"gamma"})


def test_override_values_are_checked_like_parse_run() -> None:
    """An override value goes through the same checks as typed text."""
    with pytest.raises(RunError, match="whole number"):
        with_overrides(RECIPE, {"step_size": "2.5"}, {"step_size"})
    with pytest.raises(RunError, match="double underscores"):
        with_overrides(RECIPE, {"gamma": "().__class__"}, {"gamma"})
    with pytest.raises(RunError, match="isn't valid Python"):
        with_overrides(RECIPE, {"gamma": "0.3, step_size=9"}, {"gamma"})
    with pytest.raises(RunError, match="doesn't do arithmetic"):
        with_overrides(RECIPE, {"gamma": "0.3 + 1"}, {"gamma"})


def test_override_reaches_nested_schedulers() -> None:
    """A keyword set inside SequentialLR's list is replaced there."""
    recipe = (
        "SequentialLR([LinearLR(start_factor=0.1, total_iters=5), CosineAnnealingLR(T_max=95)],"
        " milestones=[5]) steps=100"
    )
    spec = with_overrides(recipe, {"T_max": "45", "milestones": "[10]"}, {"T_max", "milestones"})
    inner = spec.scheduler.kwargs["schedulers"]
    assert isinstance(inner, list)
    assert inner[1] == S("CosineAnnealingLR", {"T_max": 45})
    assert spec.scheduler.kwargs["milestones"] == [10]


def test_override_can_add_an_unset_keyword() -> None:
    """An allowed keyword the recipe leaves at its default can be set."""
    spec = with_overrides("StepLR(step_size=2)", {"gamma": "0.9"}, {"gamma"})
    assert spec.scheduler.kwargs == {"step_size": 2, "gamma": 0.9}


def test_override_steps_trims_or_extends_plateau_metrics() -> None:
    """A new step count cuts the recipe's metrics or repeats their last value."""
    recipe = "ReduceLROnPlateau(patience=0) metrics=[1, 0.9, 0.8, 0.8]"
    assert with_overrides(recipe, {"steps": "2"}, {"steps"}).metrics == (1.0, 0.9)
    assert with_overrides(recipe, {"steps": "6"}, {"steps"}).metrics == (1, 0.9, 0.8, 0.8, 0.8, 0.8)
