"""LinearLR: a straight-line warm-up from start_factor to end_factor."""

from __future__ import annotations

import random

from bot.content.generator.templates.base import (
    ROUND_LRS,
    AfterCalls,
    Mistake,
    Number,
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


class LinearLRTemplate(Template):
    """LinearLR: a straight-line warm-up; traps in the factors and the end."""

    name = "LinearLR"
    level = Level.INTERMEDIATE

    def sample(self, rng: random.Random) -> Setup:
        """LinearLR parameters from sensible ranges, each a literal in the snippet."""
        total = rng.randint(3, 8)
        # Mostly inside the warm-up, where ignoring it gives a wrong answer.
        epochs = rng.randint(1, total - 1) if rng.random() < 0.85 else total
        spec = SchedulerSpec(
            "LinearLR",
            {
                "start_factor": rng.choice((0.1, 0.2, 0.25, 0.5)),
                "end_factor": 1.0,
                "total_iters": total,
            },
        )
        return Setup(spec, rng.choice(ROUND_LRS), epochs)

    def mistakes(self, setup: Setup, rates: Rates) -> list[Mistake]:
        """The wrong options a LinearLR problem invites, the most telling first."""
        total = setup.integer("total_iters")
        return [
            Number(
                setup.lr,
                f"That ignores the warm-up: LinearLR scales the optimizer's lr={setup.lr} by a "
                f"factor that climbs from start_factor={setup.number('start_factor')} to "
                f"end_factor=1.0 over total_iters={total} calls, so the full rate comes only "
                f"after call {total}.",
            ),
            AfterCalls(
                0,
                f"That is the rate before the first call (start_factor {X} lr, set when the "
                "scheduler is built). It does not wait for the warm-up to end: every call "
                "raises it by one equal step.",
            ),
            one_short(setup),
            one_over(setup),
        ]

    def hint(self, setup: Setup) -> str:
        """A nudge towards how LinearLR computes the rate, never the number."""
        return (
            "Building the scheduler already applies start_factor. By how much does each "
            "call raise the factor, and how many calls has the loop made?"
        )

    def explain(self, setup: Setup, rates: Rates) -> str:
        """What LinearLR did, with the rates torch computed."""
        total = setup.integer("total_iters")
        return (
            f"LinearLR multiplies the optimizer's lr={setup.lr} by a factor that goes in "
            f"equal steps from start_factor={setup.number('start_factor')} (applied when the "
            f"scheduler is built) to end_factor=1.0 over total_iters={total} calls, then "
            f"stays there. After {counted(setup.epochs, 'call')}: {trail(rates, setup.epochs)}."
        )
