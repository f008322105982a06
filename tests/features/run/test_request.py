"""`!run` text → RunRequest: recipes with changes, the user's own runs, friendly refusals."""

from __future__ import annotations

import pytest

from bot.content import ContentLibrary
from bot.features.run.request import (
    ProblemRun,
    resolve,
    runnable,
    split_assignments,
    split_request,
    suggest_ids,
)
from bot.features.run.variants import recipe_text
from bot.runner import RunError, SchedulerSpec, parse_run

EXAMPLE = "`!run StepLR(step_size=2, gamma=0.5) lr=0.1 steps=5`"


def test_an_expression_becomes_a_spec_without_a_problem(library: ContentLibrary) -> None:
    """The user's own expression is parsed as `parse_run` would."""
    request = resolve("StepLR(step_size=2, gamma=0.5) lr=0.1 steps=3", library, "!run")
    assert request.problem is None
    assert request.spec == parse_run("StepLR(step_size=2, gamma=0.5) lr=0.1 steps=3")


def test_a_problem_id_runs_its_recipe_with_the_changes(library: ContentLibrary) -> None:
    """`steplr-three-epochs gamma=0.3 steps=20` is the recipe with gamma and steps replaced."""
    request = resolve("steplr-three-epochs gamma=0.3 steps=20", library, "!run")
    assert request.problem is not None
    assert request.problem.id == "steplr-three-epochs"
    assert request.overrides == {"gamma": "0.3", "steps": "20"}
    assert request.spec.steps == 20
    assert request.spec.scheduler == SchedulerSpec("StepLR", {"step_size": 2, "gamma": 0.3})


def test_a_problem_id_alone_runs_the_recipe_as_written(library: ContentLibrary) -> None:
    """With no changes, the recipe runs with its own lr, steps and optimizer."""
    for problem in runnable(library).values():
        assert problem.run is not None
        request = resolve(problem.id, library, "!run")
        assert request.spec == parse_run(recipe_text(problem.run)), problem.id
        assert request.spec.steps == problem.run.steps


def test_a_parse_error_shows_its_message_and_an_example(library: ContentLibrary) -> None:
    """The parser's own words come first, then a one-line example using the caller's command."""
    with pytest.raises(RunError) as refused:
        resolve("StepLR(step_size=2", library, "/run")
    message = str(refused.value)
    assert message.startswith("That isn't valid Python")
    assert message.endswith("For example: `/run StepLR(step_size=2, gamma=0.5) lr=0.1 steps=5`")


def test_hostile_input_is_refused_with_an_example(library: ContentLibrary) -> None:
    """`__import__('os').system('id')` is refused by name, and shown how to ask instead."""
    with pytest.raises(RunError, match="double underscores") as refused:
        resolve("__import__('os').system('id')", library, "!run")
    assert EXAMPLE in str(refused.value)


def test_over_long_text_is_refused_before_any_parsing(library: ContentLibrary) -> None:
    """Text past the parser's limit is refused by length, even if it starts like an id."""
    with pytest.raises(RunError, match="at most 4,000"):
        resolve("steplr-three-epochs gamma=" + "(" * 5000, library, "!run")


def test_an_unknown_id_suggests_the_closest_runnable_one(library: ContentLibrary) -> None:
    """A typo in an id gets "did you mean" among problems with recipes."""
    with pytest.raises(RunError, match="Did you mean `!run steplr-three-epochs`"):
        resolve("steplr-tree-epochs gamma=0.3", library, "!run")


def test_an_unknown_word_lists_related_problems(library: ContentLibrary) -> None:
    """`!run cosine` names runnable problems about cosine, then an example of one's own run."""
    with pytest.raises(RunError) as refused:
        resolve("cosine", library, "!run")
    message = str(refused.value)
    assert "There is no problem `cosine`" in message
    related = [pid for pid in runnable(library) if "cosine" in pid]
    assert related
    assert f"`{related[0]}`" in message
    assert EXAMPLE in message


def test_a_scheduler_typed_like_an_id_is_shown_how_to_write_it(library: ContentLibrary) -> None:
    """`!run steplr` is told to write StepLR with its arguments."""
    with pytest.raises(RunError, match="To run StepLR, write its name as torch spells it"):
        resolve("steplr", library, "!run")


def test_a_problem_without_a_recipe_says_so(library: ContentLibrary) -> None:
    """A known problem with no recipe is named, with an example of one's own run."""
    problem = next(p for _, p in library.problems() if p.run is None)
    with pytest.raises(RunError) as refused:
        resolve(f"{problem.id} gamma=0.3", library, "!run")
    assert f"Problem `{problem.id}` has no run recipe" in str(refused.value)
    assert EXAMPLE in str(refused.value)


def test_changing_a_value_the_problem_does_not_allow_lists_the_allowed(
    library: ContentLibrary,
) -> None:
    """Only names in `vary` may change; the refusal lists them and shows a valid variant."""
    with pytest.raises(RunError) as refused:
        resolve("steplr-three-epochs optimizer=Adam", library, "!run")
    message = str(refused.value)
    assert "`gamma`" in message
    assert "not `optimizer`" in message
    assert message.endswith("For example: `!run steplr-three-epochs gamma=0.3`")


