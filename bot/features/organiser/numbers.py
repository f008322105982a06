"""The numbers of `!stats`, from a server's stored first tries and weekly activity.

Plain Python: storage gives the counts (`WeekActivity`, `OptionPicks`), the content gives
each problem's schedulers and kind, and this module turns them into what an organiser
reads: the last weeks, the most-missed problems, accuracy per scheduler and per kind.
Accuracy is always on first tries, the one answer every player of a problem gives.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from bot.content import ContentLibrary
from bot.engine.problems import Problem
from bot.features.stats.weeks import WEEK, week_start
from bot.storage import OptionPicks, WeekActivity

WEEKS_SHOWN = 8
MOST_MISSED = 5


def last_weeks(now: float, count: int = WEEKS_SHOWN) -> list[tuple[float, float]]:
    """The `count` ISO weeks up to the one holding `now`, oldest first, as [since, until)."""
    monday = week_start(now)
    return [(monday - k * WEEK, monday - k * WEEK + WEEK) for k in reversed(range(count))]


def fill_weeks(
    weeks: Sequence[tuple[float, float]], found: Iterable[WeekActivity]
) -> tuple[WeekActivity, ...]:
    """One entry per week asked for; weeks nobody answered in get zeros."""
    by_start = {activity.since: activity for activity in found}
    return tuple(by_start.get(since, WeekActivity(since, 0, 0)) for since, _ in weeks)


@dataclass(frozen=True)
class ProblemAccuracy:
    """A problem's first tries in a server: the picks per option and which were right."""

    problem_id: str
    picks: Mapping[str, int]  # option letter -> first tries that picked it
    right_options: frozenset[str]  # options judged right (one, unless the key was edited)

    @property
    def first_tries(self) -> int:
        """How many first tries there were (one per member per session that played it)."""
        return sum(self.picks.values())

    @property
    def right(self) -> int:
        """First tries that were right."""
        return sum(count for option, count in self.picks.items() if option in self.right_options)

    @property
    def misses(self) -> int:
        """First tries that were wrong."""
        return self.first_tries - self.right

    @property
    def accuracy(self) -> float:
        """Share of first tries that were right, 0.0 to 1.0."""
        return self.right / self.first_tries if self.first_tries else 0.0

    @property
    def most_picked_wrong(self) -> tuple[str, int] | None:
        """The wrong option picked most on first tries, and how often (ties: first letter)."""
        wrong = [
            (-count, option)
            for option, count in self.picks.items()
            if option not in self.right_options
        ]
        if not wrong:
            return None
        count, option = min(wrong)
        return option, -count


def problem_accuracies(picks: Iterable[OptionPicks]) -> list[ProblemAccuracy]:
    """One ProblemAccuracy per problem in `picks`, sorted by id."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    right: dict[str, set[str]] = defaultdict(set)
    for row in picks:
        counts[row.problem_id][row.option] += row.picks
        if row.correct:
            right[row.problem_id].add(row.option)
    return [
        ProblemAccuracy(
            problem_id, dict(sorted(counts[problem_id].items())), frozenset(right[problem_id])
        )
        for problem_id in sorted(counts)
    ]


def most_missed(
    problems: Iterable[ProblemAccuracy],
    count: int = MOST_MISSED,
    *,
    hidden: Collection[str] = (),
) -> list[ProblemAccuracy]:
    """The problems with the most wrong first tries (then the lowest accuracy, then by id).

    Problems never missed are not "missed"; `hidden` ones (in play right now) are left out.
    """
    missed = [p for p in problems if p.misses > 0 and p.problem_id not in hidden]
    missed.sort(key=lambda p: (-p.misses, p.accuracy, p.problem_id))
    return missed[:count]


@dataclass(frozen=True)
class GroupAccuracy:
    """First-try accuracy over a group of problems: one scheduler's, or one kind's."""

    name: str
    problems: int
    first_tries: int
    right: int

    @property
    def accuracy(self) -> float:
        """Share of the group's first tries that were right, 0.0 to 1.0."""
        return self.right / self.first_tries if self.first_tries else 0.0


