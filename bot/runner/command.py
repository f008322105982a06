"""`anneal run '<expr>'` and `anneal run compare A ';' B`: schedules from the command line.

A public module of bot.runner: `anneal` (bot/cli.py) hands it everything after `run`. The
text is read by the same language as `!run` (every refusal before any torch starts), and
computed by the bot's own runner in one warm worker.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.runner.language import (
    compare_labels,
    compare_text,
    parse_compare,
    parse_run,
    with_overrides,
)
from bot.runner.pool import Chart, Comparison, RunnerPool, RunnerStartError
from bot.runner.protocol import dumps, encode_result
from bot.runner.spec import MAX_STEPS, RunError, RunResult, RunSpec
from bot.runner.table import (
    describe_comparison,
    describe_run,
    format_comparison,
    format_table,
)

EXIT_REFUSED = 2  # the input was refused (RunError, a bad --plot): message on stderr
EXIT_TORCH_ERROR = 1  # torch raised part-way; the steps before it are still printed
EXIT_NO_RUNNER = 3  # no torch worker could start: a broken installation
TERMINAL_LIMIT = 6_000  # characters of a table: rows past 25 are elided, as in Discord

SYNTAX = f"""\
the expression:
  a scheduler of torch.optim.lr_scheduler (or SWALR) called with its arguments, as in
  Python but without the optimizer, then run options as NAME=VALUE:
    lr=0.1             the optimizer's rate; lr=[0.1, 0.01] for one group per rate
    steps=N            how many times scheduler.step() runs (1-{MAX_STEPS:,}, default 10)
    optimizer=Adam     SGD (default), Adam, AdamW or RMSprop
    metrics=[...]      ReduceLROnPlateau only: the value given to each step(), inside
                       the call or after it
  --lr, --steps and --metrics set the same options and win over the expression.
  Values torch refuses (step_size=0, a negative lr, ...) are refused before running.

compare (2 to 4 schedules on one chart, a column each):
  separate the schedules with ';' (quoted, or the shell ends the command there);
  a part of options only (';' 'steps=50') applies to every schedule.

