"""Tests for bot.features.organiser.numbers: weeks, accuracy, most missed, groups, lookups."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime

from bot.content import ContentLibrary
from bot.features.organiser.numbers import (
    ProblemAccuracy,
    accuracy_by,
    fill_weeks,
    generated_problems,
    last_weeks,
    most_missed,
    problem_accuracies,
    server_statistics,
    shipped_problems,
)
from bot.storage import OptionPicks, WeekActivity
from tests.engine.conftest import make_pack, make_problem

WEEK = 7 * 86_400.0
WEDNESDAY = datetime(2025, 3, 12, 18, tzinfo=UTC).timestamp()
MONDAY = datetime(2025, 3, 10, tzinfo=UTC).timestamp()


def accuracy(problem_id: str, right: str, **picks: int) -> ProblemAccuracy:
    """A problem's first tries: `picks` per letter, `right` the letters judged right."""
    return ProblemAccuracy(problem_id, picks, frozenset(right))


def test_last_weeks_end_with_the_current_iso_week() -> None:
    """Eight Monday-to-Monday weeks, oldest first, the last holding `now`."""
    weeks = last_weeks(WEDNESDAY)

    assert len(weeks) == 8
    assert weeks[-1] == (MONDAY, MONDAY + WEEK)
    assert weeks[0] == (MONDAY - 7 * WEEK, MONDAY - 6 * WEEK)
    assert all(later[0] == earlier[1] for earlier, later in itertools.pairwise(weeks))
    assert last_weeks(MONDAY)[-1][0] == MONDAY  # Monday 00:00 starts the new week


def test_weeks_without_answers_are_filled_with_zeros() -> None:
    """Only weeks with answers come from storage; the others are shown as zero."""
    weeks = last_weeks(WEDNESDAY, count=3)
    found = [WeekActivity(MONDAY - WEEK, 4, 9)]

    filled = fill_weeks(weeks, found)

    assert [(w.since, w.members, w.answered) for w in filled] == [
        (MONDAY - 2 * WEEK, 0, 0),
        (MONDAY - WEEK, 4, 9),
        (MONDAY, 0, 0),
    ]


def test_a_problem_accuracy_counts_first_tries() -> None:
    """Right, misses, share right and the wrong option picked most (ties: first letter)."""
    problem = accuracy("p1", "A", A=3, B=4, C=4, D=1)

    assert (problem.first_tries, problem.right, problem.misses) == (12, 3, 9)
    assert problem.accuracy == 0.25
    assert problem.most_picked_wrong == ("B", 4)
    assert accuracy("p2", "A", A=2).most_picked_wrong is None
    assert ProblemAccuracy("p3", {}, frozenset()).accuracy == 0.0


def test_stored_picks_become_one_accuracy_per_problem() -> None:
    """Rows per (problem, option, verdict) are summed; an option judged right is a key."""
    rows = [
        OptionPicks("p2", "C", False, 1),
        OptionPicks("p1", "A", True, 3),
        OptionPicks("p1", "B", False, 2),
        # The key was edited after some games: B was right in one session.
        OptionPicks("p1", "B", True, 1),
    ]

    [p1, p2] = problem_accuracies(rows)

    assert (p1.problem_id, dict(p1.picks)) == ("p1", {"A": 3, "B": 3})
    assert p1.right_options == frozenset({"A", "B"})
    assert (p2.problem_id, p2.right) == ("p2", 0)


def test_most_missed_ranks_by_wrong_first_tries_then_accuracy() -> None:
    """Most wrong first tries first; equal misses: the lower accuracy; never-missed left out."""
    problems = [
        accuracy("few", "A", A=0, B=2),
        accuracy("many", "A", A=10, B=5),
        accuracy("same-misses-better", "A", A=4, B=2),
        accuracy("perfect", "A", A=9),
    ]

    assert [p.problem_id for p in most_missed(problems)] == [
        "many",
        "few",
        "same-misses-better",
    ]
    assert [p.problem_id for p in most_missed(problems, 1)] == ["many"]
    assert most_missed(problems, hidden={"many"})[0].problem_id == "few"


def test_accuracy_by_group_counts_a_problem_in_each_of_its_groups() -> None:
    """A problem teaching two schedulers counts for both; groups come lowest accuracy first."""
    problems = [accuracy("both", "A", A=1, B=3), accuracy("one", "A", A=3, B=1)]
    groups = {"both": ["StepLR", "CosineAnnealingLR"], "one": ["StepLR"]}

    found = accuracy_by(problems, lambda pid: groups[pid])

    assert [(g.name, g.problems, g.first_tries, g.right) for g in found] == [
        ("CosineAnnealingLR", 1, 4, 1),
        ("StepLR", 2, 8, 4),
    ]
    assert found[1].accuracy == 0.5


def test_problems_are_found_in_the_packs_then_in_saved_generated_packs() -> None:
    """Shipped ids come from the library; generated ones from saved JSON; bad JSON is skipped."""
    library = ContentLibrary(packs={"tiny": make_pack()}, sources={})
    saved = json.dumps({"problems": [make_problem("fresh-1", answer="D"), {"id": "fresh-2"}]})

    assert set(shipped_problems(library, ["p1", "fresh-1"])) == {"p1"}
    found = generated_problems([saved], {"fresh-1", "fresh-2"})
    assert list(found) == ["fresh-1"]  # fresh-2 does not validate: it stays unknown
    assert found["fresh-1"].answer == "D"


def test_server_statistics_hide_missed_problems_in_play_and_name_unknown_ones() -> None:
    """A missed problem in play is left out of the list (and counted); unknown ids are named."""
    library = ContentLibrary(packs={"tiny": make_pack()}, sources={})
    rows = [
        OptionPicks("p1", "B", False, 5),
        OptionPicks("p2", "A", False, 1),
        OptionPicks("gone", "A", False, 2),
    ]
    problems = shipped_problems(library, ["p1", "p2", "gone"])

    stats = server_statistics(
        last_weeks(WEDNESDAY), [], rows, problems, in_play={"p1", "not-played"}
    )

    assert [p.problem_id for p in stats.most_missed] == ["gone", "p2"]
    assert stats.hidden == 1
    assert stats.unknown == ("gone",)
    assert [g.name for g in stats.by_scheduler] == ["StepLR"]
    assert stats.by_scheduler[0].first_tries == 6  # p1 and p2, not the unknown one
    assert stats.first_tries == 8
    assert not stats.is_empty
    assert server_statistics(last_weeks(WEDNESDAY), [], [], {}).is_empty
