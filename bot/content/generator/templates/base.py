"""What every template is made of: the mistakes it names, the bugs it plants, `Template`.

Also the helpers that read torch's rates for explanations (`fmt`, the calls where the
rate dropped or peaked, the trail of rates).
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import ClassVar, TypeAlias

from bot.content.generator.options import START_SHARE
from bot.content.generator.program import Program, lambda_sources
from bot.content.generator.shapes import Shape, build
from bot.content.generator.templates.wording import after_calls, counted, how_often
from bot.runner import SchedulerSpec, parse_run

# The printed number before the first call and after each call, as torch computed it.
Trace: TypeAlias = Sequence[float]

X = "\N{MULTIPLICATION SIGN}"  # the signs learners see in explanations; escaped for ruff
MINUS = "\N{MINUS SIGN}"

# Learning rates as people write them: few digits, a wide spread (more distinct problems).
LRS = (0.1, 0.2, 0.05, 0.5, 1.0, 0.01, 0.02, 0.3, 0.04, 0.08, 0.025, 0.15)


def fmt(value: float) -> str:
    """A rate as explanations show it: rounded to 6 decimals."""
    return str(round(value, 6))


# --- mistakes: how each wrong option is computed, and what it says about the learner -----


@dataclass(frozen=True)
class Calls:
    """The same schedule read after `calls` calls (off by one, stepped per batch, ...)."""

    calls: int
    why: str


@dataclass(frozen=True)
class Run:
    """What another program prints: the loop the learner has in mind, run by torch."""

    program: Program
    why: str


@dataclass(frozen=True)
class Scaled:
    """The right number times a factor (gamma applied once too often)."""

    factor: float
    why: str


Mistake: TypeAlias = Calls | Run | Scaled


@dataclass(frozen=True)
class Bug:
    """One line of real code gone wrong, for a debug problem: what it is, and the loop with it.

    `cause` is the option text (it names the bug); `absent` says what the code does
    instead, for the why_not of a problem where the bug is not the one planted.
    """

    tag: str
    cause: str
    absent: str
    fix: str
    program: Program


def momentum_bug(program: Program, name: str) -> Bug:
    """SGD without momentum under a scheduler that cycles it: torch refuses to build it."""
    return Bug(
        "no-momentum",
        "The optimizer has no momentum for the scheduler to cycle each batch.",
        "the optimizer has the momentum the scheduler cycles",
        f"Give SGD momentum=0.9, or pass cycle_momentum=False to {name}.",
        replace(program, plain=True),
    )


def in_batches(program: Program, keyword: str, label: str) -> Bug:
    """A length given in batches to a scheduler stepped once per epoch (`label` names it
    in the option, without digits or code marks, as every cause is written)."""
    batches = program.batches or 1
    value = program.scheduler.kwargs[keyword]
    scaled = (
        [v * batches for v in value]
        if isinstance(value, list)
        else program.integer(keyword) * batches
    )
    return Bug(
        f"{keyword}-in-batches",
        f"The {label} counts batches, but the scheduler steps once per epoch.",
        f"{keyword} counts epochs, as often as the loop steps the scheduler",
        f"Give {keyword} in epochs: it counts scheduler.step() calls, one per epoch.",
        program.variant(**{keyword: scaled}),
    )


def lambda_scheduler(name: str, body: str, arg: str = "epoch") -> SchedulerSpec:
    """LambdaLR or MultiplicativeLR with `lambda arg: body`, as `!run` reads it."""
    return parse_run(f"{name}(lr_lambda=lambda {arg}: {body})").scheduler


def lambda_body(program: Program) -> str:
    """The expression of the program's lambda, after `lambda epoch:`."""
    return lambda_sources(program.scheduler)[0].split(":", 1)[1].strip()


def one_short(program: Program, why: str | None = None) -> Calls:
    """The rate one call early: forgetting that the first call already moves it."""
    n = program.calls_read
    return Calls(
        n - 1,
        why
        or (
            f"That is the {program.noun} {after_calls(n - 1)}: it forgets that the first "
            f"scheduler.step() already moves the {program.noun}."
        ),
    )


def one_over(program: Program, why: str | None = None) -> Calls:
    """The rate one call late: counting one call too many."""
    n = program.calls_read
    return Calls(
        n + 1,
        why
        or (
            f"That is the {program.noun} after {n + 1} calls, one too many: it is read after "
            f"scheduler.step() has run {how_often(n)}."
        ),
    )


# --- templates ------------------------------------------------------------------------------

EPOCH_SHAPES: Mapping[Shape, float] = {
    Shape.EPOCH: 3.0,
    Shape.BATCHES: 2.0,
    Shape.GROUPS: 1.5,
    Shape.RECORD: 1.5,
    Shape.RESUME: 1.5,
}


@dataclass(frozen=True)
class Setup:
    """What a per-epoch template samples: the scheduler, the optimizer's lr, the calls."""

    scheduler: SchedulerSpec
    lr: float
    calls: int


