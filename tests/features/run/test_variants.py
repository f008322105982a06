"""The variant a reveal suggests: one value changed within its range, accepted by the recipe
and by torch."""

from __future__ import annotations

import pytest

from bot.content import ContentLibrary
from bot.engine.problems import Problem, RunRecipe
from bot.features.run.request import resolve, runnable
from bot.features.run.variants import variant_command, variant_hint
from bot.runner import RunnerPool


def test_variant_hint_for_steplr_three_epochs(library: ContentLibrary) -> None:
    """The hint changes gamma (a rate-like value) and lists what may change."""
    found = library.find_problem("steplr-three-epochs")
    assert found is not None
    problem = found[1]
    assert problem.run is not None
    listed = ", ".join(problem.run.vary)
    assert variant_hint(problem, "!") == (
        f"Try variants: `!run steplr-three-epochs gamma=0.3` (you can change: {listed})"
    )
    other_prefix = variant_hint(problem, "?")
    assert other_prefix is not None
    assert other_prefix.startswith("Try variants: `?run steplr-three-epochs")


def test_variant_hint_is_none_without_a_recipe(library: ContentLibrary) -> None:
    """A problem with no run recipe gets no hint."""
    problem = next(p for _, p in library.problems() if p.run is None)
    assert variant_hint(problem, "!") is None


def recipe_problem(library: ContentLibrary, **recipe: object) -> Problem:
    """A shipped problem with its recipe replaced."""
    problem = next(p for _, p in library.problems() if p.run is not None)
    return problem.model_copy(update={"run": RunRecipe.model_validate(recipe)})


def test_variant_hint_with_nothing_to_vary_says_try_it(library: ContentLibrary) -> None:
    """A recipe with an empty vary list is offered as it is."""
    problem = recipe_problem(library, expression="StepLR(step_size=2, gamma=0.5)")
    assert variant_hint(problem, "!") == f"Try it: `!run {problem.id}`"


@pytest.mark.parametrize(
    ("recipe", "change"),
    [
        ({"expression": "StepLR(step_size=2, gamma=0.5)", "vary": ["step_size"]}, "step_size=4"),
        ({"expression": "LinearLR(end_factor=1.0)", "vary": ["end_factor"]}, "end_factor=0.5"),
        (
            {
                "expression": "OneCycleLR(max_lr=1, div_factor=25.0, total_steps=10)",
                "vary": ["div_factor"],
                "steps": 10,
            },
            "div_factor=50.0",
        ),
        ({"expression": "StepLR(step_size=2)", "steps": 8000, "vary": ["steps"]}, "steps=4000"),
    ],
)
def test_variant_hint_changes_values_within_their_range(
    library: ContentLibrary, recipe: dict[str, object], change: str
) -> None:
    """Counts double (steps stay within 10,000), fractions stay in (0, 1], big floats double."""
    hint = variant_hint(recipe_problem(library, **recipe), "!")
    assert hint is not None
    assert f" {change}`" in hint


def test_variant_hint_without_a_numeric_value_shows_the_plain_command(
    library: ContentLibrary,
) -> None:
    """Only lists or lambdas to vary: the hint names the problem without a change."""
    problem = recipe_problem(
        library, expression="MultiStepLR(milestones=[2, 4])", vary=["milestones"]
    )
    assert variant_hint(problem, "!") == (
        f"Try variants: `!run {problem.id}` (you can change: milestones)"
    )


def test_every_shipped_hint_is_a_change_the_recipe_accepts(library: ContentLibrary) -> None:
    """Each hint's example changes one allowed value and parses like a user's `!run`."""
    for _, problem in library.problems():
        hint = variant_hint(problem, "!")
        if problem.run is None:
            assert hint is None
            continue
        assert hint is not None
        command = hint.split("`")[1]
        request = resolve(command.removeprefix("!run "), library, "!run")  # raises if refused
        assert request.problem == problem
        assert len(request.overrides) == 1, hint
        assert set(request.overrides) <= set(problem.run.vary), hint


# --- the hints, run by torch ---------------------------------------------------------------------


@pytest.fixture
def pool(shared_runner: RunnerPool) -> RunnerPool:
    """The suite's warm worker."""
    return shared_runner


@pytest.mark.torch
async def test_every_shipped_variant_runs_in_torch_without_error(
    library: ContentLibrary, pool: RunnerPool
) -> None:
    """The variant each hint suggests is one torch accepts: no error, no refusal."""
    for problem in runnable(library).values():
        command = variant_command(problem, "!run")
        request = resolve(command.removeprefix("!run "), library, "!run")
        result = await pool.run(request.spec)
        assert result.error is None, f"{command}: {result.error}"
