"""Fresh problems, generated on demand: every number in them printed by torch.

`generate_pack` picks schedulers, and for each one a kind (predict the output, or find
the bug) and a code shape; the template samples the exercise as a `Program`. Torch, in
one warm process (`bot.content.snippet_session`), runs the program, its trace and every
mistake a learner makes with it, each a program of its own; `options.arrange` chooses
three mistakes so that no surface cue points at the key; and torch runs the finished
snippet once more, which must print the key's text.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Final, Protocol

from bot.content.check import SnippetRun
from bot.content.generator import debug, shapes
from bot.content.generator.options import Arranged, Candidate, Target, arrange, draw_target, same
from bot.content.generator.program import Program, children, float_literals, shown, trace, value
from bot.content.generator.shapes import Shape, level_points
from bot.content.generator.templates import TEMPLATES
from bot.content.generator.templates.base import Calls, Mistake, Run, Scaled, Template, Trace
from bot.content.loader import FRESH_PACK_ID as FRESH_PACK_ID  # re-exported for callers
from bot.engine.problems import LETTERS, Badge, BadgeRule, Kind, Level, Pack, Problem, RunRecipe
from bot.runner import render_expression

ATTEMPTS: Final = 2
TIME_LIMITS: Final = {
    Level.BEGINNER: 90,
    Level.INTERMEDIATE: 120,
    Level.ADVANCED: 150,
    Level.EXPERT: 180,
}
TIME_LIMIT: Final = max(TIME_LIMITS.values())  # the most any generated problem allows
LEVELS: Final = tuple(Level)  # the levels generated problems come in
LEVEL_BY_POINTS: Final = (
    Level.BEGINNER,
    Level.INTERMEDIATE,
    Level.INTERMEDIATE,
    Level.ADVANCED,
    Level.ADVANCED,
    Level.EXPERT,
)
MAX_TRIES: Final = 8  # rounds of samples per target (it takes one or two)
TARGETS: Final = 3  # targets drawn before giving up
SAMPLES: Final = 4  # setups sampled per round, traced by torch in one batch

_LEVEL_ORDER: Final = {level: i for i, level in enumerate(Level)}


class Torch(Protocol):
    """What the generator needs of a SnippetSession; tests may pass anything with `run`."""

    async def run(self, snippets: Mapping[str, str]) -> Mapping[str, SnippetRun]:
        """What each snippet printed, raised and warned."""
        ...


class GenerationError(Exception):
    """No valid problem could be made; the message is fit to show a user."""


async def generate_pack(torch: Torch, rng: random.Random, count: int = 5) -> Pack:
    """A pack `fresh` of `count` new problems, every number in them printed by torch."""
    if count < 1:
        raise ValueError("count must be at least 1")
    # Different schedulers before any repeats, so five problems cover five schedulers.
    templates: list[Template] = []
    while len(templates) < count:
        templates += rng.sample(TEMPLATES, min(len(TEMPLATES), count - len(templates)))
    problems: list[Problem] = []
    taken: set[str] = set()
    for template in templates:
        problem = await generate_problem(torch, rng, template, taken)
        taken.add(problem.id)
        problems.append(problem)
    problems.sort(key=lambda p: _LEVEL_ORDER[p.level])  # easy first; sort is stable
    return Pack(
        id=FRESH_PACK_ID,
        title="Fresh problems",
        description=(
            f"{count} problem{'s' if count != 1 else ''} generated just now from random "
            "settings of torch's schedulers: predict what a training loop prints, or find "
            "its bug. Torch computed every number, and every wrong option is a mistake "
            "people really make."
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
    torch: Torch, rng: random.Random, template: Template, taken: Collection[str]
) -> Problem:
    """One problem for `template`, with an id not in `taken`."""
    if rng.random() < template.debug_share:
        made = await debug.generate(torch, rng, template, taken)
        if made is not None:
            return made
    shape = _shape(rng, template)
    for _ in range(TARGETS):
        target = draw_target(rng, template.start_ranks_for(shape), template.start_share)
        # The ranks first with their surface too; then the same ranks, any surface (so a
        # hard target is met rather than traded for an easier one, which would bias ranks).
        for wanted in (target, replace(target, surface_ranks=())):
            for round_ in range(MAX_TRIES):
                programs = [template.sample(rng, shape) for _ in range(SAMPLES)]
                if wanted.start_is_key and round_ >= MAX_TRIES // 3:
                    # Few setups of this shape print the start value: ask for ones that do.
                    asked = (template.start_key_sample(rng, shape) for _ in range(2))
                    programs[:2] = [p for p in asked if p is not None]
                for problem in await _predict(torch, rng, template, programs, wanted):
                    if problem.id not in taken:
                        return problem
        # No setup met these ranks at all (rare): draw other ones.
    raise GenerationError(f"could not generate a {template.name} problem; try another seed")


def number(run: SnippetRun) -> float | None:
    """The one number a `value` snippet printed, or None if it failed."""
    if run.error is not None:
        return None
    try:
        printed = float(run.stdout.strip())
    except ValueError:
        return None
    return printed if math.isfinite(printed) else None


def _shape(rng: random.Random, template: Template) -> Shape:
    shapes_ = sorted(template.shapes)
    return rng.choices(shapes_, weights=[template.shapes[s] for s in shapes_])[0]


async def _predict(
    torch: Torch,
    rng: random.Random,
    template: Template,
    programs: list[Program],
    target: Target,
) -> list[Problem]:
    """A predict-the-output problem from the first program whose options can meet `target`.

    Torch traces all the programs in one batch: the number each one prints is its trace
    read after its calls (the finished snippet is run again below, and must print it).
    Then each program that fits has its mistakes run, until one arranges.
    """
    # The first program alone first: most targets take the first setup that arranges.
    traces = await read_traces(torch, [(p, template.horizon(p)) for p in programs[:1]])
    for index, program in enumerate(programs):
        if index == len(traces):
            traces += await read_traces(torch, [(p, template.horizon(p)) for p in programs[index:]])
        rates = traces[index]
        if program.calls_read >= len(rates):
            continue
        key = rates[program.calls_read]
        # The key decides whether the start value is the answer; keep the setups that fit.
        if same(key, program.start) != target.start_is_key:
            continue
        mistakes = [
            *template.mistakes(program, rates),
            *shapes.mistakes(program, rates),
            *shapes.fallbacks(program, len(rates) - 1),
        ]
        (candidates,) = await candidates_of(torch, [mistakes], [key], [rates])
        candidates.append(Candidate(program.start, template.start_why(program, rates)))
        forbidden = float_literals(shown(program, 6))
        arranged = arrange(rng, target, key, program.start, candidates, forbidden)
        if arranged is None:
            continue
        code = shown(program, arranged.decimals)
        printed = (await torch.run({"final": code}))["final"]
        if printed.error is not None or printed.stdout.strip() != arranged.texts[arranged.key]:
            # The trace and the snippet run the same schedule: a bug, not bad luck.
            raise GenerationError(f"{template.name}: the snippet printed {printed.stdout!r}")
        return [_problem(template, program, code, arranged, rates)]
    return []


async def read_traces(torch: Torch, wanted: list[tuple[Program, int]]) -> list[Trace]:
    """Each program's number before the first call and after each call, up to its count."""
    runs = await torch.run({str(i): trace(p.flat(calls)) for i, (p, calls) in enumerate(wanted)})
    traces: list[Trace] = []
    for i, (program, _) in enumerate(wanted):
        run = runs[str(i)]
        values = [float(line) for line in run.stdout.split()]
        if not values:
            raise GenerationError(f"torch refused a {program.scheduler.name} setup: {run.error}")
        traces.append(values)
    return traces