def accuracy_by(
    problems: Iterable[ProblemAccuracy], groups_of: Callable[[str], Iterable[str]]
) -> list[GroupAccuracy]:
    """Accuracy per group, lowest first; a problem counts in every group `groups_of` gives it."""
    members: dict[str, list[ProblemAccuracy]] = defaultdict(list)
    for problem in problems:
        for group in groups_of(problem.problem_id):
            members[group].append(problem)
    groups = [
        GroupAccuracy(
            name,
            problems=len(grouped),
            first_tries=sum(p.first_tries for p in grouped),
            right=sum(p.right for p in grouped),
        )
        for name, grouped in members.items()
    ]
    return sorted(groups, key=lambda g: (g.accuracy, g.name))


def shipped_problems(library: ContentLibrary, wanted: Iterable[str]) -> dict[str, Problem]:
    """The problems among `wanted` that the packs hold (or generated ones still in memory)."""
    found = {}
    for problem_id in wanted:
        located = library.find_problem(problem_id)
        if located is not None:
            found[problem_id] = located[1]
    return found


def generated_problems(pack_texts: Iterable[str], wanted: Collection[str]) -> dict[str, Problem]:
    """The problems among `wanted` in generated (`fresh`) packs saved as JSON, latest winning.

    Parsing many packs takes a while on a busy server: call it in a thread.
    """
    found: dict[str, Problem] = {}
    for text in pack_texts:
        for raw in json.loads(text).get("problems", []):
            if raw.get("id") in wanted:
                try:
                    found[raw["id"]] = Problem.model_validate(raw)
                except ValidationError:
                    continue  # saved by an older version: the problem stays unknown
    return found


@dataclass(frozen=True)
class ServerStatistics:
    """What `!stats` shows: the last weeks, the most-missed problems, accuracy by group."""

    weeks: tuple[WeekActivity, ...]
    problems: tuple[ProblemAccuracy, ...]
    most_missed: tuple[ProblemAccuracy, ...]
    by_scheduler: tuple[GroupAccuracy, ...]
    by_kind: tuple[GroupAccuracy, ...]
    unknown: tuple[str, ...]  # played problems no pack holds any more (not in the groups)
    hidden: int  # missed problems in play now, left out of the most-missed list

    @property
    def first_tries(self) -> int:
        """Every first try the server made."""
        return sum(p.first_tries for p in self.problems)

    @property
    def is_empty(self) -> bool:
        """Whether the server has not answered anything yet."""
        return not self.problems


def server_statistics(
    weeks: Sequence[tuple[float, float]],
    activity: Iterable[WeekActivity],
    picks: Iterable[OptionPicks],
    problems: Mapping[str, Problem],
    *,
    in_play: Collection[str] = (),
) -> ServerStatistics:
    """Everything `!stats` shows, from storage's counts and the problems they are about."""
    accuracies = problem_accuracies(picks)
    # Only in-play problems that could be listed are worth a "not shown" note.
    hidden = {p.problem_id for p in accuracies if p.problem_id in in_play and p.misses}

    def schedulers(problem_id: str) -> Iterable[str]:
        problem = problems.get(problem_id)
        return problem.subject if problem is not None else ()

    def kind(problem_id: str) -> Iterable[str]:
        problem = problems.get(problem_id)
        return (problem.kind.label,) if problem is not None else ()

    return ServerStatistics(
        weeks=fill_weeks(weeks, activity),
        problems=tuple(accuracies),
        most_missed=tuple(most_missed(accuracies, hidden=hidden)),
        by_scheduler=tuple(accuracy_by(accuracies, schedulers)),
        by_kind=tuple(accuracy_by(accuracies, kind)),
        unknown=tuple(p.problem_id for p in accuracies if p.problem_id not in problems),
        hidden=len(hidden),
    )
