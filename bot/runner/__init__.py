"""`!run`: parse user text into a RunSpec, compute it with real torch in a worker, show it.

This is the runner's public face: code outside `bot/runner/` imports only from here,
plus two modules that are public as modules: `bot.runner.plot` (charts as PNG bytes) and
`bot.runner.command` (`anneal run`). Everything else in the package is private.
Names load on first use (PEP 562), so the worker process, which imports
`bot.runner.worker` and therefore this package, never loads the parser or the pool.

    language/    text -> RunSpec and back (the parser; never imported by the worker)
    protocol.py  what both ends of the pipe share: job and answer JSON, limits, codes
    pool.py      warm workers behind a fair, bounded queue: fairness.py (who is next),
                 dispatch.py (handovers), crew.py (starts, restarts), process.py (one
                 worker's pipes), sandbox.py (its command line and limits)
    worker.py    the process that imports torch; compute.py runs a job within its CPU
                 budget (budget.py), lessons.py words torch's errors, lambdas.py
                 evaluates lambda bodies
    table.py     results as text; spec.py the data; errors.py what the runner raises
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.runner.errors import RunnerBusy as RunnerBusy
    from bot.runner.errors import RunnerClosed as RunnerClosed
    from bot.runner.errors import RunnerCrashed as RunnerCrashed
    from bot.runner.errors import RunnerStartError as RunnerStartError
    from bot.runner.errors import RunnerTimeout as RunnerTimeout
    from bot.runner.errors import RunnerWarmingUp as RunnerWarmingUp
    from bot.runner.fairness import Requester as Requester
    from bot.runner.language import COMPARE_EXAMPLE as COMPARE_EXAMPLE
    from bot.runner.language import MAX_INPUT_CHARS as MAX_INPUT_CHARS
    from bot.runner.language import SCHEDULER_EXAMPLES as SCHEDULER_EXAMPLES
    from bot.runner.language import compare_labels as compare_labels
    from bot.runner.language import compare_text as compare_text
    from bot.runner.language import parse_compare as parse_compare
    from bot.runner.language import parse_run as parse_run
    from bot.runner.language import render_command as render_command
    from bot.runner.language import render_expression as render_expression
    from bot.runner.language import render_snippet as render_snippet
    from bot.runner.language import split_options as split_options
    from bot.runner.language import with_overrides as with_overrides
    from bot.runner.pool import Chart as Chart
    from bot.runner.pool import Comparison as Comparison
    from bot.runner.pool import RunnerPool as RunnerPool
    from bot.runner.sandbox import Limits as Limits
    from bot.runner.sandbox import WorkerProgram as WorkerProgram
    from bot.runner.spec import MAX_STEPS as MAX_STEPS
    from bot.runner.spec import SCHEDULER_NAMES as SCHEDULER_NAMES
    from bot.runner.spec import Arg as Arg
    from bot.runner.spec import RunError as RunError
    from bot.runner.spec import RunResult as RunResult
    from bot.runner.spec import RunSpec as RunSpec
    from bot.runner.spec import SchedulerSpec as SchedulerSpec
    from bot.runner.table import comparison_csv as comparison_csv
    from bot.runner.table import comparison_is_elided as comparison_is_elided
    from bot.runner.table import describe_comparison as describe_comparison
    from bot.runner.table import describe_run as describe_run
    from bot.runner.table import format_comparison as format_comparison
    from bot.runner.table import format_number as format_number
    from bot.runner.table import format_table as format_table

# public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(
        (
            "COMPARE_EXAMPLE",
            "MAX_INPUT_CHARS",
            "SCHEDULER_EXAMPLES",
            "compare_labels",
            "compare_text",
            "parse_compare",
            "parse_run",
            "render_command",
            "render_expression",
            "render_snippet",
            "split_options",
            "with_overrides",
        ),
        "bot.runner.language",
    ),
    **dict.fromkeys(
        (
            "RunnerBusy",
            "RunnerClosed",
            "RunnerCrashed",
            "RunnerStartError",
            "RunnerTimeout",
            "RunnerWarmingUp",
        ),
        "bot.runner.errors",
    ),
    "Requester": "bot.runner.fairness",
    **dict.fromkeys(("Chart", "Comparison", "RunnerPool"), "bot.runner.pool"),
    **dict.fromkeys(("Limits", "WorkerProgram"), "bot.runner.sandbox"),
    **dict.fromkeys(
        (
            "MAX_STEPS",
            "SCHEDULER_NAMES",
            "Arg",
            "RunError",
            "RunResult",
            "RunSpec",
            "SchedulerSpec",
        ),
        "bot.runner.spec",
    ),
    **dict.fromkeys(
        (
            "comparison_csv",
            "comparison_is_elided",
            "describe_comparison",
            "describe_run",
            "format_comparison",
            "format_number",
            "format_table",
        ),
        "bot.runner.table",
    ),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'bot.runner' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
