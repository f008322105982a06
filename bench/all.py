"""`make bench`: run every benchmark in its own process and print one table of all figures.

    .venv/bin/python bench/all.py            # quick: what `make bench` runs
    .venv/bin/python bench/all.py --full     # `make bench-full`: bigger databases, more reps
    .venv/bin/python bench/all.py --only run_latency loop_lag

Each module runs as `python bench/<module>.py --json` (plus `--quick` or `--full` when
the module offers it), one after another so they do not compete for the CPU, and its
figures are read back with bench.report.load_json. A module that is missing, crashes or
prints no figures is named under the table; the others are still reported. The exit
status is 1 if a module failed to run, not when a target is missed: the table says that.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import Figure, load_json, print_table

ROOT = Path(__file__).resolve().parent.parent

MODULES = (
    "run_latency",
    "loop_lag",
    "answers",
    "leaderboard",
    "organiser",
    "daily",
    "live_burst",
    "restart",
)


@dataclass(frozen=True)
class Outcome:
    """What one module gave: its figures, or why it gave none."""

    module: str
    figures: list[Figure]
    seconds: float
    problem: str = ""  # empty when the module ran and printed figures


def flags_for(source: str, full: bool) -> list[str]:
    """--json, and --quick/--full if the module's command line offers them."""
    flags = ["--json"]
    wanted = "--full" if full else "--quick"
    if wanted in source:
        flags.append(wanted)
    return flags


def run_module(
    module: str, *, full: bool, timeout: float, directory: Path = ROOT / "bench"
) -> Outcome:
    """Run one benchmark module in a fresh interpreter and collect its figures."""
    path = directory / f"{module}.py"
    if not path.is_file():
        return Outcome(module, [], 0.0, f"not present (bench/{module}.py does not exist)")
    command = [sys.executable, str(path), *flags_for(path.read_text(), full)]
    # Modules import `bench.report` and `bot`, from the checkout whatever the cwd.
    python_path = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(python_path)}
    print(f"bench: {module} ({' '.join(command[2:])}) ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return Outcome(module, [], timeout, f"gave no answer within {timeout:.0f} s")
    seconds = time.perf_counter() - started
    try:
        figures = load_json(done.stdout)
    except (ValueError, TypeError) as exc:
        return Outcome(module, [], seconds, f"printed figures that could not be read: {exc}")
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        return Outcome(module, figures, seconds, f"exited with {done.returncode}: {tail}")
    if not figures:
        return Outcome(module, [], seconds, "printed no figures")
    return Outcome(module, figures, seconds)


def summary(outcomes: list[Outcome]) -> list[str]:
    """Lines under the table: targets met, and every module that did not report."""
    figures = [fig for outcome in outcomes for fig in outcome.figures]
    judged = [fig for fig in figures if fig.meets_target is not None]
    met = sum(1 for fig in judged if fig.meets_target)
    reporting = sum(1 for outcome in outcomes if outcome.figures)
    lines = [f"{met} of {len(judged)} targets met; {len(figures)} figures from {reporting} modules"]
    lines += [f"{o.module}: {o.problem}" for o in outcomes if o.problem]
    lines += [f"{o.module}: {o.seconds:.0f} s" for o in outcomes if not o.problem]
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the chosen modules, print the table and the summary; 1 if a module failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the long runs (make bench-full)")
    parser.add_argument("--only", nargs="+", metavar="MODULE", help="run just these modules")
    parser.add_argument("--timeout", type=float, help="seconds per module (default 900 / 3600)")
    args = parser.parse_args(argv)
    modules = args.only or list(MODULES)
    timeout = args.timeout or (3600.0 if args.full else 900.0)
    outcomes = [run_module(module, full=args.full, timeout=timeout) for module in modules]
    print_table(fig for outcome in outcomes for fig in outcome.figures)
    print()
    for line in summary(outcomes):
        print(line)
    missing_only = all(o.problem.startswith("not present") for o in outcomes if o.problem)
    return 0 if missing_only else 1


if __name__ == "__main__":
    sys.exit(main())
