"""Words for hints and explanations: counts, plurals, lists."""

from __future__ import annotations

from collections.abc import Sequence


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}{_s(count)}"


def _after(calls: int) -> str:
    return "before the first call" if calls == 0 else f"after {_count(calls, 'call')}"


def _often(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _and(items: Sequence[int]) -> str:
    words = [str(i) for i in items]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _times(count: int) -> str:
    return {0: "no cut", 1: "once", 2: "twice"}.get(count, f"{count} times")


def _scales(gamma: float) -> str:
    if gamma == 0.5:
        return "halves the rate"
    if gamma == 0.1:
        return "cuts the rate to a tenth"
    return f"multiplies the rate by gamma={gamma}"


def _cycles(first: int, mult: int) -> str:
    return ", ".join(str(first * mult**i) for i in range(3)) + ", …"
