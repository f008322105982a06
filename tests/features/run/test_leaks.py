"""Tests for bot.features.run.leaks: what `!run` refuses while a problem is in play."""

from __future__ import annotations

import pytest

from bot.content import ContentLibrary
from bot.engine.problems import Problem
from bot.features.run.leaks import AnswerHidden, InPlay
from bot.features.run.request import resolve, runnable
from bot.runner import RunError

OPEN = "steplr-three-epochs"  # StepLR(step_size=2, gamma=0.5), lr 0.1, 3 calls in its snippet


@pytest.fixture
def open_problem(library: ContentLibrary) -> Problem:
    """The shipped problem in play in these tests."""
    found = library.find_problem(OPEN)
    assert found is not None
    return found[1]


def refusal(in_play: InPlay, text: str, library: ContentLibrary) -> str | None:
    """What the cog's checks say to `!run <text>`: the refusal, or None if it would run."""
    try:
        in_play.check_text(text, "!run")
        request = resolve(text, library, "!run", in_play.hidden_ids(runnable(library).values()))
        in_play.check(request, "!run")
    except AnswerHidden as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("text", [OPEN, f"{OPEN} gamma=0.3", f"{OPEN} steps=100 lr=1.0"])
def test_the_problem_by_id_is_refused_with_or_without_changes(
    open_problem: Problem, library: ContentLibrary, text: str
) -> None:
    """`!run <id>` and its variants wait for the reveal, and the refusal says so."""
    said = refusal(InPlay((open_problem,)), text, library)
    assert said is not None
    assert f"`{OPEN}` is still in play in a challenge on this server" in said
    assert "after the reveal" in said


def test_the_id_is_refused_before_its_changes_are_read(
    open_problem: Problem, library: ContentLibrary
) -> None:
    """Unreadable changes to a problem in play get the leak refusal, not a variant example."""
    with pytest.raises(AnswerHidden, match="still in play"):
        InPlay((open_problem,)).check_text(f"{OPEN} gamma=", "!run")
    with pytest.raises(RunError, match="For example"):  # not in play: the usual help
        resolve(f"{OPEN} gamma=", library, "!run")


def test_its_snippet_pasted_is_refused(open_problem: Problem, library: ContentLibrary) -> None:
    """Pasting the problem's code, as is or in a code block, is refused by what it computes."""
    assert open_problem.code is not None
    for text in (open_problem.code, f"```py\n{open_problem.code}\n```"):
        said = refusal(InPlay((open_problem,)), text, library)
        assert said is not None
        assert said.startswith("That schedule is part of a problem still in play")
        assert OPEN not in said  # the refusal does not say which problem uses it


def test_its_snippet_reformatted_and_renamed_is_refused(
    open_problem: Problem, library: ContentLibrary
) -> None:
    """Other names, layout and step count do not make it another run."""
    assert open_problem.code is not None
    rewritten = (
        open_problem.code.replace("optimizer", "opt")
        .replace("scheduler =", "sched =")
        .replace("scheduler.step", "sched.step")
        .replace("range(3)", "range(12)")
        .replace("step_size=2, gamma=0.5", "gamma = 0.5 , step_size = 2")
    )
    assert rewritten != open_problem.code
    assert refusal(InPlay((open_problem,)), rewritten, library) is not None


@pytest.mark.parametrize(
    "text",
    [
        "StepLR(step_size=2, gamma=0.5) lr=0.1 steps=6",
        "StepLR(gamma=0.5, step_size=2, last_epoch=-1) lr=1 steps=3 optimizer=Adam",
        "SequentialLR([StepLR(step_size=2, gamma=0.5), ConstantLR(factor=1.0)], milestones=[9])",
    ],
)
def test_a_hand_written_equivalent_is_refused(
    open_problem: Problem, library: ContentLibrary, text: str
) -> None:
    """The problem's schedule typed by hand, scaled, padded or wrapped is still its answer."""
    assert refusal(InPlay((open_problem,)), text, library) is not None


@pytest.mark.parametrize(
    "text",
    [
        "StepLR(step_size=2, gamma=0.3) steps=6",
        "ExponentialLR(gamma=0.5)",
        "cosine-tmax-half-period",
    ],
)
def test_other_runs_go_ahead(open_problem: Problem, library: ContentLibrary, text: str) -> None:
    """A different schedule, or another problem's recipe, runs while the problem is open."""
    assert refusal(InPlay((open_problem,)), text, library) is None


def test_nothing_in_play_refuses_nothing(open_problem: Problem, library: ContentLibrary) -> None:
    """No challenge here (or after the reveal): the problem runs by id and by snippet."""
    assert open_problem.code is not None
    for text in (OPEN, open_problem.code, f"{OPEN} gamma=0.3"):
        assert refusal(InPlay(), text, library) is None


def test_in_dms_the_refusal_does_not_name_a_server(
    open_problem: Problem, library: ContentLibrary
) -> None:
    """A DM is refused while the problem is in play anywhere, worded for a DM."""
    said = refusal(InPlay((open_problem,), in_dms=True), OPEN, library)
    assert said is not None
    assert "in a challenge right now" in said
    assert "this server" not in said


def test_every_recipe_is_refused_while_its_problem_is_in_play(library: ContentLibrary) -> None:
    """Each shipped problem with a recipe is protected: by id, and by its recipe typed out."""
    from bot.features.run.variants import recipe_text

    for problem in runnable(library).values():
        in_play = InPlay((problem,))
        assert refusal(in_play, problem.id, library) is not None, problem.id
        assert problem.run is not None
        assert refusal(in_play, recipe_text(problem.run), library) is not None, problem.id


def test_hidden_ids_cover_the_problem_and_any_recipe_that_shows_it(
    open_problem: Problem, library: ContentLibrary
) -> None:
    """Suggestions leave out the problem in play and any problem whose recipe would be refused."""
    in_play = InPlay((open_problem,))
    hidden = in_play.hidden_ids(runnable(library).values())
    assert OPEN in hidden
    for problem_id in hidden - {OPEN}:
        found = library.find_problem(problem_id)
        assert found is not None
        assert found[1].run is not None
        assert found[1].run.expression.startswith("StepLR(step_size=2, gamma=0.5")
    assert len(hidden) < len(runnable(library))
    assert InPlay().hidden_ids(runnable(library).values()) == frozenset()


def test_suggestions_in_a_refusal_skip_hidden_problems(library: ContentLibrary) -> None:
    """`!run steplr-three-epoch` (a typo) does not suggest the id that is in play."""
    with pytest.raises(RunError) as caught:
        resolve("steplr-three-epoch", library, "!run", hidden={OPEN})
    assert OPEN not in str(caught.value)
    with pytest.raises(RunError, match=f"Did you mean `!run {OPEN}`"):
        resolve("steplr-three-epoch", library, "!run")
