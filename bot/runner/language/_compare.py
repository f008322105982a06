"""`!run compare A ; B [; C ; D]`: several schedules, each read by the same parser, and labels.

Schedules are separated by `;` outside brackets and quotes. Each is an expression with its
own run options (`StepLR(step_size=10) lr=0.05`); a part made only of run options
(`; steps=50`) applies to every schedule that does not set that option itself. Every
refusal names the schedule it is about ("schedule 2: ...").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from bot.runner.language._options import RUN_OPTIONS
from bot.runner.language._parse import parse_run, split_options
from bot.runner.language._render import render_expression, render_options
from bot.runner.language._schedulers import NEEDS_METRICS
from bot.runner.language._syntax import MAX_INPUT_CHARS, clean
from bot.runner.protocol import MAX_COMPARE
from bot.runner.spec import RunError, RunSpec, quote

COMPARE_WORD: Final = "compare"
MIN_COMPARE: Final = 2
COMPARE_EXAMPLE: Final = "compare StepLR(step_size=10) ; CosineAnnealingLR(T_max=50) ; steps=50"
_OPENING: Final = {")": "(", "]": "[", "}": "{"}
_PROBLEM_ID: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")  # e.g. steplr-three-epochs


def compare_text(text: str) -> str | None:
    """What follows `compare` at the start of `text` (the schedules), or None without it."""
    words = text.strip().split(maxsplit=1)
    if not words or words[0].lower() != COMPARE_WORD:
        return None
    return words[1] if len(words) > 1 else ""


def parse_compare(text: str, defaults: Sequence[tuple[str, str]] = ()) -> list[tuple[str, RunSpec]]:
    """The labelled runs of `A ; B [; C ; D]`, each parsed and checked like `!run A`.

    `defaults` are run options for the schedules that set them neither themselves nor in
    a shared part (`anneal run compare --metrics ...`).
    """
    if len(text) > MAX_INPUT_CHARS:
        raise RunError(
            f"That's {len(text):,} characters; `!run` reads at most {MAX_INPUT_CHARS:,}."
        )
    parts = [part for part in split_schedules(clean(text)) if part]
    shared: list[tuple[str, str]] = []
    expressions: list[str] = []
    for part in parts:
        options = _options_only(part)
        if options is None:
            expressions.append(part)
        elif shared:
            raise RunError("Give the options shared by every schedule once, after the last `;`.")
        else:
            shared = options
    if len(expressions) < MIN_COMPARE:
        for n, part in enumerate(expressions, start=1):  # `A(x=1; B()`: the parser says why
            _schedule(n, part, shared)
        raise RunError(
            f"Compare needs {MIN_COMPARE} to {MAX_COMPARE} schedules separated by `;`, "
            f"e.g. `{COMPARE_EXAMPLE}`."
        )
    if len(expressions) > MAX_COMPARE:
        raise RunError(
            f"Compare draws at most {MAX_COMPARE} schedules on one chart, and that's "
            f"{len(expressions)}: leave some out, or compare them in two goes."
        )
    given = {name for name, _ in shared}
    shared = [*shared, *((name, value) for name, value in defaults if name not in given)]
    specs = [_schedule(n, part, shared) for n, part in enumerate(expressions, start=1)]
    return list(zip(compare_labels(specs), specs, strict=True))


def split_schedules(text: str) -> list[str]:
    """`text` cut at each `;` outside brackets and quotes, each part stripped."""
    parts: list[str] = []
    start, depth, quote_char = 0, 0, ""
    for index, char in enumerate(text):
        if quote_char:
            if char == quote_char:
                quote_char = ""
        elif char in "'\"":
            quote_char = char
        elif char in "([{":
            depth += 1
        elif char in _OPENING:
            depth = max(0, depth - 1)  # unbalanced text is the parser's to explain
        elif char == ";" and depth == 0:
            parts.append(text[start:index].strip())
            start = index + 1
    parts.append(text[start:].strip())
    return parts


def _options_only(part: str) -> list[tuple[str, str]] | None:
    """The run options of a part that is nothing else (`steps=50 lr=0.05`), or None."""
    split = split_options(part)
    if split is None or split[0] or not split[1]:
        return None
    for name, _ in split[1]:
        if name not in RUN_OPTIONS:
            raise RunError(
                f"{quote(name)} isn't a run option: a part with only options (after the last "
                f"`;`) may set {', '.join(n + '=' for n in RUN_OPTIONS)} for every schedule."
            )
    return split[1]


def _schedule(number: int, part: str, shared: Sequence[tuple[str, str]]) -> RunSpec:
    """One schedule: its own text, then the shared options it does not set itself."""
    try:
        if "\n" in part or part.startswith(("import ", "from ")):
            raise RunError(
                "compare reads scheduler expressions, not training loops: paste a loop to "
                "`!run` on its own."
            )
        if _PROBLEM_ID.fullmatch(part.split()[0]):
            raise RunError(
                "compare reads scheduler expressions, not problem ids: run a problem's "
                "recipe on its own, `!run <problem-id>`."
            )
        split = split_options(part)
        call, own = (split[0], {name for name, _ in split[1]}) if split else (part, set())
        if "metrics" in call:  # ReduceLROnPlateau(..., metrics=[...])
            own.add("metrics")
        wants_metrics = call.split("(", 1)[0].strip().rsplit(".", 1)[-1] in NEEDS_METRICS
        added = [
            f"{name}={value}"
            for name, value in shared
            if name not in own and (name != "metrics" or wants_metrics)
        ]
        return parse_run(" ".join([part, *added]))
    except RunError as exc:
        raise RunError(f"schedule {number} ({quote(part, 40)}): {exc}") from None


def compare_labels(specs: Sequence[RunSpec]) -> list[str]:
    """A short label per run: its scheduler call, plus the run options that differ between runs.

    E.g. `StepLR(step_size=10)` and `StepLR(step_size=10) lr=0.05` when only lr differs.
    Metrics are too long for a legend: runs that differ only there (or not at all) are told
    apart by their number.
    """
    options = [render_options(spec) for spec in specs]
    labels = []
    for spec, mine in zip(specs, options, strict=True):
        differing = [
            text
            for name, text in mine.items()
            if name != "metrics" and any(other.get(name) != text for other in options)
        ]
        labels.append(" ".join([render_expression(spec.scheduler), *differing]))
    counts = {label: labels.count(label) for label in labels}
    seen: dict[str, int] = {}
    for n, label in enumerate(labels):
        if counts[label] > 1:
            seen[label] = seen.get(label, 0) + 1
            labels[n] = f"{label} (#{seen[label]})"
    return labels