async def candidates_of(
    torch: Torch, mistakes: list[list[Mistake]], keys: list[float], traces: list[Trace]
) -> list[list[Candidate]]:
    """Each program's mistakes as numbers, computed by torch; those torch refuses are left out."""
    programs = {
        f"{j}/{i}": value(m.program)
        for j, listed in enumerate(mistakes)
        for i, m in enumerate(listed)
        if isinstance(m, Run)
    }
    runs = await torch.run(programs) if programs else {}
    found: list[list[Candidate]] = []
    for j, listed in enumerate(mistakes):
        rates, chosen = traces[j], []
        for i, mistake in enumerate(listed):
            match mistake:
                case Calls(calls=calls):
                    result = rates[calls] if 0 <= calls < len(rates) else None
                case Run():
                    result = number(runs[f"{j}/{i}"])
                case Scaled(factor=factor):
                    result = keys[j] * factor
            if result is not None:
                chosen.append(Candidate(result, mistake.why))
        found.append(chosen)
    return found


def level_of(template: Template, program: Program, kind: Kind) -> Level:
    """The level from what the problem involves: the scheduler, the loop, the kind.

    A plain StepLR stepped per epoch scores 0 (beginner); two parameter groups and a
    resume add 3 (advanced); OneCycleLR per batch with its momentum scores 5 (expert).
    """
    points = template.difficulty + int(kind is Kind.DEBUG) + level_points(program)
    return LEVEL_BY_POINTS[min(points, len(LEVEL_BY_POINTS) - 1)]


