"""RunResults as compact text tables that fit in one Discord message: one run, or several."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator, Sequence

from bot.runner.language import render_expression
from bot.runner.numbers import format_number as format_number
from bot.runner.numbers import start_note
from bot.runner.spec import RunResult, RunSpec

DISCORD_LIMIT = 1900  # Discord allows 2,000 characters; leave room for a short preface
MAX_ROWS = 25  # a run this short is shown whole
EDGE_ROWS = 8  # otherwise this many rows at each end, the middle elided
MAX_NOTE = 300  # one warning or error, at most
MAX_TITLE = 200


def describe_run(spec: RunSpec, result: RunResult | None = None) -> str:
    """One line naming the whole run: scheduler, optimizer, initial rates, steps.

    With the result, it also says where the rate really starts when the scheduler moved it
    (torch's own param_groups after the scheduler was built, not a rule of ours).
    """
    rates = ", ".join(format_number(lr) for lr in spec.lr)
    steps = f"{spec.steps:,} step" + ("" if spec.steps == 1 else "s")
    start = start_note(spec.lr, result.initial) if result is not None else ""
    return f"{render_expression(spec.scheduler)} · {spec.optimizer}(lr={rates}) · {steps}{start}"


def format_table(
    result: RunResult, *, title: str | None = None, limit: int = DISCORD_LIMIT, fence: bool = True
) -> str:
    """Step-by-step rates, elided in the middle when long, with a summary and any notes.

    The whole text, code fence included, is at most `limit` characters.
    """
    opening, closing = ("```text\n", "\n```") if fence else ("", "")
    budget = limit - len(opening) - len(closing)
    head = [_clip(_unfence(title), MAX_TITLE)] if title else []
    footer = _fit_lines(_summary(result) + _notes(result), budget // 2)
    room = budget - _length(head) - _length(footer)
    columns = _columns(result)
    for shown in _candidate_steps(len(result.groups[0]) if result.groups else 0):
        body = _body(result, columns, shown)
        if _length(body) <= room:
            break
    text = "\n".join([*head, *body, *footer])
    return opening + text[:budget] + closing


def _candidate_steps(count: int) -> Iterator[list[int | None]]:
    """Which steps to show, most first; None stands for the elided middle."""
    if count + 1 <= MAX_ROWS:
        yield list(range(count + 1))
    for edge in range(EDGE_ROWS, 0, -1):
        if 2 * edge < count + 1:
            yield [*range(edge), None, *range(count + 1 - edge, count + 1)]


def _columns(result: RunResult) -> list[tuple[str, Sequence[float]]]:
    """(heading, values from step 1) for each lr column, then each momentum column."""
    many = len(result.groups) > 1
    columns: list[tuple[str, Sequence[float]]] = [
        (f"lr[{g}]" if many else "lr", values) for g, values in enumerate(result.groups)
    ]
    for g, values in enumerate(result.momentum or ()):
        columns.append((f"mom[{g}]" if many else "momentum", values))
    return columns


def _body(
    result: RunResult, columns: list[tuple[str, Sequence[float]]], shown: list[int | None]
) -> list[str]:
    """The header and the rows for `shown`, each column as wide as its widest cell."""
    cells = [
        [_cell(result, c, values, step) for c, (_, values) in enumerate(columns)]
        for step in shown
        if step is not None
    ]
    names = [name for name, _ in columns]
    return _rows(names, cells, shown, len(columns[0][1]) + 1 if columns else 0)


def _rows(
    names: list[str], cells: list[list[str]], shown: list[int | None], total: int
) -> list[str]:
    """The header and a row per shown step, each column as wide as its widest cell.

    `cells` holds a row for each step in `shown`; None there is the elided middle, which
    says how many of the `total` rows it hides.
    """
    widths = [max(len(row[c]) for row in [names, *cells]) for c in range(len(names))]
    rows, pending = [_row("step", names, widths)], iter(cells)
    for step in shown:
        if step is None:
            rows.append(f"{'…':>6}  {total - len(cells):,} steps …")
        else:
            rows.append(_row(f"{step:,}", next(pending), widths))
    return rows


def _row(step: str, cells: list[str], widths: list[int]) -> str:
    parts = [step.rjust(6)] + [cell.rjust(width) for cell, width in zip(cells, widths, strict=True)]
    return "  ".join(parts).rstrip()


def _cell(result: RunResult, column: int, values: Sequence[float], step: int) -> str:
    if step > 0:
        return format_number(values[step - 1])
    # Step 0: what torch set when the scheduler was built, before any step.
    groups = len(result.groups)
    if column < groups:
        return format_number(result.initial[column])
    start = result.initial_momentum or ()
    return format_number(start[column - groups]) if column - groups < len(start) else ""


def _summary(result: RunResult) -> list[str]:
    lines = []
    many = len(result.groups) > 1
    for g, values in enumerate(result.groups):
        every = [result.initial[g], *values] if g < len(result.initial) else list(values)
        if not every:
            continue
        label = f"lr[{g}]: " if many else "lr: "
        finite = [v for v in every if not math.isnan(v)] or every
        lines.append(
            f"{label}min {format_number(min(finite))} · max {format_number(max(finite))}"
            f" · final {format_number(every[-1])}"
        )
    return lines


def _notes(result: RunResult) -> list[str]:
    notes = [f"warning: {_clip(_unfence(w), MAX_NOTE)}" for w in result.warnings]
    if result.error:
        notes.append(f"error: {_clip(_unfence(result.error), MAX_NOTE)}")
    return notes


def _fit_lines(lines: list[str], budget: int) -> list[str]:
    """Keep whole lines while they fit; say how many were dropped. Errors are kept first."""
    errors = [line for line in lines if line.startswith("error:")]
    others = [line for line in lines if not line.startswith("error:")]
    kept: list[str] = []
    for line in [*errors, *others]:
        if _length([*kept, line]) + 30 > budget:
            break
        kept.append(line)
    dropped = len(lines) - len(kept)
    ordered = [line for line in lines if line in kept]
    return [*ordered, f"(… {dropped} more notes)"] if dropped else ordered


def _length(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unfence(text: str) -> str:
    # A ``` inside the table would close the code block early.
    return text.replace("```", "'''")


# --- several runs side by side (`!run compare`) ------------------------------------------------


def describe_comparison(specs: Sequence[RunSpec]) -> str:
    """One line naming a comparison: how many schedules, and what they all share."""
    shared = []
    if len({spec.optimizer for spec in specs}) == 1 and len({spec.lr for spec in specs}) == 1:
        rates = ", ".join(format_number(lr) for lr in specs[0].lr)
        shared.append(f"{specs[0].optimizer}(lr={rates})")
    if len({spec.steps for spec in specs}) == 1:
        steps = specs[0].steps
        shared.append(f"{steps:,} step" + ("" if steps == 1 else "s"))
    return " · ".join([f"{len(specs)} schedules compared", *shared])


def format_comparison(
    labels: Sequence[str],
    results: Sequence[RunResult],
    *,
    limit: int = DISCORD_LIMIT,
    fence: bool = True,
) -> str:
    """A key (1 = first label, ...), then one column of rates per run, step by step.

    The first parameter group of each run is shown; a run shorter than the others (fewer
    steps, or stopped by torch's error) leaves its cells blank. Long runs are elided in the
    middle as in format_table, and the whole text fits in `limit` characters.
    """
    opening, closing = ("```text\n", "\n```") if fence else ("", "")
    budget = limit - len(opening) - len(closing)
    key = [_clip(f"{n}: {_unfence(label)}", MAX_TITLE) for n, label in enumerate(labels, 1)]
    footer = _fit_lines(_comparison_notes(results), budget // 3)
    room = budget - _length(key) - _length(footer)
    longest = max((len(result.lrs) for result in results), default=0)
    for shown in _candidate_steps(longest):
        body = _comparison_body(results, shown)
        if _length(body) <= room:
            break
    text = "\n".join([*key, *body, *footer])
    return opening + text[:budget] + closing


def comparison_is_elided(results: Sequence[RunResult]) -> bool:
    """Whether format_comparison leaves steps out (then the full table goes in a CSV)."""
    return max((len(result.lrs) for result in results), default=0) + 1 > MAX_ROWS


def _comparison_body(results: Sequence[RunResult], shown: list[int | None]) -> list[str]:
    cells = [[_rate_at(result, step) for result in results] for step in shown if step is not None]
    names = [str(n) for n in range(1, len(results) + 1)]
    return _rows(names, cells, shown, max(len(result.lrs) for result in results) + 1)


def _rate_at(result: RunResult, step: int) -> str:
    if step == 0:
        return format_number(result.initial[0]) if result.initial else ""
    return format_number(result.lrs[step - 1]) if step <= len(result.lrs) else ""


def _comparison_notes(results: Sequence[RunResult]) -> list[str]:
    lines = []
    for n, result in enumerate(results, 1):
        every = [*result.initial[:1], *result.lrs]
        finite = [v for v in every if not math.isnan(v)] or every
        if finite:
            lines.append(
                f"{n}: min {format_number(min(finite))} · max {format_number(max(finite))}"
                f" · final {format_number(every[-1])}"
            )
    for n, result in enumerate(results, 1):
        lines += [f"{n}: {note}" for note in _notes(result)]
    return lines


def comparison_csv(labels: Sequence[str], results: Sequence[RunResult]) -> str:
    """Every step of every run (first parameter group), as CSV with the labels as headers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["step", *labels])
    longest = max((len(result.lrs) for result in results), default=0)
    for step in range(longest + 1):
        writer.writerow([step, *(_exact_rate(result, step) for result in results)])
    return buffer.getvalue()


def _exact_rate(result: RunResult, step: int) -> str:
    if step == 0:
        return repr(result.initial[0]) if result.initial else ""
    return repr(result.lrs[step - 1]) if step <= len(result.lrs) else ""