class Template(ABC):
    """One scheduler: how to sample it, the traps to set, and how to explain the answer."""

    name: ClassVar[str]
    difficulty: ClassVar[int]  # what the scheduler itself adds to a problem's level
    shapes: ClassVar[Mapping[Shape, float]] = EPOCH_SHAPES  # code shapes and their weights
    # Where the start value ranks among the options when it is one (0 = the smallest),
    # with weights; empty when it can never fairly be one.
    start_ranks: ClassVar[Mapping[int, float]] = {3: 1.0}
    # How often the start value is offered; a schedule with few distinct rates needs it
    # more often to fill four options at every rank.
    start_share: ClassVar[float] = START_SHARE
    debug_share: ClassVar[float] = 0.25  # problems that are debug problems
    names: ClassVar[tuple[str, ...]] = ()  # variable names of SequentialLR's parts, say

    def setup(self, rng: random.Random) -> Setup:
        """The scheduler, the lr and the calls of a per-epoch exercise."""
        raise NotImplementedError(f"{self.name} samples whole programs")

    def start_ranks_for(self, shape: Shape) -> Mapping[int, float]:
        """Where the start value ranks when offered, for problems of this shape."""
        return self.start_ranks

    def start_key_sample(self, rng: random.Random, shape: Shape) -> Program | None:
        """A program of `shape` whose answer is the start value, or None if there is none.

        Asked for when sampling found none by chance. In the RECORD shape it is the rate
        epoch 0 trains with; elsewhere `start_key_setup` says how, if the template knows.
        """
        if shape is Shape.RECORD:
            setup = self.setup(rng)
            program = build(rng, Shape.RECORD, setup.scheduler, setup.lr, setup.calls)
            return replace(program, record=0, epochs=rng.randint(1, 3), names=self.names)
        found = self.start_key_setup(rng)
        if found is None:
            return None
        return replace(build(rng, shape, found.scheduler, found.lr, found.calls), names=self.names)

    def start_key_setup(self, rng: random.Random) -> Setup | None:
        """A per-epoch setup whose answer is the optimizer's lr, if the template knows one."""
        return None

    def sample(self, rng: random.Random, shape: Shape) -> Program:
        """A program in `shape`: by default a per-epoch setup built into that shape."""
        setup = self.setup(rng)
        return replace(build(rng, shape, setup.scheduler, setup.lr, setup.calls), names=self.names)

    def horizon(self, program: Program) -> int:
        """How many calls the trace covers: past the read, and past a per-batch count."""
        n, batches = program.calls_read, program.batches or 1
        per_batch = n * batches + 1 if not program.per_batch else 0
        return max(2 * n + 2, program.total_calls + 2, per_batch, 8)

    @abstractmethod
    def mistakes(self, program: Program, trace: Trace) -> list[Mistake]:
        """The wrong options this scheduler invites, the most telling first."""

    @abstractmethod
    def start_why(self, program: Program, trace: Trace) -> str:
        """Why the start value (the optimizer's lr) is wrong, when it is offered."""

    @abstractmethod
    def hint(self, program: Program) -> str:
        """A nudge towards the method, never the number."""

    @abstractmethod
    def explain(self, program: Program, trace: Trace) -> str:
        """What torch did, with torch's numbers."""

    def title(self, program: Program) -> str:
        """The problem's title, e.g. "StepLR after 5 calls"."""
        return f"{self.name} after {counted(program.calls_read, 'call')}"

    # -- debug problems --

    def debug_program(self, rng: random.Random) -> Program:
        """The correct loop a debug problem starts from: per epoch, with batches."""
        setup = self.setup(rng)
        epochs = max(setup.calls, 4)
        batches = rng.randint(2, 4)
        return Program(
            setup.scheduler, (setup.lr,), epochs, batches=batches, log=True, names=self.names
        )

    def bugs(self, program: Program) -> list[Bug]:
        """The scheduler's own bugs (wrong arguments); the loop's are in debug.py."""
        return []

    def intent(self, program: Program) -> str:
        """What the schedule is meant to do, in a few words for the debug prompt."""
        return f"follow {self.name}"


# --- reading torch's rates for explanations ---------------------------------------------


def drops(trace: Trace, calls: int) -> list[int]:
    """The calls (1..calls) on which torch lowered the rate."""
    return [k for k in range(1, calls + 1) if fmt(trace[k]) != fmt(trace[k - 1])]


def peak_call(trace: Trace) -> int:
    """The call after which the rate was highest (the first, if it stayed there)."""
    return max(range(len(trace)), key=lambda k: (trace[k], -k))


def changes(trace: Trace, calls: int) -> str:
    """`0.1 → 0.05 → 0.025`: the distinct rates from the start to call `calls`."""
    shown: list[str] = []
    for k in range(calls + 1):
        text = fmt(trace[k])
        if not shown or shown[-1] != text:
            shown.append(text)
    return " → ".join(shown)


def trail(trace: Trace, calls: int, keep: int = 9) -> str:
    """The rate before the first call and after each call, shortened in the middle."""
    texts = [fmt(trace[k]) for k in range(calls + 1)]
    if len(texts) > keep:
        texts = [*texts[:3], "…", *texts[-(keep - 4) :]]
    return " → ".join(texts)
