"""Tests for bot.content.generator.options: targets drawn evenly, options arranged to meet them."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from bot.content.generator.options import (
    OPTIONS,
    Candidate,
    Target,
    _likeness,
    arrange,
    draw_target,
)

# Wrong options of a decaying schedule whose answer is 0.05: three above, three below, and
# no value the arithmetic or geometric middle of two others.
KEY = 0.05
START = 0.1
CANDIDATES = [
    Candidate(0.023, "one call too many"),
    Candidate(0.071, "one call short"),
    Candidate(0.088, "two cuts too few"),
    Candidate(0.0137, "gamma twice"),
    Candidate(0.062, "a cut too few"),
    Candidate(0.031, "the share kept read as lost"),
    Candidate(START, "the optimizer's lr"),
]


def values(texts: tuple[str, ...]) -> list[float]:
    return [float(t) for t in texts]


def test_targets_put_the_key_at_every_rank_evenly() -> None:
    """Without a start value the key's rank is uniform; with one, the start is the key a
    quarter of the time and otherwise the key ranks uniformly among the other three."""
    rng = random.Random(7)
    draws = [draw_target(rng, {3: 1.0}) for _ in range(40_000)]
    ranks = Counter(t.key_rank for t in draws)
    assert all(abs(ranks[r] / len(draws) - 1 / OPTIONS) < 0.01 for r in range(OPTIONS))
    offered = [t for t in draws if t.start_rank is not None]
    assert abs(len(offered) / len(draws) - 0.5) < 0.01
    as_key = sum(t.start_is_key for t in offered) / len(offered)
    assert abs(as_key - 1 / OPTIONS) < 0.01
    others = Counter(t.key_rank for t in offered if not t.start_is_key)
    assert set(others) == {0, 1, 2}
    assert max(others.values()) - min(others.values()) < 0.03 * sum(others.values())


def test_a_template_without_a_start_rank_never_offers_it() -> None:
    """Empty start ranks: the start value is never drawn as an option."""
    rng = random.Random(1)
    assert all(draw_target(rng, {}).start_rank is None for _ in range(1000))


@pytest.mark.parametrize("rank", range(OPTIONS))
def test_the_key_lands_on_the_rank_asked_for(rank: int) -> None:
    """Each key rank is met, with no start value offered when none is asked for."""
    rng = random.Random(rank)
    done = arrange(rng, Target(rank), KEY, START, CANDIDATES, forbidden={START})
    assert done is not None
    numbers = values(done.texts)
    assert sorted(numbers).index(KEY) == rank
    assert START not in numbers
    assert set(done.whys) == set(range(OPTIONS)) - {done.key}


def test_the_start_value_is_offered_at_its_rank() -> None:
    """Start offered as a wrong option: it is an option, at its rank, with its why."""
    done = arrange(random.Random(3), Target(0, 3), KEY, START, CANDIDATES, {START})
    assert done is not None
    numbers = values(done.texts)
    assert sorted(numbers) == [KEY, *sorted(numbers)[1:3], START]
    assert done.whys[numbers.index(START)] == "the optimizer's lr"


def test_a_start_value_that_is_the_key_needs_the_key_to_be_it() -> None:
    """A target with the start as the key refuses a key that is not the start value."""
    assert arrange(random.Random(1), Target(3, 3, True), KEY, START, CANDIDATES, set()) is None
    done = arrange(random.Random(1), Target(3, 3, True), START, START, CANDIDATES, set())
    assert done is not None
    assert float(done.texts[done.key]) == START


def test_an_unreachable_rank_is_refused() -> None:
    """Only two values above the key and no start: the key cannot be the smallest."""
    few = [c for c in CANDIDATES if c.value != START]
    assert arrange(random.Random(1), Target(0), 0.065, START, few, set()) is None
    assert arrange(random.Random(1), Target(0), 0.058, START, few, set()) is not None


def test_numbers_the_code_shows_are_never_options() -> None:
    """A candidate equal to max_lr or eta_min (a literal of the code) is left out."""
    for seed in range(20):
        done = arrange(random.Random(seed), Target(1), KEY, START, CANDIDATES, {0.062, START})
        assert done is not None
        assert 0.062 not in values(done.texts)


def test_all_four_options_print_the_same_way() -> None:
    """Same decimals for all four, enough for two significant digits each, all distinct."""
    tiny = [Candidate(0.00012, "far below"), *CANDIDATES]
    done = arrange(random.Random(2), Target(1), KEY, START, tiny, set())
    assert done is not None
    decimals = {len(text.split(".")[1]) for text in done.texts}
    assert decimals == {done.decimals}
    assert len(set(done.texts)) == OPTIONS
    if "0.00012" in done.texts:
        assert done.decimals == 5


def test_the_key_takes_each_surface_place_it_is_asked_for() -> None:
    """With surface ranks asked for, the key is exactly as alike to the others as asked."""
    around = [Candidate(0.025, "half"), Candidate(0.04, "less"), Candidate(0.06, "more")]
    for likeness in range(OPTIONS):
        target = Target(2, 3, surface_ranks=(likeness, 0, 0, 0))
        done = arrange(random.Random(likeness), target, KEY, START, [*around, *CANDIDATES], set())
        if done is None:
            continue
        texts = list(done.texts)
        key = texts.pop(done.key)
        mine = _likeness([key, *texts])
        assert sum(m < mine[0] for m in mine[1:]) <= likeness
        assert sum(m <= mine[0] for m in mine[1:]) >= likeness


def test_unreadable_keys_are_refused() -> None:
    """A key too small to print with two significant digits in 6 decimals is refused."""
    assert arrange(random.Random(1), Target(3), 3e-7, START, CANDIDATES, set()) is None
