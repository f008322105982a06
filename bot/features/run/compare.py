"""`!run compare A ; B [; C ; D]`: the schedules to compare, their leak check, and suggestions.

Pure functions over the runner's language; no Discord, no torch. Each schedule is read by
the same allowlisted parser as `!run` and checked by the same leak rule (`leaks`), and
every refusal names the schedule it is about.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from bot.features.run.leaks import AnswerHidden, InPlay
from bot.features.run.request import MAX_CHOICE_NAME, MAX_SUGGESTIONS, RunRequest
from bot.runner import (
    COMPARE_EXAMPLE,
    SCHEDULER_EXAMPLES,
    RunError,
    RunSpec,
    compare_text,
    parse_compare,
)

COMPARE_WORD: Final = "compare"


@dataclass(frozen=True)
class CompareRequest:
    """Two to four labelled runs, for one job and one chart."""

    runs: tuple[tuple[str, RunSpec], ...]

    @property
    def labels(self) -> tuple[str, ...]:
        """Each run's short label, in order (the chart's legend and the table's key)."""
        return tuple(label for label, _ in self.runs)

    @property
    def specs(self) -> tuple[RunSpec, ...]:
        """Each run's spec, in order."""
        return tuple(spec for _, spec in self.runs)


def compare_example(command: str) -> str:
    """`!run compare StepLR(...) ; CosineAnnealingLR(...) ; steps=50`, for messages."""
    return f"`{command} {COMPARE_EXAMPLE}`"


def wants_compare(text: str) -> bool:
    """Whether `!run <text>` asks for a comparison (it starts with the word `compare`)."""
    return compare_text(text) is not None


def resolve_compare(text: str, command: str) -> CompareRequest:
    """The runs of `compare A ; B ...`, or a RunError naming the schedule and with an example."""
    schedules = compare_text(text)
    if schedules is None:  # pragma: no cover - callers check wants_compare first
        raise RunError(f"Start with `compare`, e.g. {compare_example(command)}.")
    try:
        runs = parse_compare(schedules)
    except RunError as exc:
        message = str(exc)
        if "e.g. `compare " not in message:  # one example is enough
            message += f"\nFor example: {compare_example(command)}"
        raise RunError(message) from None
    return CompareRequest(tuple(runs))


def check_leaks(request: CompareRequest, in_play: InPlay, command: str) -> None:
    """The leak rule of `!run`, for each schedule: the refusal says which one it is."""
    for number, spec in enumerate(request.specs, start=1):
        try:
            in_play.check(RunRequest(spec), command)
        except AnswerHidden as exc:
            raise AnswerHidden(f"schedule {number}: {exc}") from None


def suggest_schedules(current: str) -> list[tuple[str, str]]:
    """Autocomplete for `/run text: compare A ; B ...`: finish the schedule being typed.

    When the last schedule is a partly typed scheduler name (`compare StepLR(...) ; Cos`),
    each scheduler it could be is offered with its example arguments; a value must fit in
    Discord's 100 characters, so longer texts get no suggestions.
    """
    schedules = compare_text(current)
    if schedules is None:
        typed = current.strip().lower()
        if len(typed) >= 2 and COMPARE_WORD.startswith(typed):
            return [(_label(COMPARE_EXAMPLE), COMPARE_EXAMPLE)]
        return []
    done, _, typing = schedules.rpartition(";")
    name = typing.strip()
    if name and not name.replace("_", "").replace(".", "").isalnum():  # typing arguments
        return []
    prefix = f"{COMPARE_WORD} {done.strip()} ; " if done.strip() else f"{COMPARE_WORD} "
    matches = _matching(name, SCHEDULER_EXAMPLES)
    choices = [prefix + example for example in matches]
    return [(_label(value), value) for value in choices if len(value) <= MAX_CHOICE_NAME][
        :MAX_SUGGESTIONS
    ]


def _matching(typed: str, examples: Sequence[str]) -> list[str]:
    lowered = typed.lower()
    starts = [e for e in examples if e.lower().startswith(lowered)]
    contains = [e for e in examples if lowered in e.split("(", 1)[0].lower() and e not in starts]
    return starts + contains


def _label(value: str) -> str:
    return value if len(value) <= MAX_CHOICE_NAME else value[: MAX_CHOICE_NAME - 1] + "…"