def test_unreadable_changes_after_a_known_id_show_a_valid_variant(
    library: ContentLibrary,
) -> None:
    """`steplr-three-epochs gamma` (no value) is explained with that problem's example."""
    with pytest.raises(RunError, match="name=value") as refused:
        resolve("steplr-three-epochs gamma", library, "!run")
    assert str(refused.value).endswith("`!run steplr-three-epochs gamma=0.3`")


def test_unreadable_changes_after_an_unknown_id_say_the_id_is_unknown(
    library: ContentLibrary,
) -> None:
    """With an unknown id, the id is the first thing to fix."""
    with pytest.raises(RunError, match="There is no problem `no-such-problem`"):
        resolve("no-such-problem gamma", library, "!run")


def test_a_bad_value_for_an_allowed_name_is_refused(library: ContentLibrary) -> None:
    """Values are checked as strictly as in the user's own runs."""
    with pytest.raises(RunError, match="double underscores"):
        resolve("steplr-three-epochs gamma=__import__('os')", library, "!run")


# --- autocomplete --------------------------------------------------------------------------------


def test_suggestions_prefer_ids_starting_with_the_text(library: ContentLibrary) -> None:
    """Ids that start with the typed text come before ids that merely contain it."""
    problems = runnable(library)
    ids = [pid for _, pid in suggest_ids(problems, "step")]
    starting = [pid for pid in problems if pid.startswith("step")]
    assert starting
    assert ids[: len(starting)] == starting
    assert all("step" in pid for pid in ids)


def test_suggestions_carry_the_recipe_in_a_label_discord_accepts(library: ContentLibrary) -> None:
    """Labels show id and expression within 100 characters; at most 25 choices."""
    suggestions = suggest_ids(runnable(library), "")
    assert 0 < len(suggestions) <= 25
    for label, pid in suggestions:
        assert label.startswith(pid)
        assert len(label) <= 100


@pytest.mark.parametrize("typed", ["StepLR(", "steplr-three-epochs gamma=", "```py", "lr=0.1"])
def test_no_suggestions_once_the_text_is_not_an_id(library: ContentLibrary, typed: str) -> None:
    """An expression, a snippet or an id with changes gets no id suggestions."""
    assert suggest_ids(runnable(library), typed) == []


# --- splitting: a problem id, or a run of one's own --------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "StepLR(step_size=2, gamma=0.5) lr=0.1 steps=3",
        "```py\nimport torch\nscheduler = StepLR(optimizer, step_size=2)\n```",
        "import torch\nfrom torch.optim.lr_scheduler import StepLR",
        "__import__('os').system('id')",
        "lr=0.1 steps=3",
        "",
        "   ",
    ],
)
def test_runs_of_ones_own_are_not_problem_ids(text: str) -> None:
    """Expressions, snippets (fenced or not) and text not starting with an id go to the parser."""
    assert split_request(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("steplr-three-epochs", ProblemRun("steplr-three-epochs", {})),
        ("steplr-three-epochs gamma=0.3", ProblemRun("steplr-three-epochs", {"gamma": "0.3"})),
        (
            "  steplr-three-epochs\n gamma = 0.3  steps=20 ",
            ProblemRun("steplr-three-epochs", {"gamma": "0.3", "steps": "20"}),
        ),
        ("steplr gamma=0.3", ProblemRun("steplr", {"gamma": "0.3"})),
        (
            "multi-step milestones=[2, 4], gamma=0.1",
            ProblemRun("multi-step", {"milestones": "[2, 4]", "gamma": "0.1"}),
        ),
        (
            "lambda-warmup lr_lambda=lambda e: min(1.0, e / 4) lr=0.2",
            ProblemRun("lambda-warmup", {"lr_lambda": "lambda e: min(1.0, e / 4)", "lr": "0.2"}),
        ),
        (
            "cyclic mode='exp_range' gamma=0.9",
            ProblemRun("cyclic", {"mode": "'exp_range'", "gamma": "0.9"}),
        ),
    ],
)
def test_problem_ids_and_their_changes_are_split(text: str, expected: ProblemRun) -> None:
    """An id, then `name=value` pairs whose values may hold spaces, brackets and lambdas."""
    assert split_request(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("steplr-three-epochs gamma", "name=value"),
        ("steplr-three-epochs 0.3", "name=value"),
        ("steplr-three-epochs gamma=0.3 gamma=0.4", "given twice"),
        ("steplr-three-epochs gamma=", "needs a value"),
        ("steplr-three-epochs gamma=(0.3", "name=value"),
    ],
)
def test_unreadable_changes_after_an_id_are_explained(text: str, message: str) -> None:
    """A hyphenated id with changes that aren't `name=value` pairs gets a RunError saying how."""
    with pytest.raises(RunError, match=message):
        split_request(text)


def test_a_single_word_with_unreadable_changes_is_left_to_the_parser() -> None:
    """`import torch ...` or `scheduler gamma` may be a snippet: the parser explains, not us."""
    assert split_request("scheduler gamma 0.3") is None


def test_split_assignments_equal_signs_inside_brackets_stay_in_the_value() -> None:
    """Only a top-level `name=` starts a new pair."""
    assert split_assignments("schedulers=[StepLR(step_size=2), ConstantLR(factor=0.5)] x=1") == {
        "schedulers": "[StepLR(step_size=2), ConstantLR(factor=0.5)]",
        "x": "1",
    }
