"""What `!run <text>` asks for: a problem's recipe with changes, or the user's own run.

Pure functions over the content library and the runner's language; no Discord, no torch.
Every refusal is a RunError whose message (example included) can be shown as it is.
The variant a reveal suggests lives in `variants`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Final

from bot.content import ContentLibrary
from bot.engine.problems import Problem
from bot.features.run.variants import recipe_text, variant_command
from bot.runner import (
    MAX_INPUT_CHARS,
    SCHEDULER_NAMES,
    RunError,
    RunSpec,
    parse_run,
    split_options,
    with_overrides,
)

EXAMPLE_ARGS: Final = "StepLR(step_size=2, gamma=0.5) lr=0.1 steps=5"
MAX_SUGGESTIONS: Final = 25  # Discord shows at most 25 autocomplete choices
MAX_CHOICE_NAME: Final = 100  # and cuts their names at 100 characters

_PROBLEM_ID: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_PARTIAL_ID: Final = re.compile(r"[a-z0-9-]*")


@dataclass(frozen=True)
class ProblemRun:
    """`!run <problem-id> name=value ...`: a problem's recipe with some values changed."""

    problem_id: str
    overrides: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RunRequest:
    """A run ready for the runner, and the problem it came from (None for the user's own)."""

    spec: RunSpec
    problem: Problem | None = None
    overrides: Mapping[str, str] = field(default_factory=dict)


def example(command: str) -> str:
    """The one-line example shown under every refusal, e.g. `!run StepLR(...) lr=0.1 steps=5`."""
    return f"`{command} {EXAMPLE_ARGS}`"


def split_request(text: str) -> ProblemRun | None:
    """A ProblemRun when `text` starts with a problem id, None when it is a run of its own.

    An id is lowercase words joined by hyphens; everything after it must be `name=value`
    pairs. A single lowercase word followed by something else (`import torch ...`) is left
    to the parser, while a hyphenated id with unreadable changes is refused here, because
    no expression or snippet starts that way.
    """
    words = text.split(maxsplit=1)
    if not words:
        return None
    head, rest = words[0], words[1] if len(words) > 1 else ""
    if not _PROBLEM_ID.fullmatch(head):
        return None
    try:
        overrides = split_assignments(rest)
    except RunError:
        if "-" in head:
            raise
        return None
    return ProblemRun(head, overrides)


def split_assignments(text: str) -> dict[str, str]:
    """`gamma=0.3 milestones=[2, 4]` → {"gamma": "0.3", "milestones": "[2, 4]"}.

    Values may hold brackets, commas, spaces and strings: a new pair starts only at a
    `name=` outside any brackets, which Python's tokenizer finds for us.
    """
    text = text.strip()
    if not text:
        return {}
    usage = "After a problem id, write the values to change as `name=value`, e.g. `gamma=0.3`."
    split = split_options(text)
    if split is None or split[0] or not split[1]:
        raise RunError(usage)
    pairs: dict[str, str] = {}
    for name, value in split[1]:
        if name in pairs:
            raise RunError(f"{name}= is given twice.")
        if not value:
            raise RunError(f"{name}= needs a value, e.g. `{name}=0.3`.")
        pairs[name] = value
    return pairs


def runnable(library: ContentLibrary, hidden: Collection[str] = ()) -> dict[str, Problem]:
    """Problems that have a run recipe, by id, in library order; ids in `hidden` left out."""
    return {
        problem.id: problem
        for _, problem in library.problems()
        if problem.run is not None and problem.id not in hidden
    }


def resolve(
    text: str, library: ContentLibrary, command: str, hidden: Collection[str] = ()
) -> RunRequest:
    """Turn `!run` text into a RunRequest, or raise RunError with a message and an example.

    `command` is how the user invoked it (`!run` or `/run`), for the examples; problems
    whose ids are in `hidden` (in play in a challenge) are never suggested.
    """
    try:
        # Over-long text goes straight to the parser, which refuses it before reading it.
        wanted = split_request(text) if len(text) <= MAX_INPUT_CHARS else None
    except RunError as exc:  # a problem id followed by changes we can't read
        problem_id = text.split(maxsplit=1)[0]
        found = library.find_problem(problem_id)
        if found is None:
            known = runnable(library, hidden)
            raise RunError(_unknown_problem(problem_id, known, command)) from None
        shown = f"`{variant_command(found[1], command)}`"
        raise RunError(_with_example(str(exc), shown)) from None
    if wanted is None:
        try:
            return RunRequest(parse_run(text))
        except RunError as exc:
            raise RunError(_with_example(str(exc), example(command))) from None
    found = library.find_problem(wanted.problem_id)
    if found is None:
        raise RunError(_unknown_problem(wanted.problem_id, runnable(library, hidden), command))
    problem = found[1]
    recipe = problem.run
    if recipe is None:
        raise RunError(
            f"Problem `{problem.id}` has no run recipe, so there is nothing to vary. "
            f"Run your own scheduler instead, e.g. {example(command)}"
        )
    try:
        spec = with_overrides(recipe_text(recipe), wanted.overrides, recipe.vary)
    except RunError as exc:
        shown = f"`{variant_command(problem, command)}`"
        raise RunError(_with_example(str(exc), shown)) from None
    return RunRequest(spec, problem, wanted.overrides)


def _with_example(message: str, shown: str) -> str:
    # Some of the parser's messages carry their own example already; one is enough.
    if "`!run " in message:
        return message
    return f"{message}\nFor example: {shown}"


def _unknown_problem(problem_id: str, problems: Mapping[str, Problem], command: str) -> str:
    by_lower = {name.lower(): name for name in SCHEDULER_NAMES}
    scheduler = by_lower.get(problem_id.replace("-", ""))
    if scheduler is not None:  # `!run steplr`: a scheduler typed like an id
        return (
            f"To run {scheduler}, write its name as torch spells it, with its arguments, "
            f"e.g. {example(command)}"
        )
    message = f"There is no problem `{problem_id}` with a run recipe."
    close = difflib.get_close_matches(problem_id, list(problems), n=1, cutoff=0.6)
    if close:
        return f"{message} Did you mean `{command} {close[0]}`?"
    related = [pid for _, pid in suggest_ids(problems, problem_id)]  # e.g. `cosine`
    some = ", ".join(f"`{pid}`" for pid in (related or list(problems))[:3])
    if some:
        message += f" Some you can run: {some} (`/run` suggests them as you type)."
    return f"{message} Or run your own scheduler, e.g. {example(command)}"


def suggest_ids(problems: Mapping[str, Problem], current: str) -> list[tuple[str, str]]:
    """Autocomplete for a partly typed problem id: (label, id) pairs, best first.

    Nothing is suggested once the text stops looking like an id (an expression, a
    snippet, or an id followed by changes).
    """
    typed = current.strip().lower()
    if not _PARTIAL_ID.fullmatch(typed):
        return []
    starts = [pid for pid in problems if pid.startswith(typed)]
    contains = [pid for pid in problems if typed in pid and pid not in starts]
    chosen = (starts + contains)[:MAX_SUGGESTIONS]
    suggestions = []
    for pid in chosen:
        recipe = problems[pid].run
        label = pid if recipe is None else f"{pid} · {recipe.expression}"
        if len(label) > MAX_CHOICE_NAME:
            label = label[: MAX_CHOICE_NAME - 1] + "…"
        suggestions.append((label, pid))
    return suggestions
