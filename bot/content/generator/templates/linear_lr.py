"""LinearLR: a straight line from start_factor to end_factor over total_iters calls."""

from __future__ import annotations

import random

from bot.content.generator.program import Program
from bot.content.generator.templates.base import (
    LRS,
    Bug,
    Calls,
    Mistake,
    Run,
    Setup,
    Template,
    Trace,
    X,
    in_batches,
    one_over,
    one_short,
    trail,
)
from bot.content.generator.templates.wording import counted
from bot.runner import SchedulerSpec

START_FACTORS = (0.1, 0.2, 0.25, 0.5, 0.3, 0.05)


class LinearLRTemplate(Template):
    """LinearLR: a straight-line warm-up; traps in the factors and the end."""

    name = "LinearLR"
    difficulty = 1

    def setup(self, rng: random.Random) -> Setup:
        """LinearLR parameters from sensible ranges, each a literal in the snippet."""
        total = rng.randint(3, 10)
        # Mostly inside the warm-up, where ignoring it gives a wrong answer.
        calls = rng.randint(1, total - 1) if rng.random() < 0.8 else rng.randint(total, total + 3)
        spec = SchedulerSpec(
            "LinearLR",
            {"start_factor": rng.choice(START_FACTORS), "end_factor": 1.0, "total_iters": total},
        )
        return Setup(spec, rng.choice(LRS), calls)

    def mistakes(self, program: Program, trace: Trace) -> list[Mistake]:
        """The wrong options a LinearLR problem invites, the most telling first."""
        total, start = program.integer("total_iters"), program.number("start_factor")
        return [
            Calls(
                0,
                f"That is the rate before the first call (start_factor {X} lr, set when the "
                "scheduler is built). Every call raises it by one equal step.",
            ),
            one_short(program),
            one_over(program),
            Run(
                program.variant(total_iters=total + 1),
                f"That spreads the climb over {total + 1} calls; LinearLR reaches end_factor "
                f"on call total_iters={total} itself.",
            ),
            Run(
                program.using(SchedulerSpec("ConstantLR", {"factor": start, "total_iters": total})),
                f"That holds start_factor {X} lr until the end of the warm-up, as ConstantLR "
                "does; LinearLR climbs a little on every call.",
            ),
            Run(
                program.variant(start_factor=round(1 - start, 6)),
                f"That reads start_factor={start} as the share taken off at the start; the "
                f"warm-up starts at {start} {X} lr.",
            ),
        ]

    def start_why(self, program: Program, trace: Trace) -> str:
        """Why the optimizer's lr is not the answer."""
        total = program.integer("total_iters")
        return (
            f"That ignores the warm-up: LinearLR scales lr={program.start!r} by a factor that "
            f"climbs from start_factor={program.number('start_factor')} to end_factor=1.0 over "
            f"total_iters={total} calls, so the full rate comes only on call {total}."
        )

    def hint(self, program: Program) -> str:
        """A nudge towards how LinearLR computes the rate, never the number."""
        return (
            "Building the scheduler already applies start_factor. By how much does each "
            "call raise the factor, and how many calls has the loop made?"
        )

    def explain(self, program: Program, trace: Trace) -> str:
        """What LinearLR did, with the rates torch computed."""
        total = program.integer("total_iters")
        return (
            f"LinearLR multiplies the optimizer's lr={program.start!r} by a factor that goes in "
            f"equal steps from start_factor={program.number('start_factor')} (applied when the "
            f"scheduler is built) to end_factor=1.0 over total_iters={total} calls, then stays "
            f"there. After {counted(program.calls_read, 'call')}: "
            f"{trail(trace, program.calls_read)}."
        )

    def intent(self, program: Program) -> str:
        """What the debug loop's LinearLR is for."""
        return (
            f"warm up from {program.number('start_factor')} {X} the rate to the full rate "
            f"over {program.integer('total_iters')} epochs"
        )

    def bugs(self, program: Program) -> list[Bug]:
        """LinearLR's own wrong argument: total_iters counted in batches."""
        return [in_batches(program, "total_iters", "warmup length")]
