"""`anneal run '<expr>'`: compute a schedule from the command line, with the bot's own runner.

A public module of bot.runner: `anneal` (bot/cli.py) calls main().
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import sys
from collections.abc import Callable
from pathlib import Path

from bot.runner.pool import Chart, RunnerPool, RunnerStartError
from bot.runner.protocol import dumps, encode_result
from bot.runner.spec import MAX_STEPS, RunError, RunResult, RunSpec
from bot.runner.table import describe_run, format_table

EXIT_REFUSED = 2  # the input was refused (RunError): message on stderr
EXIT_TORCH_ERROR = 1  # torch raised part-way; the steps before it are still printed
EXIT_NO_RUNNER = 3  # no torch worker could start: a broken installation


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="anneal run",
        description="Step a PyTorch learning-rate scheduler and print the rates.",
    )
    parser.add_argument("expr", help="e.g. 'StepLR(step_size=3, gamma=0.5)'")
    parser.add_argument(
        "--lr", type=float, nargs="+", metavar="LR", help="initial rate(s), one per group"
    )
    parser.add_argument("--steps", type=int, metavar="N", help=f"steps to run (1-{MAX_STEPS:,})")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.add_argument("--plot", type=Path, metavar="FILE", help="also write a PNG chart")
    return parser


def main(argv: list[str]) -> int:
    """Run the arguments after `anneal run`; returns the process exit code."""
    args = _parser().parse_args(argv)
    try:
        spec = _override(_parse(args.expr), args.lr, args.steps)
        result, png = asyncio.run(_compute(spec, plot=args.plot is not None))
    except RunError as exc:
        return _fail(str(exc), EXIT_REFUSED)
    except RunnerStartError as exc:
        return _fail(f"could not start a torch worker: {exc}", EXIT_NO_RUNNER)
    if png is not None and args.plot is not None:
        args.plot.write_bytes(png)
    if args.json:
        print(dumps(encode_result(result)))
    else:
        print(format_table(result, title=describe_run(spec, result), fence=False))
    return EXIT_TORCH_ERROR if result.error else 0


def _fail(message: str, code: int) -> int:
    print(f"anneal run: {' '.join(message.split())}", file=sys.stderr)
    return code


def _parse(text: str) -> RunSpec:
    # The parser lives in its own module and is imported only when a command needs it.
    try:
        language = importlib.import_module("bot.runner.language")
    except ModuleNotFoundError as exc:
        if exc.name != "bot.runner.language":
            raise
        raise RunError("This version of Anneal has no expression parser.") from exc
    parse_run: Callable[[str], RunSpec] = language.parse_run
    return parse_run(text)


def _override(spec: RunSpec, lr: list[float] | None, steps: int | None) -> RunSpec:
    """Apply --lr and --steps on top of what the expression said."""
    if steps is not None:
        if not 1 <= steps <= MAX_STEPS:
            raise RunError(f"--steps must be between 1 and {MAX_STEPS:,}, not {steps:,}.")
        spec = dataclasses.replace(spec, steps=steps)
    if lr is not None:
        spec = dataclasses.replace(spec, lr=tuple(lr))
    return spec


async def _compute(spec: RunSpec, plot: bool) -> tuple[RunResult, bytes | None]:
    async with RunnerPool(size=1, plot=plot, max_waiting=0) as pool:
        if plot:
            chart: Chart = await pool.chart(spec)
            return chart.result, chart.png
        return await pool.run(spec), None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
