"""ExponentialLR: gamma on every call, the first included."""

from __future__ import annotations

import random
from collections.abc import Mapping

from bot.content.generator.program import Program
from bot.content.generator.shapes import Shape
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
    lambda_scheduler,
    one_over,
    one_short,
    trail,
)
from bot.content.generator.templates.wording import counted
from bot.runner import SchedulerSpec

GAMMAS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.6, 0.85, 0.75)


class ExponentialLRTemplate(Template):
    """ExponentialLR: gamma on every call; traps counting the calls."""

    name = "ExponentialLR"
    difficulty = 0

    def start_ranks_for(self, shape: Shape) -> Mapping[int, float]:
        """Only the rate epoch 0 trains with is the optimizer's lr: offered in that shape."""
        return self.start_ranks if shape is Shape.RECORD else {}

    def setup(self, rng: random.Random) -> Setup:
        """ExponentialLR parameters from sensible ranges, each a literal in the snippet."""
        gamma = rng.choice(GAMMAS)
        calls = rng.randint(2, 6 if gamma <= 0.6 else 12)
        return Setup(SchedulerSpec("ExponentialLR", {"gamma": gamma}), rng.choice(LRS), calls)

    def mistakes(self, program: Program, trace: Trace) -> list[Mistake]:
        """The wrong options an ExponentialLR problem invites, the most telling first."""
        n, gamma = program.calls_read, program.number("gamma")
        lose = round(1 - gamma, 6)
        return [
            one_short(
                program,
                f"That is lr {X} gamma^{n - 1}: it forgets that the first scheduler.step() "
                f"already multiplies by gamma, so {n} calls apply gamma {n} times.",
            ),
            one_over(
                program,
                f"That is lr {X} gamma^{n + 1}: gamma applied once too often, as if the loop "
                f"ran {n + 1} times.",
            ),
            Calls(
                1,
                f"That applies gamma={gamma} only once. ExponentialLR multiplies by gamma on "
                f"every call, not once in total.",
            ),
            Run(
                program.using(lambda_scheduler("LambdaLR", f"max(0.0, 1 - {lose} * epoch)")),
                f"That takes {lose} {X} lr off on every call, a straight line; ExponentialLR "
                f"multiplies the current rate by gamma={gamma}, so each step is smaller.",
            ),
            Run(
                program.variant(gamma=lose),
                f"That reads gamma={gamma} as the share taken off each call; ExponentialLR "
                f"keeps {gamma} of the rate each call.",
            ),
            Calls(
                n - 2,
                f"That is lr {X} gamma^{n - 2}: it counts neither the first call nor the last.",
            ),
        ]

    def start_why(self, program: Program, trace: Trace) -> str:
        """Why the optimizer's lr is not the answer."""
        return (
            f"That is the optimizer's lr={program.start!r}; every call to scheduler.step() "
            "multiplies it by gamma, the first one included."
        )

    def hint(self, program: Program) -> str:
        """A nudge towards how ExponentialLR computes the rate, never the number."""
        return (
            "Write down the rate after one call, then after two. How many factors of gamma "
            f"does the rate carry after {counted(program.calls_read, 'call')}?"
        )

    def explain(self, program: Program, trace: Trace) -> str:
        """What ExponentialLR did, with the rates torch computed."""
        n, gamma = program.calls_read, program.number("gamma")
        return (
            f"ExponentialLR multiplies the rate by gamma={gamma} on every call, the first "
            f"included: after {counted(n, 'call')} it is {program.start!r} {X} {gamma}^{n}: "
            f"{trail(trace, n)}."
        )

    def intent(self, program: Program) -> str:
        """What the debug loop's ExponentialLR is for."""
        return f"multiply the rate by {program.number('gamma')} after every epoch"

    def bugs(self, program: Program) -> list[Bug]:
        """ExponentialLR's own wrong argument: gamma written as the share to take off."""
        gamma = program.number("gamma")
        return [
            Bug(
                "gamma-as-loss",
                "The gamma is written as the share to remove, not to keep.",
                "gamma is the share of the rate kept each epoch",
                "gamma is what each epoch keeps: write the share to keep.",
                program.variant(gamma=round(1 - gamma, 6)),
            )
        ]
