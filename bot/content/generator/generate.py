"""Fresh predict-the-output problems, generated on demand and answered by torch.

`generate_pack` samples schedulers and their parameters, renders the training loop a
learner reads, and asks the runner (real torch in a worker) for every number: the right
answer, the rates one call before and after it, and the schedules a learner with a wrong
idea would have computed. Distractors come from those mistakes, in the order each
scheduler's template (bot/content/generator/templates/) prefers them.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Collection
from typing import Final, Protocol

from bot.content.generator.templates import TEMPLATES
from bot.content.generator.templates.base import (
    AfterCalls,
    Mistake,
    Number,
    OtherSchedule,
    Rates,
    Setup,
    Template,
    TimesRight,
    fmt,
    other_calls,
)
from bot.content.loader import FRESH_PACK_ID as FRESH_PACK_ID  # re-exported for callers
from bot.engine.problems import LETTERS, Badge, BadgeRule, Kind, Level, Pack, Problem, RunRecipe
from bot.runner import Arg, RunError, RunResult, RunSpec, SchedulerSpec, render_expression

TIME_LIMIT: Final = 120
ATTEMPTS: Final = 2
# Samples per problem before giving up; a sample is dropped only when its answer would print
# in scientific notation or too few mistakes stay distinct, which takes a handful at most.
MAX_TRIES: Final = 25
CODE_WIDTH: Final = 74  # `anneal play` indents code by 4 in a 78-column screen

_LEVEL_ORDER: Final = {level: i for i, level in enumerate(Level)}


class Runner(Protocol):
    """What the generator needs of a RunnerPool; tests may pass anything with `run`."""

    async def run(self, spec: RunSpec) -> RunResult:
        """Compute the run with real torch."""
        ...


class GenerationError(Exception):
    """No valid problem could be made; the message is fit to show a user."""


async def generate_pack(runner: Runner, rng: random.Random, count: int = 5) -> Pack:
    """A pack `fresh` of `count` new predict-the-output problems, every number from torch."""
    if count < 1:
        raise ValueError("count must be at least 1")
    # Different schedulers before any repeats, so five problems cover five schedulers.
    templates: list[Template] = []
    while len(templates) < count:
        templates += rng.sample(TEMPLATES, min(len(TEMPLATES), count - len(templates)))
    problems: list[Problem] = []
    taken: set[str] = set()
    for template in templates:
        problem = await generate_problem(runner, rng, template, taken)
        taken.add(problem.id)
        problems.append(problem)
    problems.sort(key=lambda p: _LEVEL_ORDER[p.level])  # easy first; sort is stable
    return fresh_pack(problems)


def fresh_pack(problems: list[Problem]) -> Pack:
    """The `fresh` pack of these generated problems, with its badge."""
    count = len(problems)
    return Pack(
        id=FRESH_PACK_ID,
        title="Fresh problems",
        description=(
            f"{count} predict-the-output problem{'s' if count != 1 else ''} generated just "
            "now from random settings of torch's schedulers. Torch computed every answer, "
            "and every wrong option is a mistake people really make."
        ),
        badge=Badge(
            name="Fresh Eyes",
            emoji="🌱",
            rule=BadgeRule.ALL_CORRECT,
            description="Answer every freshly generated problem correctly to earn this badge.",
        ),
        problems=problems,
    )


async def generate_problem(
    runner: Runner, rng: random.Random, template: Template, taken: Collection[str]
) -> Problem:
    """One problem for `template`, with an id not in `taken`."""
    for _ in range(MAX_TRIES):
        setup = template.sample(rng)
        problem_id = make_id(setup)
        if problem_id in taken:
            continue
        rates = await _rates(runner, setup.scheduler, setup.lr, template.horizon(setup))
        right = fmt(rates[setup.epochs])
        if not _readable(right, rates[setup.epochs]):
            continue
        wrong = await _distractors(runner, template, setup, rates)
        if len(wrong) < len(LETTERS) - 1:
            continue
        return _problem(rng, template, setup, problem_id, rates, right, wrong)
    raise GenerationError(f"could not generate a {template.name} problem; try another seed")


def make_id(setup: Setup) -> str:
    """`fresh-steplr-1a2b3c4d`: the scheduler and a short hash of everything sampled."""
    sampled = json.dumps(
        [setup.scheduler.name, setup.scheduler.kwargs, setup.lr, setup.epochs], sort_keys=True
    )
    digest = hashlib.sha256(sampled.encode()).hexdigest()[:8]
    return f"{FRESH_PACK_ID}-{setup.scheduler.name.lower()}-{digest}"


def render_code(setup: Setup, momentum: bool) -> str:
    """The training loop the learner reads; it prints the rate as `fmt` formats it."""
    name = setup.scheduler.name
    extra = ", momentum=0.9" if momentum else ""
    call = render_expression(setup.scheduler).replace("(", "(optimizer, ", 1)
    assignment = f"scheduler = {call}"
    if len(assignment) > CODE_WIDTH:
        keywords = [_keyword(name, key, value) for key, value in setup.scheduler.kwargs.items()]
        assignment = "\n".join(
            [f"scheduler = {name}(", "    optimizer,", *(f"    {k}," for k in keywords), ")"]
        )
    return "\n".join(
        [
            "import torch",
            "from torch.optim import SGD",
            f"from torch.optim.lr_scheduler import {name}",
            "",
            "params = [torch.nn.Parameter(torch.zeros(1))]",
            f"optimizer = SGD(params, lr={setup.lr!r}{extra})",
            assignment,
            "",
            f"for epoch in range({setup.epochs}):",
            "    optimizer.step()",
            "    scheduler.step()",
            "",
            'print(round(optimizer.param_groups[0]["lr"], 6))',
            "",
        ]
    )


def _keyword(name: str, key: str, value: Arg) -> str:
    # render_expression writes values exactly as `!run` reads them; reuse it per keyword.
    return render_expression(SchedulerSpec(name, {key: value}))[len(name) + 1 : -1]


async def _rates(runner: Runner, scheduler: SchedulerSpec, lr: float, calls: int) -> Rates:
    """The rate before the loop and after each of `calls` calls, computed by torch."""
    result = await runner.run(RunSpec(scheduler=scheduler, lr=(lr,), steps=calls))
    if result.error is not None or len(result.lrs) < calls:
        # The templates only sample settings torch accepts: this is a bug, not bad luck.
        raise GenerationError(
            f"torch refused {render_expression(scheduler)}: {result.error or 'too few steps'}"
        )
    return (result.initial[0], *result.lrs)


async def _distractors(
    runner: Runner, template: Template, setup: Setup, rates: Rates
) -> list[tuple[str, str]]:
    """Up to three (option text, why_not), distinct from the answer and from each other.

    Mistakes are tried in the template's order; one whose number collides with an option
    already chosen (after formatting) gives way to the next, and when the named mistakes
    run out, other points of the same run fill in, nearest to the right call first.
    """
    n = setup.epochs
    seen = {float(fmt(rates[n]))}
    chosen: list[tuple[str, str]] = []
    nearest = sorted(range(len(rates)), key=lambda k: (abs(k - n), k))
    fallbacks = [other_calls(setup, k) for k in nearest if abs(k - n) > 1]
    for mistake in [*template.mistakes(setup, rates), *fallbacks]:
        value = await _value(runner, mistake, setup, rates)
        if value is None:
            continue
        text = fmt(value)
        if not _readable(text, value) or float(text) in seen:
            continue
        seen.add(float(text))
        chosen.append((text, mistake.why))
        if len(chosen) == len(LETTERS) - 1:
            break
    return chosen


def _readable(text: str, value: float) -> bool:
    """Whether a rate makes a fair option: no 5e-05, no -0.0, no 0.0 that is really 3e-08.

    Tiny numbers are real torch output, but they test reading Python's float repr rather
    than the schedule; a setup whose answer would need one is sampled again.
    """
    if "e" in text or text.startswith("-"):
        return False
    return text != "0.0" or abs(value) < 1e-12


async def _value(runner: Runner, mistake: Mistake, setup: Setup, rates: Rates) -> float | None:
    """The number a mistake leads to, or None where it does not apply."""
    match mistake:
        case AfterCalls(calls=calls):
            return rates[calls] if 0 <= calls < len(rates) else None
        case OtherSchedule(scheduler=scheduler):
            try:
                return (await _rates(runner, scheduler, setup.lr, setup.epochs))[-1]
            except (GenerationError, RunError):
                return None  # a wrong idea torch refuses is no option to offer
        case TimesRight(factor=factor):
            return rates[setup.epochs] * factor
        case Number(value=value):
            return value
    raise AssertionError(mistake)


def _problem(
    rng: random.Random,
    template: Template,
    setup: Setup,
    problem_id: str,
    rates: Rates,
    right: str,
    wrong: list[tuple[str, str]],
) -> Problem:
    entries = [(right, None), *wrong]
    rng.shuffle(entries)  # so that the right letter varies
    options = {letter: text for letter, (text, _) in zip(LETTERS, entries, strict=True)}
    answer = next(letter for letter, (_, why) in zip(LETTERS, entries, strict=True) if why is None)
    why_not = {letter: why for letter, (_, why) in zip(LETTERS, entries, strict=True) if why}
    n = setup.epochs
    passes = "once" if n == 1 else f"{n} times"
    batch = (
        f" In real training {template.name} is stepped once per batch; here each pass of the "
        "loop stands for one."
        if template.per_batch
        else ""
    )
    return Problem.model_validate(
        {
            "id": problem_id,
            "kind": Kind.PREDICT_OUTPUT,
            "level": template.level,
            "schedulers": [template.name],
            "subject": [template.name],
            "time_limit": TIME_LIMIT,
            "attempts": ATTEMPTS,
            "title": template.title(setup),
            "prompt": (
                f"The loop below runs {passes}: each pass calls `optimizer.step()` and then "
                f"`scheduler.step()`.{batch} What does it print?"
            ),
            "code": render_code(setup, template.momentum),
            "options": options,
            "answer": answer,
            "hint": template.hint(setup),
            "explanation": template.explain(setup, rates),
            "why_not": why_not,
            "run": RunRecipe(
                expression=render_expression(setup.scheduler),
                lr=setup.lr,
                steps=n,
                vary=[*setup.scheduler.kwargs, "steps"],
            ),
        }
    )


async def generate_fresh_pack(seed: int | None = None, count: int = 5) -> Pack:
    """Start one torch worker, generate a fresh pack with it, and stop it (`anneal play`)."""
    from bot.runner import RunnerPool, RunnerStartError

    try:
        async with RunnerPool(size=1, plot=False, job_timeout=30.0) as pool:
            return await generate_pack(pool, random.Random(seed), count)
    except (RunnerStartError, RunError) as exc:
        raise GenerationError(f"torch could not generate problems: {exc}") from exc