examples:
  anneal run 'StepLR(step_size=2, gamma=0.5)' --lr 0.1 --steps 6
  anneal run 'CosineAnnealingLR(T_max=50)' steps=50 --plot cosine.png
  anneal run 'ReduceLROnPlateau(patience=1)' --metrics 1.0 0.9 0.9 0.9 0.9
  anneal run 'OneCycleLR(max_lr=0.1, total_steps=100)' --steps 100 --json
  anneal run compare 'StepLR(step_size=10)' ';' 'CosineAnnealingLR(T_max=50)' --steps 50 \\
      --plot compare.png
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="anneal run",
        usage="anneal run [compare] EXPR [NAME=VALUE ...] [';' EXPR ...] [options]",
        description="Step a PyTorch learning-rate scheduler with real torch and print the "
        "rate after every step; or compare 2 to 4 schedules.",
        epilog=SYNTAX,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "expr",
        nargs="+",
        metavar="EXPR",
        help="e.g. 'StepLR(step_size=3, gamma=0.5)', then any NAME=VALUE run options",
    )
    parser.add_argument(
        "--lr", type=float, nargs="+", metavar="LR", help="initial rate(s), one per group"
    )
    parser.add_argument("--steps", type=int, metavar="N", help=f"steps to run (1-{MAX_STEPS:,})")
    parser.add_argument(
        "--metrics",
        type=float,
        nargs="+",
        metavar="V",
        help="ReduceLROnPlateau: the metric passed to each step()",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.add_argument("--plot", type=Path, metavar="FILE.png", help="also write a PNG chart")
    return parser


@dataclass(frozen=True)
class Plan:
    """What `anneal run ...` will compute: one run, or the labelled runs of a comparison."""

    spec: RunSpec | None = None
    runs: tuple[tuple[str, RunSpec], ...] = ()
    json: bool = False
    plot: Path | None = None


def plan(argv: Sequence[str]) -> Plan:
    """Read the arguments after `anneal run`; a RunError says what is wrong, before torch."""
    args = _parser().parse_args(argv)
    check_plot_path(args.plot)
    flags = _flags(args)
    text = " ".join(args.expr)
    if compare_text(text) is not None:
        first, *rest = args.expr
        if first.strip().lower() != "compare":  # 'compare A ; B' as one argument
            rest = [compare_text(first) or "", *rest]
        runs = _compared(_schedules_text(rest), flags)
        return Plan(runs=tuple(runs), json=args.json, plot=args.plot)
    if "metrics" in flags and "metrics" not in text:
        text += f" metrics={flags['metrics']}"  # so the expression reads as a whole
    return Plan(spec=_with_flags(parse_run(text), flags), json=args.json, plot=args.plot)


def main(argv: Sequence[str]) -> int:
    """Run the arguments after `anneal run`; returns the process exit code."""
    try:
        chosen = plan(argv)
        if chosen.spec is None:
            comparison = asyncio.run(_comparison(list(chosen.runs)))
            _write_plot(chosen.plot, comparison.png)
            return _print_comparison(chosen, comparison.results)
        result, png = asyncio.run(_chart(chosen.spec, plot=chosen.plot is not None))
        _write_plot(chosen.plot, png)
    except RunError as exc:
        return _fail(str(exc), EXIT_REFUSED)
    except RunnerStartError as exc:
        return _fail(f"could not start a torch worker: {exc}", EXIT_NO_RUNNER)
    if chosen.json:
        print(dumps(encode_result(result)))
    else:
        print(format_table(result, title=describe_run(chosen.spec, result), fence=False))
    return EXIT_TORCH_ERROR if result.error else 0


def _compared(schedules: str, flags: dict[str, str]) -> list[tuple[str, RunSpec]]:
    defaults = [("metrics", flags["metrics"])] if "metrics" in flags else []
    parsed = [spec for _, spec in parse_compare(schedules, defaults)]
    if "metrics" in flags and not any(s.scheduler.name == "ReduceLROnPlateau" for s in parsed):
        raise RunError("--metrics are only used by ReduceLROnPlateau, and none of these is one.")
    specs = [_with_flags(spec, flags, number) for number, spec in enumerate(parsed, start=1)]
    return list(zip(compare_labels(specs), specs, strict=True))


def _print_comparison(chosen: Plan, results: Sequence[RunResult]) -> int:
    labels = [label for label, _ in chosen.runs]
    if chosen.json:
        schedules = [
            {"label": label, **encode_result(result)}
            for label, result in zip(labels, results, strict=True)
        ]
        print(dumps({"schedules": schedules}))
    else:
        print(describe_comparison([spec for _, spec in chosen.runs]))
        print(format_comparison(labels, results, limit=TERMINAL_LIMIT, fence=False))
    return EXIT_TORCH_ERROR if any(result.error for result in results) else 0


def _schedules_text(parts: Sequence[str]) -> str:
    """The schedules given as separate arguments: `A ';' B`, `'A ; B'`, or `A B` (one each).

    Without any `;`, each argument is a schedule, and NAME=VALUE arguments stay with the
    options around them (`A steps=5 B` gives every schedule five steps).
    """
    if any(";" in part for part in parts):
        return " ".join(parts)
    grouped: list[str] = []
    for part in parts:
        is_option = "=" in part and "(" not in part
        if is_option and grouped and "(" not in grouped[-1]:
            grouped[-1] += f" {part}"
        else:
            grouped.append(part)
    return " ; ".join(grouped)


def _flags(args: argparse.Namespace) -> dict[str, str]:
    """--lr, --steps and --metrics as the run options they stand for."""
    flags: dict[str, str] = {}
    if args.steps is not None:
        if not 1 <= args.steps <= MAX_STEPS:
            raise RunError(f"--steps must be between 1 and {MAX_STEPS:,}, not {args.steps:,}.")
        flags["steps"] = str(args.steps)
    if args.lr is not None:
        flags["lr"] = repr(args.lr[0]) if len(args.lr) == 1 else repr(args.lr)
    if args.metrics is not None:
        flags["metrics"] = repr(args.metrics)
    return flags


def _with_flags(spec: RunSpec, flags: dict[str, str], number: int | None = None) -> RunSpec:
    """`spec` with the flags applied, checked again like the expression itself."""
    wanted = dict(flags)
    if spec.scheduler.name != "ReduceLROnPlateau":
        if "metrics" in wanted and number is None:
            raise RunError(
                f"--metrics are only used by ReduceLROnPlateau; {spec.scheduler.name} "
                "doesn't take any."
            )
        wanted.pop("metrics", None)  # in a comparison, they are for the plateau schedules
    if not wanted:
        return spec
    try:
        return with_overrides(spec, wanted, allowed=("lr", "steps", "metrics"))
    except RunError as exc:
        where = f"schedule {number}: " if number is not None else ""
        raise RunError(f"{where}{exc}") from None


def check_plot_path(path: Path | None) -> None:
    """Refuse a --plot path that can't take a PNG, before any torch starts."""
    if path is None:
        return
    if path.suffix.lower() != ".png":
        raise RunError(f"--plot writes a PNG image: give a file name ending in .png, not '{path}'.")
    if path.is_dir():
        raise RunError(f"--plot: '{path}' is a folder; give a file name ending in .png.")
    folder = path.parent
    if not folder.is_dir():
        raise RunError(f"--plot: the folder '{folder}' does not exist; create it or pick another.")


def _write_plot(path: Path | None, png: bytes | None) -> None:
    if path is None or png is None:
        return
    try:
        path.write_bytes(png)
    except OSError as exc:
        raise RunError(f"--plot: could not write '{path}': {exc.strerror or exc}.") from None


def _fail(message: str, code: int) -> int:
    print(f"anneal run: {' '.join(message.split())}", file=sys.stderr)
    return code


async def _chart(spec: RunSpec, plot: bool) -> tuple[RunResult, bytes | None]:
    async with RunnerPool(size=1, plot=plot, max_waiting=0) as pool:
        if plot:
            chart: Chart = await pool.chart(spec)
            return chart.result, chart.png
        return await pool.run(spec), None


async def _comparison(runs: list[tuple[str, RunSpec]]) -> Comparison:
    async with RunnerPool(size=1, plot=True, max_waiting=0) as pool:
        return await pool.compare(runs)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
