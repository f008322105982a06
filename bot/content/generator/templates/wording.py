"""Words the templates share in hints and explanations: counts, plurals, lists."""

from __future__ import annotations

from collections.abc import Sequence


def plural(count: int) -> str:
    """The plural ending: "s" unless there is exactly one."""
    return "" if count == 1 else "s"


def counted(count: int, noun: str) -> str:
    """A count with its noun: "1 call", "3 calls", "2 batches"."""
    if count == 1:
        return f"1 {noun}"
    return f"{count} {noun}{'es' if noun.endswith(('tch', 'sh', 's', 'x')) else 's'}"


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st."""
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def after_calls(calls: int) -> str:
    """When, in calls: "before the first call", "after 1 call", "after 3 calls"."""
    return "before the first call" if calls == 0 else f"after {counted(calls, 'call')}"


def how_often(count: int) -> str:
    """How often: "once", "3 times"."""
    return "once" if count == 1 else f"{count} times"


def listed(items: Sequence[int]) -> str:
    """Numbers in a sentence: "4", "2 and 4", "2, 4 and 6"."""
    words = [str(i) for i in items]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def cut_count(count: int) -> str:
    """How often a rate was cut: "no cut", "once", "twice", "3 times"."""
    return {0: "no cut", 1: "once", 2: "twice"}.get(count, f"{count} times")


def scales_by(gamma: float) -> str:
    """What multiplying by gamma does to the rate, in words where there are plain ones."""
    if gamma == 0.5:
        return "halves the rate"
    if gamma == 0.1:
        return "cuts the rate to a tenth"
    return f"multiplies the rate by gamma={gamma}"


def cycle_lengths(first: int, mult: int) -> str:
    """The first three cycle lengths of warm restarts: "2, 4, 8, …"."""
    return ", ".join(str(first * mult**i) for i in range(3)) + ", …"
