"""The leak rule: `!run` never shows the numbers of a problem that is still in play.

While a challenge runs in a server, its problems not yet revealed (the open one and
those still to come) are in play there, and `!run` refuses, in that server:

- the problem by id, with or without changes. A variant shows the answer's shape (where
  the rate drops, where the cosine turns), and nobody needs one before the reveal;
- any run that shows the problem's schedule (see `schedules`): its snippet pasted,
  reformatted or with renamed variables, its recipe typed by hand, at another lr or
  step count, or nested in a SequentialLR or ChainedScheduler.

A different schedule is the member's own experiment and runs: working the open problem's
numbers out from it is the thinking the problem asks for. In DMs the bot cannot tell
which servers a member plays in (it has no members intent), so a problem in play in any
server is refused there. Other servers are not affected. Pure functions; no Discord.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from bot.engine.problems import Problem
from bot.features.run.request import RunRequest
from bot.features.run.schedules import (
    Schedule,
    problem_schedules,
    recipe_schedule,
    same,
    shows,
)
from bot.runner import RunError


class AnswerHidden(RunError):
    """A run refused because it would show a problem's answer before its reveal."""


@dataclass(frozen=True)
class InPlay:
    """The problems not yet revealed where a run is asked: this server's, or (in DMs) all."""

    problems: tuple[Problem, ...] = ()
    in_dms: bool = False

    @functools.cached_property
    def ids(self) -> frozenset[str]:
        """The ids of the problems in play."""
        return frozenset(problem.id for problem in self.problems)

    @functools.cached_property
    def schedules(self) -> tuple[Schedule, ...]:
        """Every schedule that would give one of them away."""
        found = (schedule for problem in self.problems for schedule in problem_schedules(problem))
        return tuple(dict.fromkeys(found))

    def hides(self, problem: Problem) -> bool:
        """Whether `!run <problem.id>` is refused now, so no suggestion or example offers it."""
        if problem.id in self.ids:
            return True
        schedule = recipe_schedule(problem)
        return schedule is not None and any(same(schedule, hidden) for hidden in self.schedules)

    def hidden_ids(self, problems: Iterable[Problem]) -> frozenset[str]:
        """The ids among `problems` that `hides`."""
        if not self.problems:
            return frozenset()
        return frozenset(problem.id for problem in problems if self.hides(problem))

    def check_text(self, text: str, command: str) -> None:
        """Refuse `!run <id> ...` of a problem in play before anything else is read."""
        words = text.split(maxsplit=1)
        if words and words[0].lower() in self.ids:
            raise AnswerHidden(self._named(words[0].lower(), command))

    def check(self, request: RunRequest, command: str) -> None:
        """Refuse a run of a problem in play, by its id or by what it would show."""
        if request.problem is not None and request.problem.id in self.ids:
            raise AnswerHidden(self._named(request.problem.id, command))
        if shows(request.spec, self.schedules):
            raise AnswerHidden(
                f"That schedule is part of a problem still in play {self._where}, so "
                f"`{command}` won't show its numbers before the answer is revealed. "
                "Run it after the reveal, or try a schedule of your own meanwhile."
            )

    @property
    def _where(self) -> str:
        return "in a challenge right now" if self.in_dms else "in a challenge on this server"

    def _named(self, problem_id: str, command: str) -> str:
        return (
            f"`{problem_id}` is still in play {self._where}, so `{command}` won't show its "
            "numbers (or a variant's) before the answer is revealed. Run it after the reveal!"
        )
