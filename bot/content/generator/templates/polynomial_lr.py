"""PolynomialLR: (1 - t / total_iters) ** power, down to zero."""

from __future__ import annotations

import random

from bot.content.generator.templates.base import (
    MINUS,
    ROUND_LRS,
    Mistake,
    Number,
    OtherSchedule,
    Rates,
    Setup,
    Template,
    X,
    one_over,
    one_short,
    trail,
)
from bot.content.generator.templates.wording import counted
from bot.engine.problems import Level
from bot.runner import SchedulerSpec


class PolynomialLRTemplate(Template):
    """PolynomialLR: a polynomial decay to zero; traps in the power."""

    name = "PolynomialLR"
    level = Level.INTERMEDIATE

    def sample(self, rng: random.Random) -> Setup:
        """PolynomialLR parameters from sensible ranges, each a literal in the snippet."""
        total = rng.randint(4, 10)
        spec = SchedulerSpec(
            "PolynomialLR", {"total_iters": total, "power": rng.choice((2.0, 0.5, 3.0))}
        )
        return Setup(spec, rng.choice(ROUND_LRS), rng.randint(1, total))

    def mistakes(self, setup: Setup, rates: Rates) -> list[Mistake]:
        """The wrong options a PolynomialLR problem invites, the most telling first."""
        power = setup.number("power")
        return [
            OtherSchedule(
                setup.variant(power=1.0),
                f"That ignores power={power}: it is the straight line of power=1.0. The "
                f"factor (1 {MINUS} calls / total_iters) is raised to the power {power}.",
            ),
            one_short(setup),
            one_over(setup),
            Number(
                setup.lr,
                "That is the optimizer's starting lr; the first call already lowers it.",
            ),
        ]

    def hint(self, setup: Setup) -> str:
        """A nudge towards how PolynomialLR computes the rate, never the number."""
        return (
            f"After t calls the rate is lr {X} (1 {MINUS} t / total_iters) ** power. What is "
            "t when the loop ends, and what happens once t reaches total_iters?"
        )

    def explain(self, setup: Setup, rates: Rates) -> str:
        """What PolynomialLR did, with the rates torch computed."""
        total, power = setup.integer("total_iters"), setup.number("power")
        return (
            f"PolynomialLR multiplies lr={setup.lr} by (1 {MINUS} t/{total})^{power} after t "
            f"calls, reaches 0 on call total_iters={total} and stays there. After "
            f"{counted(setup.epochs, 'call')}: {trail(rates, setup.epochs)}."
        )
