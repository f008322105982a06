"""The leak rule of `!learn`: which cards wait while problems are unrevealed."""

from __future__ import annotations

from bot.engine.problems import Problem
from bot.features.learn.in_play import refusal, subjects_in_play
from tests.engine.conftest import make_problem


def test_the_subjects_of_unrevealed_problems_are_in_play() -> None:
    """What a problem teaches is in play; what it merely mentions is not."""
    problems = [
        Problem.model_validate(
            make_problem("a", schedulers=["StepLR", "LinearLR"], subject=["StepLR"])
        ),
        Problem.model_validate(
            make_problem("b", schedulers=["SequentialLR", "LinearLR"], subject=["SequentialLR"])
        ),
    ]
    assert subjects_in_play(problems) == {"StepLR", "SequentialLR"}
    assert subjects_in_play([]) == set()


def test_the_refusal_says_where_and_when() -> None:
    """In a server it says this server; in DMs, a server the member may be playing in."""
    assert refusal("StepLR", in_dms=False) == (
        "A challenge on this server is asking about StepLR right now, so its card waits: "
        "ask again after the reveal."
    )
    assert "in a server you may be playing in" in refusal("StepLR", in_dms=True)
