"""Shared fixtures for engine tests: a fake clock and a tiny pack."""

from __future__ import annotations

from typing import Any

import pytest

from bot.engine.problems import Pack


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_problem(problem_id: str, answer: str = "B", **changes: Any) -> dict[str, Any]:
    """A valid problem as raw data, so tests can also feed it to the schema."""
    options = {"A": "one", "B": "two", "C": "three", "D": "four"}
    problem: dict[str, Any] = {
        "id": problem_id,
        "kind": "conceptual",
        "level": "beginner",
        "schedulers": ["StepLR"],
        "time_limit": 60,
        "attempts": 2,
        "title": f"Problem {problem_id}",
        "prompt": "Pick the right one.",
        "options": options,
        "answer": answer,
        "hint": "It is not one.",
        "explanation": "Because.",
        "why_not": {letter: "wrong" for letter in options if letter != answer},
    }
    problem.update(changes)
    return problem


def make_pack(*problems: dict[str, Any], rule: str = "all_correct", **badge: Any) -> Pack:
    return Pack.model_validate(
        {
            "id": "tiny",
            "title": "Tiny pack",
            "description": "For tests.",
            "badge": {"name": "Tiny Master", "emoji": "🏅", "rule": rule, **badge},
            "problems": list(problems) or [make_problem("p1"), make_problem("p2", answer="C")],
        }
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def pack() -> Pack:
    return make_pack()
