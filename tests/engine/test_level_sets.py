"""Tests for bot.engine.level_sets: a newcomer's beginner set, then unseen problems of the
next level, chosen across packs."""

from __future__ import annotations

import random

import pytest

from bot.content import load_library
from bot.engine.level_sets import next_level_set
from bot.engine.problems import Level, Problem
from bot.settings import SHIPPED_CONTENT_DIR
from tests.engine.conftest import make_pack, make_problem

SCHEDULERS = ["StepLR", "ExponentialLR", "CosineAnnealingLR", "OneCycleLR", "CyclicLR"]


def problems(per_level: int = 8) -> list[Problem]:
    """`per_level` problems of each level, ids like `beginner-3`, schedulers cycling."""
    made = []
    for level in Level:
        for n in range(per_level):
            scheduler = SCHEDULERS[n % len(SCHEDULERS)]
            made.append(
                make_problem(
                    f"{level.value}-{n}",
                    level=level.value,
                    schedulers=[scheduler],
                    subject=[scheduler],
                )
            )
    return list(make_pack(*made).problems)


def ids(chosen: tuple[Problem, ...]) -> list[str]:
    return [p.id for p in chosen]


def test_a_newcomer_gets_beginner_then_intermediate_problems_easiest_first() -> None:
    """Five problems: three beginner, then two intermediate, no expert or advanced."""
    chosen = next_level_set(problems(), [], finished_beginner_set=False, rng=random.Random(1))
    assert chosen.level is Level.BEGINNER
    assert [p.level for p in chosen.problems] == [Level.BEGINNER] * 3 + [Level.INTERMEDIATE] * 2
    assert chosen.unseen == 5


def test_a_set_teaches_different_schedulers_when_it_can() -> None:
    """With five schedulers in the pool, the five problems teach five different ones."""
    for seed in range(10):
        chosen = next_level_set(
            problems(), [], finished_beginner_set=False, rng=random.Random(seed)
        )
        subjects = [p.subject[0] for p in chosen.problems]
        assert sorted(subjects) == sorted(SCHEDULERS)


def test_the_same_seed_deals_the_same_set_and_others_differ() -> None:
    """Reproducible from the seed; not always the same problems."""
    pool = problems()
    deal = [
        ids(next_level_set(pool, [], finished_beginner_set=False, rng=random.Random(s)).problems)
        for s in (3, 3, 4, 5, 6)
    ]
    assert deal[0] == deal[1]
    assert len({tuple(d) for d in deal}) > 2


def test_problems_seen_before_come_after_new_ones() -> None:
    """A player who met most beginner problems gets the rest first, then the oldest seen."""
    pool = problems(per_level=4)
    recent = [["beginner-0"], ["beginner-1", "beginner-2"]]  # beginner-3 never shown
    chosen = next_level_set(pool, recent, finished_beginner_set=False, rng=random.Random(0))
    beginners = [p.id for p in chosen.problems if p.level is Level.BEGINNER]
    # Unseen first, then seen longest ago (two games ago) before the latest one.
    assert beginners[0] == "beginner-3"
    assert set(beginners[1:]) == {"beginner-1", "beginner-2"}
    assert chosen.unseen == 3  # beginner-3 and the two intermediate problems


def test_after_the_beginner_set_come_intermediate_problems_not_seen() -> None:
    """The next set is intermediate, and skips the intermediate problems already shown."""
    pool = problems()
    recent = [["beginner-0", "intermediate-0", "intermediate-1"]]
    chosen = next_level_set(pool, recent, finished_beginner_set=True, rng=random.Random(2))
    assert chosen.level is Level.INTERMEDIATE
    assert {p.level for p in chosen.problems} == {Level.INTERMEDIATE}
    assert not {"intermediate-0", "intermediate-1"} & set(ids(chosen.problems))
    assert chosen.unseen == 5


def test_a_level_seen_in_full_gives_way_to_the_next() -> None:
    """Two intermediate problems left unseen: they come first, then unseen advanced ones."""
    pool = problems(per_level=4)
    recent = [["intermediate-0", "intermediate-1"]]
    chosen = next_level_set(pool, recent, finished_beginner_set=True, rng=random.Random(0))
    assert chosen.level is Level.INTERMEDIATE
    assert set(ids(chosen.problems)[:2]) == {"intermediate-2", "intermediate-3"}
    assert [p.level for p in chosen.problems[2:]] == [Level.ADVANCED] * 3
    seen_all_intermediate = [[f"intermediate-{n}" for n in range(4)]]
    climbed = next_level_set(
        pool, seen_all_intermediate, finished_beginner_set=True, rng=random.Random(0)
    )
    assert climbed.level is Level.ADVANCED


def test_a_player_who_saw_everything_meets_the_oldest_again() -> None:
    """Nothing unseen: an intermediate set of the problems seen longest ago."""
    pool = problems(per_level=2)
    everything = [p.id for p in pool]
    recent = [everything[:4], everything[4:]]  # the second half was seen longer ago
    chosen = next_level_set(pool, recent, finished_beginner_set=True, rng=random.Random(0), count=2)
    assert chosen.level is Level.INTERMEDIATE
    assert chosen.unseen == 0
    assert set(ids(chosen.problems)) <= set(everything[4:])


def test_too_few_beginner_problems_are_filled_from_the_next_levels() -> None:
    """A content directory with one beginner problem still deals a full set."""
    pool = [p for p in problems(per_level=3) if p.id != "beginner-1" and p.id != "beginner-2"]
    chosen = next_level_set(pool, [], finished_beginner_set=False, rng=random.Random(0))
    assert len(chosen.problems) == 5
    assert chosen.problems[0].id == "beginner-0"
    assert [p.level for p in chosen.problems[1:4]] == [Level.INTERMEDIATE] * 3


def test_the_shipped_packs_give_a_newcomer_a_beginner_set() -> None:
    """With the real content: 3 beginner then 2 intermediate problems, from several packs."""
    library = load_library(SHIPPED_CONTENT_DIR)
    pack_of = {problem.id: pack.id for pack, problem in library.problems()}
    chosen = next_level_set(
        (p for _, p in library.problems()), [], finished_beginner_set=False, rng=random.Random(0)
    )
    assert chosen.levels == {Level.BEGINNER: 3, Level.INTERMEDIATE: 2}
    assert len({pack_of[p.id] for p in chosen.problems}) > 1


@pytest.mark.parametrize("count", [0, -1])
def test_a_set_needs_a_problem(count: int) -> None:
    """A count below one is a programming error, not an empty game."""
    with pytest.raises(ValueError, match="at least 1"):
        next_level_set(
            problems(), [], finished_beginner_set=False, rng=random.Random(), count=count
        )
