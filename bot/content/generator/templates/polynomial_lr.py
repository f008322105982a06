"""PolynomialLR: lr x (1 - t / total_iters) ** power, down to zero."""

from __future__ import annotations

import random
from collections.abc import Mapping

from bot.content.generator.program import Program
from bot.content.generator.shapes import Shape
from bot.content.generator.templates.base import (
    LRS,
    MINUS,
    Bug,
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

POWERS = (2.0, 0.5, 3.0, 1.5)


class PolynomialLRTemplate(Template):
    """PolynomialLR: a polynomial decay to zero; traps in the power and the end."""

    name = "PolynomialLR"
    difficulty = 1

    def start_ranks_for(self, shape: Shape) -> Mapping[int, float]:
        """Only the rate epoch 0 trains with is the optimizer's lr: offered in that shape."""
        return self.start_ranks if shape is Shape.RECORD else {}

    def setup(self, rng: random.Random) -> Setup:
        """PolynomialLR parameters from sensible ranges, each a literal in the snippet."""
        total = rng.randint(4, 12)
        spec = SchedulerSpec("PolynomialLR", {"total_iters": total, "power": rng.choice(POWERS)})
        return Setup(spec, rng.choice(LRS), rng.randint(1, total))

    def mistakes(self, program: Program, trace: Trace) -> list[Mistake]:
        """The wrong options a PolynomialLR problem invites, the most telling first."""
        power, total = program.number("power"), program.integer("total_iters")
        return [
            Run(
                program.variant(power=1.0),
                f"That ignores power={power}: it is the straight line of power=1.0. The "
                f"factor (1 {MINUS} calls / total_iters) is raised to the power {power}.",
            ),
            Run(
                program.variant(power=round(1 / power, 6)),
                f"That uses power 1/{power}: the factor is raised to power={power} itself.",
            ),
            Run(
                program.variant(total_iters=total + 1),
                f"That counts total_iters={total} as {total + 1} points, one call too slow; "
                f"the rate reaches 0 on call {total} itself.",
            ),
            one_short(program),
            one_over(program),
        ]

    def start_why(self, program: Program, trace: Trace) -> str:
        """Why the optimizer's lr is not the answer."""
        return f"That is the optimizer's lr={program.start!r}; the first call already lowers it."

    def hint(self, program: Program) -> str:
        """A nudge towards how PolynomialLR computes the rate, never the number."""
        return (
            f"After t calls the rate is lr {X} (1 {MINUS} t / total_iters) ** power. What is "
            "t when the rate is read, and what happens once t reaches total_iters?"
        )

    def explain(self, program: Program, trace: Trace) -> str:
        """What PolynomialLR did, with the rates torch computed."""
        total, power = program.integer("total_iters"), program.number("power")
        return (
            f"PolynomialLR multiplies lr={program.start!r} by (1 {MINUS} t/{total})^{power} "
            f"after t calls, reaches 0 on call total_iters={total} and stays there. After "
            f"{counted(program.calls_read, 'call')}: {trail(trace, program.calls_read)}."
        )

    def intent(self, program: Program) -> str:
        """What the debug loop's PolynomialLR is for."""
        return f"decay the rate to zero over {program.integer('total_iters')} epochs"

    def bugs(self, program: Program) -> list[Bug]:
        """PolynomialLR's own wrong argument: total_iters counted in batches."""
        return [in_batches(program, "total_iters", "decay length")]
