"""ExponentialLR: gamma on every call, the first included."""

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


class ExponentialLRTemplate(Template):
    """ExponentialLR: gamma on every call; traps counting the calls."""

    name = "ExponentialLR"
    level = Level.BEGINNER

    def sample(self, rng: random.Random) -> Setup:
        """ExponentialLR parameters from sensible ranges, each a literal in the snippet."""
        gamma = rng.choice((0.5, 0.7, 0.8, 0.9, 0.95))
        spec = SchedulerSpec("ExponentialLR", {"gamma": gamma})
        return Setup(spec, rng.choice(ROUND_LRS), rng.randint(2, 8))

    def mistakes(self, setup: Setup, rates: Rates) -> list[Mistake]:
        """The wrong options a ExponentialLR problem invites, the most telling first."""
        n, gamma = setup.epochs, setup.number("gamma")
        return [
            one_short(
                setup,
                f"That is lr {X} gamma^{n - 1}: it forgets that the first scheduler.step() "
                f"already multiplies by gamma, so {n} calls apply gamma {n} times.",
            ),
            one_over(
                setup,
                f"That is lr {X} gamma^{n + 1}: gamma applied once too often, as if the loop "
                f"ran {n + 1} times.",
            ),
            AfterCalls(
                1,
                f"That applies gamma={gamma} only once. ExponentialLR multiplies by gamma on "
                f"every call, not once in total.",
            ),
            Number(
                setup.lr,
                "That is the optimizer's starting lr; every call to scheduler.step() "
                "multiplies it by gamma.",
            ),
        ]

    def hint(self, setup: Setup) -> str:
        """A nudge towards how ExponentialLR computes the rate, never the number."""
        return (
            "Write down the rate after one call, then after two. How many factors of gamma "
            f"does the rate carry after {counted(setup.epochs, 'call')}?"
        )

    def explain(self, setup: Setup, rates: Rates) -> str:
        """What ExponentialLR did, with the rates torch computed."""
        n, gamma = setup.epochs, setup.number("gamma")
        return (
            f"ExponentialLR multiplies the rate by gamma={gamma} on every call, the first "
            f"included: after {counted(n, 'call')} it is {setup.lr} {X} {gamma}^{n}: "
            f"{trail(rates, n)}."
        )
