"""Tests for bot.engine.selection: how many problems a challenge plays, and which ones."""

from __future__ import annotations

import random

import pytest

from bot.engine.problems import Level, Pack
from bot.engine.selection import DEFAULT_COUNT, BadCount, choose_problems, parse_count
from tests.engine.conftest import make_pack, make_problem

LEVELS = [Level.EXPERT, Level.BEGINNER, Level.ADVANCED, Level.INTERMEDIATE]


def mixed_pack(size: int = 12) -> Pack:
    """`size` problems q0, q1, ... whose levels cycle expert, beginner, advanced, intermediate."""
    return make_pack(
        *(make_problem(f"q{n}", level=LEVELS[n % len(LEVELS)].value) for n in range(size))
    )


@pytest.mark.parametrize(
    ("written", "count"),
    [
        (None, DEFAULT_COUNT),
        ("", DEFAULT_COUNT),
        ("3", 3),
        (" 12 ", 12),
        ("all", None),
        ("ALL", None),
    ],
)
def test_counts_people_write(written: str | None, count: int | None) -> None:
    """Nothing means the default, a number is a number, `all` is the whole pack."""
    assert parse_count(written) == count


@pytest.mark.parametrize(
    ("written", "says"),
    [("0", "at least 1"), ("-2", "at least 1"), ("five", "not a number"), ("2.5", "not a number")],
)
def test_bad_counts_are_explained(written: str, says: str) -> None:
    """Zero, negatives and words get a friendly message that names what to type."""
    with pytest.raises(BadCount, match=says):
        parse_count(written)


def test_easiest_level_first_shuffled_within_a_level() -> None:
    """Levels climb from beginner to expert; the order inside a level depends on the seed."""
    pack = mixed_pack()
    orders = set()
    for seed in range(20):
        chosen = choose_problems(pack.problems, None, random.Random(seed))
        levels = [p.level for p in chosen]
        assert levels == sorted(levels, key=list(Level).index)
        orders.add(tuple(p.id for p in chosen))
    assert len(orders) > 1


def test_count_problems_are_played_and_the_same_seed_gives_the_same_set() -> None:
    """`count` problems, no repeats, reproducible from the seed."""
    pack = mixed_pack()
    first = choose_problems(pack.problems, 5, random.Random(7))
    again = choose_problems(pack.problems, 5, random.Random(7))
    assert len({p.id for p in first}) == 5
    assert [p.id for p in first] == [p.id for p in again]


def test_a_count_beyond_the_pack_plays_all_of_it() -> None:
    """Asking for more problems than the pack has plays every problem once."""
    pack = mixed_pack(4)
    assert len(choose_problems(pack.problems, 10, random.Random(1))) == 4


def test_problems_seen_recently_wait_their_turn() -> None:
    """A channel meets the whole pack before a repeat; then the longest-unseen come first."""
    pack = mixed_pack(12)
    rng = random.Random(3)
    recent: list[list[str]] = []
    seen: set[str] = set()
    for _ in range(3):  # 3 challenges of 4 cover the 12 problems exactly once
        chosen = [p.id for p in choose_problems(pack.problems, 4, rng, recent)]
        assert not seen & set(chosen)
        seen |= set(chosen)
        recent.insert(0, chosen)
    assert len(seen) == 12
    fourth = {p.id for p in choose_problems(pack.problems, 4, rng, recent)}
    assert fourth == set(recent[-1])  # the set seen three challenges ago
