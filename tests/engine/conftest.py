"""Shared fixtures for engine tests: a fake clock and a tiny pack."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.engine.problems import Pack


class FakeClock:
    """A clock the test moves by hand; `sleep` waits until the test has moved it far enough."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time on, waking every `sleep` that is then due."""
        self.now += seconds
        waiting = []
        for wake_at, sleeper in self._sleepers:
            if sleeper.done():
                continue  # its task was cancelled (a timer re-armed)
            if wake_at <= self.now:
                sleeper.set_result(None)
            else:
                waiting.append((wake_at, sleeper))
        self._sleepers = waiting

    async def sleep(self, seconds: float) -> None:
        """asyncio.sleep on this clock: returns once the test has advanced past `seconds`."""
        if seconds <= 0:
            await asyncio.sleep(0)  # still lets other tasks run, as asyncio.sleep(0) does
            return
        sleeper = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now + seconds, sleeper))
        await sleeper


def make_problem(problem_id: str, answer: str = "B", **changes: Any) -> dict[str, Any]:
    """A valid problem as raw data, so tests can also feed it to the schema."""
    options = {"A": "one", "B": "two", "C": "three", "D": "four"}
    problem: dict[str, Any] = {
        "id": problem_id,
        "kind": "conceptual",
        "level": "beginner",
        "schedulers": ["StepLR"],
        "subject": ["StepLR"],
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
    """The pack `tiny` of the given problems (p1 and p2 by default), badge `Tiny Master`."""
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
    """A fake clock at t=1,000,000 s."""
    return FakeClock()


@pytest.fixture
def pack() -> Pack:
    """The tiny two-problem pack."""
    return make_pack()