def make_id(template: Template, code: str) -> str:
    """`fresh-steplr-1a2b3c4d`: the scheduler and a short hash of the snippet."""
    digest = hashlib.sha256(code.encode()).hexdigest()[:8]
    return f"{FRESH_PACK_ID}-{template.name.lower()}-{digest}"


def recipe(program: Program) -> RunRecipe:
    """`!run <problem-id>`: the schedule of the snippet, stepped as often as its loop does."""
    spec = program.scheduler
    vary = [k for k, v in spec.kwargs.items() if _plain(v)]
    return RunRecipe(
        expression=render_expression(spec),
        lr=program.lrs[0] if len(program.lrs) == 1 else list(program.lrs),
        steps=program.total_calls,
        optimizer=program.optimizer,  # type: ignore[arg-type]
        metrics=None if program.metrics is None else list(program.metrics),
        vary=[*vary, "steps"],
    )


def _plain(value: object) -> bool:
    """A number, a word or a list of numbers: what `!run <problem-id> name=value` may change."""
    if isinstance(value, list):
        return all(isinstance(v, int | float) for v in value)
    return isinstance(value, int | float | str)


def mentioned(program: Program) -> list[str]:
    """The schedulers a program's code names: its own and SequentialLR's parts."""
    return list(
        dict.fromkeys([program.scheduler.name, *(c.name for c in children(program.scheduler))])
    )


def _problem(
    template: Template, program: Program, code: str, arranged: Arranged, rates: Trace
) -> Problem:
    letters = LETTERS[: len(arranged.texts)]
    level = level_of(template, program, Kind.PREDICT_OUTPUT)
    return Problem.model_validate(
        {
            "id": make_id(template, code),
            "kind": Kind.PREDICT_OUTPUT,
            "level": level,
            "schedulers": mentioned(program),
            "subject": [template.name],
            "time_limit": TIME_LIMITS[level],
            "attempts": ATTEMPTS,
            "title": template.title(program),
            "prompt": shapes.prompt(program, template.name),
            "code": code,
            "options": dict(zip(letters, arranged.texts, strict=True)),
            "answer": letters[arranged.key],
            "hint": template.hint(program),
            "explanation": template.explain(program, rates),
            "why_not": {letters[i]: why for i, why in arranged.whys.items()},
            "run": recipe(program),
        }
    )


async def generate_fresh_pack(seed: int | None = None, count: int = 5) -> Pack:
    """Start a torch process, generate a fresh pack with it, and stop it."""
    from bot.content.snippet_session import SnippetSession, SnippetSessionError

    try:
        async with SnippetSession() as session:
            return await generate_pack(session, random.Random(seed), count)
    except SnippetSessionError as exc:
        raise GenerationError(f"torch could not generate problems: {exc}") from exc
