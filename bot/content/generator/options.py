"""Choosing a numeric problem's four options so that their surface says nothing of the key.

Before a problem is sampled, a `Target` is drawn: where the key will rank among the four
values, whether the optimizer's start value (the lr in the code, or momentum 0.9) is one
of the options, where it ranks, and whether it is the key. The draw makes every
combination a guesser can see equally likely to hold the key:

- without the start value, the key is the smallest, second, third or largest value with
  chance 1/4 each;
- with it, the start value is the key with chance 1/4, and otherwise the key ranks
  uniformly among the three other values; where the start value itself ranks comes from
  the template (above a decaying schedule, below a cycle...), the same whether it is
  the key or not.

`arrange` then picks three real mistakes that put the key and the start value at those
ranks, no option equal to any other number the code shows, and prints all four with
the same number of decimals, so that length and digits carry no signal either.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

OPTIONS: Final = 4
START_SHARE: Final = 0.5  # problems that offer the start value, where the template can
DECIMALS: Final = (4, 5, 6)  # as few as show every option with two significant digits
SMALLEST: Final = 1e-5  # a nonzero option below this would need more decimals
PRIORITY: Final = 0.75  # weight of a template's k-th mistake: PRIORITY ** k
POOL: Final = 14  # mistakes considered, in the template's order (364 sets of three)


@dataclass(frozen=True)
class Target:
    """Where the key and the start value must rank among the four options (0 = smallest)."""

    key_rank: int
    start_rank: int | None = None  # None: the start value is not an option
    start_is_key: bool = False
    # Where the key ranks by how its text looks beside the others' (SURFACES: how alike
    # its digits are, how round it is). Wrong options made from the key share its digits,
    # and a schedule's own numbers are often rounder than a mistake's: left alone, the key
    # would stand out. Empty: any (the last resort, after targets that failed).
    surface_ranks: tuple[int, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """A wrong option: the number a mistake leads to (computed by torch) and why it is wrong."""

    value: float
    why: str


@dataclass(frozen=True)
class Arranged:
    """Four option texts in order of appearance, the key's place, and each wrong one's why."""

    texts: tuple[str, ...]
    key: int
    whys: dict[int, str]
    decimals: int


def draw_target(
    rng: random.Random, start_ranks: Mapping[int, float], share: float = START_SHARE
) -> Target:
    """Ranks for the next problem; `start_ranks` says where the template's start value falls
    and `share` how often it is offered."""
    surfaces = tuple(rng.randrange(OPTIONS) for _ in SURFACES)
    if start_ranks and rng.random() < share:
        ranks = sorted(start_ranks)
        start = rng.choices(ranks, weights=[start_ranks[r] for r in ranks])[0]
        if rng.random() < 1 / OPTIONS:
            return Target(start, start, start_is_key=True, surface_ranks=surfaces)
        others = [r for r in range(OPTIONS) if r != start]
        return Target(rng.choice(others), start, False, surfaces)
    return Target(rng.randrange(OPTIONS), surface_ranks=surfaces)


def same(a: float, b: float) -> bool:
    """Whether two rates are the same number (torch's float noise aside)."""
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def arrange(
    rng: random.Random,
    target: Target,
    key: float,
    start: float,
    candidates: Sequence[Candidate],
    forbidden: set[float],
) -> Arranged | None:
    """Three candidates that meet `target`, shuffled with the key; None if none can.

    `forbidden` holds the other numbers the code shows (max_lr, eta_min, ...): an option
    equal to one of them would be a cue of its own, so none is offered.
    """
    forbidden = {f for f in forbidden if not same(f, start)}
    if not _usable(key) or any(same(key, f) for f in forbidden):
        return None
    if same(key, start) != target.start_is_key:
        return None
    pool = _pool(key, start, candidates, forbidden)
    # The start value comes last among the candidates: keep it past the cut.
    pool = [*pool[: POOL - 1], *(c for c in pool[POOL - 1 :] if same(c.value, start))][:POOL]
    starts = [i for i, c in enumerate(pool) if same(c.value, start)]
    combos: list[tuple[int, ...]] = []
    weights: list[float] = []
    for combo in itertools.combinations(range(len(pool)), OPTIONS - 1):
        has_start = [i for i in combo if i in starts]
        wanted = 1 if target.start_rank is not None and not target.start_is_key else 0
        if len(has_start) != wanted:
            continue
        values = [key, *(pool[i].value for i in combo)]
        if _rank(key, values) != target.key_rank:
            continue
        if has_start and _rank(start, values) != target.start_rank:
            continue
        combos.append(combo)
        weights.append(math.prod(PRIORITY**i for i in combo))
    if not combos:
        return None
    # The sets that put the key at its surface ranks: likeness (the audit's own cue) or
    # another setup; the others as far as some set can.
    alike = list(range(len(combos)))
    for place, rank in enumerate(target.surface_ranks):
        matching = [i for i in alike if _surface_place(rng, place, key, pool, combos[i]) == rank]
        if not matching and place == 0:
            return None
        alike = matching or alike
    combos, weights = [combos[i] for i in alike], [weights[i] for i in alike]
    chosen = [pool[i] for i in rng.choices(combos, weights=weights)[0]]
    decimals = _decimals([key, *(c.value for c in chosen)])
    if decimals is None:
        return None
    entries: list[tuple[float, str | None]] = [(key, None), *((c.value, c.why) for c in chosen)]
    rng.shuffle(entries)
    texts = tuple(f"{v:.{decimals}f}" for v, _ in entries)
    place = next(i for i, (_, why) in enumerate(entries) if why is None)
    whys = {i: why for i, (_, why) in enumerate(entries) if why is not None}
    return Arranged(texts, place, whys, decimals)


def _usable(value: float) -> bool:
    return math.isfinite(value) and (value == 0 or SMALLEST <= value < 10)


def _pool(
    key: float, start: float, candidates: Sequence[Candidate], forbidden: set[float]
) -> list[Candidate]:
    """The candidates that can be options: usable, distinct from the key and each other."""
    pool: list[Candidate] = []
    for candidate in candidates:
        v = candidate.value
        if not _usable(v) or same(v, key) or any(same(v, c.value) for c in pool):
            continue
        if any(same(v, f) for f in forbidden):
            continue
        pool.append(candidate)
    return pool


def _rank(value: float, values: Sequence[float]) -> int:
    return sum(1 for v in values if v < value and not same(v, value))


def _surface_place(
    rng: random.Random, place: int, key: float, pool: Sequence[Candidate], combo: Sequence[int]
) -> int:
    """Where the key's text ranks by the `place`-th surface measure beside the combo's."""
    others = [pool[j].value for j in combo]
    decimals = _decimals([key, *others]) or DECIMALS[-1]
    texts = [f"{v:.{decimals}f}" for v in (key, *others)]
    return _place(rng, SURFACES[place](texts))


def _likeness(texts: list[str]) -> list[float]:
    """Each text's mean difflib ratio to the others (the audit's "most alike")."""
    return [sum(_ratio(t, u) for j, u in enumerate(texts) if j != i) for i, t in enumerate(texts)]


def _roundness(texts: list[str]) -> list[float]:
    """How few significant digits each text has once its trailing zeros go (0.0500: 1)."""
    return [-float(len(t.replace(".", "").strip("0"))) for t in texts]


def _closeness(texts: list[str]) -> list[float]:
    """How near each value is to its nearest neighbour, relatively (0 = another is equal)."""
    values = [float(t) for t in texts]
    return [
        -min(abs(v - w) / max(abs(v), abs(w), 1e-12) for j, w in enumerate(values) if j != i)
        for i, v in enumerate(values)
    ]


def _middles(texts: list[str]) -> list[float]:
    """1 for a value that is the arithmetic or geometric middle of two others, else 0: a
    key between two of its mistakes (one call each side, say) would stand out."""
    values = [float(t) for t in texts]
    return [
        float(
            any(
                math.isclose(v, (a + b) / 2, rel_tol=1e-3)
                or math.isclose(v * v, a * b, rel_tol=1e-3)
                for a, b in itertools.combinations(values[:i] + values[i + 1 :], 2)
            )
        )
        for i, v in enumerate(values)
    ]


SURFACES: Final = (_likeness, _middles, _roundness, _closeness)


def _place(rng: random.Random, scores: list[float]) -> int:
    """The key's (scores[0]) place among the others, 0 = lowest; a tie takes a random place
    among its ties, as a guesser that cannot tell them apart would."""
    below = sum(1 for m in scores[1:] if m < scores[0] and not math.isclose(m, scores[0]))
    tied = sum(1 for m in scores[1:] if math.isclose(m, scores[0]))
    return below + rng.randint(0, tied)


@functools.lru_cache(maxsize=65536)
def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def _decimals(values: Sequence[float]) -> int | None:
    """The fewest decimals that print every value with two significant digits, all distinct."""
    for decimals in DECIMALS:
        texts = [f"{v:.{decimals}f}" for v in values]
        digits = [t.replace(".", "").lstrip("0") for t in texts]
        if len(set(texts)) == len(texts) and all(
            len(d) >= 2 or v == 0 for d, v in zip(digits, values, strict=True)
        ):
            return decimals
    return None
