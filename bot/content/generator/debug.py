"""Generated debug problems: a training loop with one real bug, and four causes to choose from.

The template gives a correct loop that logs the rate of every epoch. Each bug it can have
(stepping per batch, the steps in the wrong order, a second step after validation, an
optimizer rebuilt after the scheduler, the rate reset by hand, and the scheduler's own
wrong arguments) is that loop with the bug planted, and torch runs every one of them.
Four bugs whose output differs from the correct loop's are the options; the planted one
is drawn among those four afterwards, so which option is the key is independent of how
the options read. The prompt shows what torch printed, and what the fixed loop prints.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Final

from bot.content.check import SnippetRun
from bot.content.generator.program import Program, shown
from bot.content.generator.templates.base import Bug, Template
from bot.engine.problems import LETTERS, Expectation, Kind, Problem

if TYPE_CHECKING:
    from bot.content.generator.generate import Torch

TRIES: Final = 4  # correct loops sampled before giving up on a debug problem
DECIMALS: Final = 4


def loop_bugs(program: Program, name: str) -> list[Bug]:
    """The bugs any training loop can have, whatever its scheduler."""
    if program.per_batch:
        frequency = Bug(
            "per-epoch",
            "The scheduler steps once per epoch, although this schedule counts single batches.",
            "the scheduler is stepped after every batch",
            "Call scheduler.step() in the batch loop, after optimizer.step().",
            replace(program, per_batch=False),
        )
    else:
        frequency = Bug(
            "per-batch",
            "The scheduler steps inside the batch loop, so it moves each batch.",
            "the scheduler is stepped once per epoch, after the batch loop",
            "Move scheduler.step() out of the batch loop, to the end of the epoch.",
            replace(program, per_batch=True),
        )
    return [
        frequency,
        Bug(
            "order",
            "The scheduler steps before the optimizer does, so the schedule runs early.",
            "optimizer.step() comes before scheduler.step()",
            "Call optimizer.step() first and scheduler.step() after it; torch warns about "
            "the other order.",
            replace(program, swapped=True),
        ),
        Bug(
            "twice",
            "The scheduler steps twice per epoch, once more after the validation pass.",
            "nothing steps the scheduler again after validation",
            "Delete the second scheduler.step(), the one after validation.",
            replace(program, twice=True),
        ),
        Bug(
            "rebuilt",
            "The optimizer is rebuilt after the scheduler, which drives the old one.",
            "the scheduler is built on the optimizer that trains",
            "Build the scheduler after the final optimizer, on that optimizer.",
            replace(program, rebuilt=True),
        ),
        Bug(
            "reset",
            "A loop over the parameter groups sets the rate back by hand.",
            "nothing in the loop writes the rate by hand",
            "Delete the loop that writes group['lr']: the scheduler owns the rate.",
            replace(program, reset=True),
        ),
    ]


async def generate(
    torch: Torch, rng: random.Random, template: Template, taken: Collection[str]
) -> Problem | None:
    """A debug problem for `template`, or None if its bugs do not show in the output."""
    for _ in range(TRIES):
        correct = template.debug_program(rng)
        bugs = [*loop_bugs(correct, template.name), *template.bugs(correct)]
        codes = {"correct": shown(correct, DECIMALS)}
        codes |= {bug.tag: shown(bug.program, DECIMALS) for bug in bugs}
        runs = await torch.run(codes)
        expected = runs["correct"]
        if expected.error is not None or not _readable(expected.stdout):
            continue
        # Bugs that change the output, one per distinct output, so the output tells them apart.
        by_symptom: dict[str, Bug] = {}
        for bug in rng.sample(bugs, len(bugs)):
            by_symptom.setdefault(_symptom(runs[bug.tag]), bug)
        by_symptom.pop(_symptom(expected), None)
        by_symptom.pop("", None)
        if len(by_symptom) < len(LETTERS):
            continue
        showing = sorted(by_symptom.values(), key=lambda bug: bug.tag)
        options = rng.sample(showing, len(LETTERS))  # first the four causes shown...
        planted = rng.randrange(len(LETTERS))  # ...then which of them the code has
        problem = _problem(template, correct, options, planted, runs)
        if problem.id not in taken:
            return problem
    return None


def _symptom(run: SnippetRun) -> str:
    """What a learner sees: the printed line, or the error's first line."""
    if run.error is not None:
        return run.error.split(" (line ")[0]
    return run.stdout.strip()


def _readable(line: str) -> bool:
    """Every logged rate shows two significant digits at DECIMALS decimals, or is zero."""
    return all(
        float(text) == 0 or len(text.replace(".", "").lstrip("0")) >= 2 for text in line.split()
    )


def _problem(
    template: Template,
    correct: Program,
    options: list[Bug],
    planted: int,
    runs: Mapping[str, SnippetRun],
) -> Problem:
    from bot.content.generator.generate import TIME_LIMITS, level_of, mentioned

    bug = options[planted]
    code = shown(bug.program, DECIMALS)
    run = runs[bug.tag]
    expected = _symptom(runs["correct"])
    seen = _symptom(run)
    what = f"fails with `{seen}`" if run.error else f"prints:\n`{seen}`"
    new_warnings = [w for w in run.warnings if w not in runs["correct"].warnings]
    letters = LETTERS[: len(options)]
    level = level_of(template, correct, Kind.DEBUG)
    digest = hashlib.sha256(code.encode()).hexdigest()[:8]
    return Problem.model_validate(
        {
            "id": f"fresh-debug-{template.name.lower()}-{digest}",
            "kind": Kind.DEBUG,
            "level": level,
            "schedulers": mentioned(correct),
            "subject": [template.name],
            "time_limit": TIME_LIMITS[level],
            "attempts": 2,
            "title": f"Debug: a {template.name} loop gone wrong",
            "prompt": (
                f"This loop should {template.intent(correct)}, and log the rate each epoch "
                f"trained with:\n`{expected}`\nInstead it {what}\nWhich mistake in the code "
                "causes it?"
            ),
            "code": code,
            "options": {x: b.cause for x, b in zip(letters, options, strict=True)},
            "answer": letters[planted],
            "hint": (
                "Follow one epoch through the loop line by line: when does the rate change, "
                "and which object changes it?"
            ),
            "explanation": f"{bug.cause} {bug.fix} Fixed, the loop logs `{expected}`.",
            "why_not": {
                x: f"Not in this code: {b.absent}. {_would(runs[b.tag])}"
                for x, b in zip(letters, options, strict=True)
                if b is not bug
            },
            "expect": Expectation(
                prints=[] if run.error else [seen],
                raises=seen if run.error else None,
                warns=[w.split(": ", 1)[-1][:80] for w in new_warnings[:1]],
            ),
        }
    )


def _would(run: SnippetRun) -> str:
    """What the loop would show with another bug: torch ran that one too."""
    if run.error is not None:
        return f"With that mistake it would fail with `{_symptom(run)}`."
    return f"With that mistake it would log `{_symptom(run)}`."
