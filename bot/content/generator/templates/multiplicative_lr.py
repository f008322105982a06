"""MultiplicativeLR: each call multiplies the current rate by the lambda's factor."""

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
    lambda_body,
    lambda_scheduler,
    one_over,
    one_short,
    trail,
)
from bot.content.generator.templates.wording import counted


class MultiplicativeLRTemplate(Template):
    """MultiplicativeLR: a product of factors, call after call."""

    name = "MultiplicativeLR"
    difficulty = 1

    def setup(self, rng: random.Random) -> Setup:
        """A factor that is constant, delayed, or applied every few epochs."""
        gamma = rng.choice((0.9, 0.8, 0.95, 0.7, 0.5, 0.85))
        start, every = rng.randint(2, 5), rng.randint(2, 4)
        body = rng.choice(
            (
                f"{gamma}",
                f"1.0 if epoch < {start} else {gamma}",
                f"{gamma} if epoch % {every} == 0 else 1.0",
            )
        )
        spec = lambda_scheduler("MultiplicativeLR", body)
        return Setup(spec, rng.choice(LRS), rng.randint(1, 10 if gamma >= 0.8 else 6))

    def mistakes(self, program: Program, trace: Trace) -> list[Mistake]:
        """The wrong options a MultiplicativeLR problem invites, the most telling first."""
        body = lambda_body(program)
        return [
            Run(
                program.using(lambda_scheduler("LambdaLR", body)),
                "That is the initial lr times the factor for this count, as LambdaLR would "
                "compute it; MultiplicativeLR multiplies the current rate by the factor on "
                "every call, so the factors pile up.",
            ),
            one_short(program),
            one_over(program),
            Calls(
                1,
                "That applies the factor on the first call only; MultiplicativeLR applies the "
                "lambda's factor again on every call.",
            ),
            Run(
                program.using(lambda_scheduler("MultiplicativeLR", f"({body}) ** 2")),
                "That squares each factor, applying it twice per call; each call multiplies "
                "the rate by the factor once.",
            ),
        ]

    def start_why(self, program: Program, trace: Trace) -> str:
        """Why the optimizer's lr is not the answer."""
        return (
            f"That is the optimizer's lr={program.start!r}: it stays only while every factor "
            "is 1.0, and some call's factor is not."
        )

    def hint(self, program: Program) -> str:
        """A nudge towards how MultiplicativeLR computes the rate, never the number."""
        return (
            f"List the counts 1 to {program.calls_read} that the calls pass to the lambda. "
            "What factor does each one give, and what is their product?"
        )

    def explain(self, program: Program, trace: Trace) -> str:
        """What MultiplicativeLR did, with the rates torch computed."""
        n = program.calls_read
        return (
            f"MultiplicativeLR multiplies the current rate by lr_lambda(count) on every "
            f"call, with count 1 on the first call (building it changes nothing), so after "
            f"{counted(n, 'call')} the rate is lr {X} the product of lr_lambda(1) … "
            f"lr_lambda({n}): {trail(trace, n)}."
        )

    def intent(self, program: Program) -> str:
        """What the debug loop's MultiplicativeLR is for."""
        return "multiply the rate by the lambda's factor after every epoch"

    def bugs(self, program: Program) -> list[Bug]:
        """MultiplicativeLR's own bug: a factor written as the share to take off."""
        body = lambda_body(program)
        return [
            Bug(
                "factor-as-loss",
                "The lambda returns the share to remove, not the factor to keep.",
                "the lambda returns the factor each epoch multiplies the rate by",
                "Return the factor to keep (0.9 keeps 90 %), not the share to remove.",
                program.using(lambda_scheduler("MultiplicativeLR", f"1 - ({body})")),
            )
        ]
