"""ConstantLR: the rate held at factor x lr until total_iters."""

from __future__ import annotations

import random

from bot.content.generator.templates.base import (
    ROUND_LRS,
    Mistake,
    Number,
    OtherSchedule,
    Rates,
    Setup,
    Template,
    X,
    changes,
    one_over,
    one_short,
)
from bot.content.generator.templates.wording import counted, plural
from bot.engine.problems import Level
from bot.runner import SchedulerSpec


class ConstantLRTemplate(Template):
    """ConstantLR: factor x lr held until total_iters; traps at the restore."""

    name = "ConstantLR"
    level = Level.BEGINNER

    def sample(self, rng: random.Random) -> Setup:
        """ConstantLR parameters from sensible ranges, each a literal in the snippet."""
        total = rng.randint(2, 6)
        spec = SchedulerSpec(
            "ConstantLR",
            {"factor": rng.choice((0.1, 0.2, 0.25, 0.3, 0.5)), "total_iters": total},
        )
        # Up to and including call total_iters, on which the rate is restored.
        return Setup(spec, rng.choice(ROUND_LRS), rng.randint(1, total))

    def mistakes(self, setup: Setup, rates: Rates) -> list[Mistake]:
        """The wrong options a ConstantLR problem invites, the most telling first."""
        n, factor, total = setup.epochs, setup.number("factor"), setup.integer("total_iters")
        return [
            Number(
                setup.lr,
                f"That ignores the warm-up: ConstantLR keeps the rate at factor {X} lr until "
                f"its counter reaches total_iters={total}, and after {counted(n, 'call')} it "
                "has not.",
            ),
            one_short(
                setup,
                f"That is the rate one call early: ConstantLR restores the optimizer's lr on "
                f"call {total} itself, when its counter reaches total_iters={total}.",
            ),
            Number(
                setup.lr * (1 - factor),
                f"That reads factor={factor} as the share taken off the rate; ConstantLR "
                f"multiplies the rate by factor, so the reduced rate is {factor} {X} lr.",
            ),
            OtherSchedule(
                SchedulerSpec("ExponentialLR", {"gamma": factor}),
                f"That multiplies by factor on every call, like ExponentialLR(gamma={factor}); "
                f"ConstantLR applies it once, holds it, then removes it.",
            ),
            one_over(setup),
            Number(
                setup.lr * factor * factor,
                "That applies factor twice, once when the scheduler is built and again on the "
                "first call; ConstantLR applies it once and holds it.",
            ),
        ]

    def hint(self, setup: Setup) -> str:
        """A nudge towards how ConstantLR computes the rate, never the number."""
        return (
            f"ConstantLR holds the rate at factor {X} lr, but not for ever. On which call does "
            "its counter reach total_iters?"
        )

    def explain(self, setup: Setup, rates: Rates) -> str:
        """What ConstantLR did, with the rates torch computed."""
        n, total = setup.epochs, setup.integer("total_iters")
        if n < total:
            now = f"after {n} call{plural(n)} the counter is still below {total}"
        else:
            now = "the loop ends on that very call"
        return (
            f"ConstantLR multiplies the optimizer's lr={setup.lr} by factor="
            f"{setup.number('factor')} from the start (building the scheduler applies it) until "
            f"its counter reaches total_iters={total}; on call {total} it restores "
            f"{setup.lr}. Here {now}: {changes(rates, n)}."
        )
