"""One report format for every benchmark: each figure beside its target and its baseline.

A benchmark module builds `Figure`s and prints them with `print_table`; `make bench` runs
them all (bench/all.py) and prints one table. A figure's baseline is measured in the same
run (a raw sqlite3 loop, a fresh process, an idle loop), never typed in.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

Better = Literal["lower", "higher"]


@dataclass(frozen=True)
class Figure:
    """One measured number with its unit, its target and (when there is one) a baseline."""

    bench: str  # the module that measured it, e.g. "answers"
    name: str  # what was measured, e.g. "record answer p99, 50 writers"
    value: float
    unit: str  # "ms", "answers/s", "count", ...
    target: float | None = None
    better: Better = "lower"  # whether the target is a ceiling (lower) or a floor (higher)
    baseline: float | None = None
    baseline_name: str = ""  # what the baseline is, e.g. "raw sqlite3 executemany"

    @property
    def meets_target(self) -> bool | None:
        """True/False against the target; None when the figure has no target."""
        if self.target is None:
            return None
        return self.value <= self.target if self.better == "lower" else self.value >= self.target


def percentile(samples: Sequence[float], pct: float) -> float:
    """The pct-th percentile (0-100) of samples, inclusive method; the value itself for one."""
    if not samples:
        raise ValueError("no samples")
    if len(samples) == 1:
        return samples[0]
    if pct == 50:
        return statistics.median(samples)
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[min(98, max(0, round(pct) - 1))]


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if value != 0 and abs(value) < 10:
        return f"{value:.2f}"
    return f"{value:,.0f}"


def print_table(figures: Iterable[Figure]) -> None:
    """Print figures as one aligned table, a verdict per target."""
    rows = list(figures)
    header = ("bench", "figure", "value", "unit", "target", "ok", "baseline")
    lines = []
    for fig in rows:
        verdict = {True: "yes", False: "NO", None: ""}[fig.meets_target]
        sign = "<=" if fig.better == "lower" else ">="
        target = f"{sign} {_number(fig.target)}" if fig.target is not None else "-"
        baseline = (
            f"{_number(fig.baseline)} ({fig.baseline_name})" if fig.baseline is not None else "-"
        )
        lines.append((fig.bench, fig.name, _number(fig.value), fig.unit, target, verdict, baseline))
    widths = [max(len(str(r[i])) for r in [header, *lines]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *lines]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


def dump_json(figures: Iterable[Figure]) -> str:
    """The figures as JSON lines, so bench/all.py can collect them from subprocesses."""
    return "\n".join(json.dumps(asdict(fig)) for fig in figures)


def load_json(text: str) -> list[Figure]:
    """Figures from `dump_json` output (lines that are not JSON objects are ignored)."""
    figures = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            figures.append(Figure(**json.loads(line)))
    return figures


def run_cli(doc: str, measure: Callable[[bool], Coroutine[object, object, list[Figure]]]) -> None:
    """The command line a benchmark shares: `--quick`/`--full` rounds, `--json` for all.py."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (make bench)")
    parser.add_argument("--full", action="store_true", help="more rounds (the default)")
    parser.add_argument("--json", action="store_true", help="JSON lines for bench/all.py")
    args = parser.parse_args()
    figures = asyncio.run(measure(args.quick and not args.full))
    if args.json:
        print(dump_json(figures))
    else:
        print_table(figures)
