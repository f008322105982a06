"""Tests for the problem schema: what a well-formed problem must satisfy."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bot.engine.problems import Problem, RunRecipe
from tests.engine.conftest import make_pack, make_problem


def test_valid_problem_loads() -> None:
    """The factory's problem is valid, so the negative tests below mean something."""
    assert Problem.model_validate(make_problem("ok")).answer == "B"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"answer": "D", "options": {"A": "x", "B": "y", "C": "z"}}, "not one of the options"),
        ({"why_not": {"A": "-", "C": "-"}}, "missing for wrong option"),
        ({"why_not": {"A": "-", "B": "-", "C": "-", "D": "-"}}, "not wrong"),
        ({"kind": "predict_output"}, "needs `code`"),
        ({"options": {"A": "x", "C": "y", "D": "z"}}, "lettered A, B"),
        ({"options": {"A": "same", "B": "x", "C": "same", "D": "y"}}, "same text"),
        ({"id": "Not A Slug"}, "pattern"),
        ({"kind": "essay"}, "kind"),
        ({"surprise": 1}, "Extra inputs"),
    ],
)
def test_malformed_problems_are_refused(changes: dict[str, Any], message: str) -> None:
    """Each schema rule refuses the problem that breaks it, saying which rule."""
    with pytest.raises(ValidationError, match=message):
        Problem.model_validate(make_problem("bad", **changes))


def test_duplicate_problem_ids_in_a_pack_are_refused() -> None:
    """Ids are unique within a pack."""
    with pytest.raises(ValidationError, match="appears twice"):
        make_pack(make_problem("same"), make_problem("same"))


def test_min_correct_badge_needs_a_threshold() -> None:
    """A threshold rule without a threshold is a content error."""
    with pytest.raises(ValidationError, match="threshold"):
        make_pack(rule="min_correct")


def test_run_recipe_vary_must_name_a_set_parameter() -> None:
    """A recipe cannot let users vary a parameter its expression does not set."""
    assert RunRecipe(expression="StepLR(step_size=2, gamma=0.5)", vary=["gamma", "lr"])
    with pytest.raises(ValidationError, match="does not set"):
        RunRecipe(expression="StepLR(step_size=2)", vary=["gamma"])
