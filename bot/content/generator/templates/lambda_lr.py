"""LambdaLR: lr times a factor the lambda computes from the epoch count."""

from __future__ import annotations

import random
from dataclasses import replace

from bot.content.generator.program import Program
from bot.content.generator.templates.base import (
    LRS,
    Bug,
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


def factor(rng: random.Random) -> str:
    """A warm-up, a decay, or a warm-up then a decay, as training code writes them."""
    warm, total = rng.randint(3, 6), rng.randint(10, 16)
    gamma = rng.choice((0.9, 0.8, 0.95, 0.7, 0.85))
    step = rng.randint(2, 4)
    return rng.choice(
        (
            f"min(1.0, (epoch + 1) / {warm})",  # linear warm-up
            f"{gamma} ** epoch",
            f"{gamma} ** (epoch // {step})",
            # warm-up then cosine to 0, and warm-up then a straight line to 0 (as HF writes)
            f"(epoch + 1) / {warm} if epoch < {warm} else "
            f"0.5 * (1 + math.cos(math.pi * (epoch - {warm}) / {total - warm}))",
            f"epoch / {warm} if epoch < {warm} else max(0.0, ({total} - epoch) / {total - warm})",
        )
    )


class LambdaLRTemplate(Template):
    """LambdaLR: the factor is computed afresh from the count, times the initial lr."""

    name = "LambdaLR"
    difficulty = 1

    def setup(self, rng: random.Random) -> Setup:
        """A lambda from real training code, the optimizer's lr and a count."""
        spec = lambda_scheduler("LambdaLR", factor(rng))
        return Setup(spec, rng.choice(LRS), rng.randint(1, 12))

    def mistakes(self, program: Program, trace: Trace) -> list[Mistake]:
        """The wrong options a LambdaLR problem invites, the most telling first."""
        body = lambda_body(program)
        n = program.calls_read
        found: list[Mistake] = [
            Run(
                program.using(lambda_scheduler("MultiplicativeLR", body)),
                "That multiplies each epoch's factor into the rate, as MultiplicativeLR does; "
                "LambdaLR sets the rate to the initial lr times the lambda's value, afresh "
                "every call.",
            ),
            one_short(
                program,
                f"That is the lambda at epoch {n - 1}: the count after {counted(n, 'call')} "
                f"is {n}, and the lambda gets that count.",
            ),
            one_over(
                program,
                f"That is the lambda at epoch {n + 1}, one call ahead: the rate is read after "
                f"{counted(n, 'call')}.",
            ),
        ]
        if any(lr != 1.0 for lr in program.lrs):
            found.append(
                Run(
                    replace(program, lrs=tuple(1.0 for _ in program.lrs)),
                    f"That is the lambda's value itself; LambdaLR multiplies it by the "
                    f"initial lr={program.start!r}: the lambda returns a factor, not a rate.",
                )
            )
        if "(epoch + 1)" in body:
            found.append(
                Run(
                    program.using(
                        lambda_scheduler("LambdaLR", body.replace("(epoch + 1)", "epoch"))
                    ),
                    "That drops the + 1: the lambda gets the count itself, and this one adds 1 "
                    "to it, so the warm-up reaches its full rate one epoch sooner.",
                )
            )
        return found

    def start_why(self, program: Program, trace: Trace) -> str:
        """Why the optimizer's lr is not the answer."""
        return (
            f"That is the optimizer's lr={program.start!r}, the rate only when the lambda "
            f"returns 1.0; LambdaLR sets the rate to lr {X} lr_lambda(count), and at count "
            f"{program.calls_read} the lambda returns something else."
        )

    def hint(self, program: Program) -> str:
        """A nudge towards how LambdaLR computes the rate, never the number."""
        return (
            f"After {counted(program.calls_read, 'call')} the count is "
            f"{program.calls_read}. What does the lambda return for it, and what does LambdaLR "
            "multiply that by?"
        )

    def explain(self, program: Program, trace: Trace) -> str:
        """What LambdaLR did, with the rates torch computed."""
        n = program.calls_read
        return (
            f"LambdaLR sets the rate to the initial lr={program.start!r} {X} "
            f"lr_lambda(count), afresh on every call (building it applies lr_lambda(0)). "
            f"After {counted(n, 'call')} the count is {n}: {trail(trace, n)}."
        )

    def intent(self, program: Program) -> str:
        """What the debug loop's lambda is for."""
        return "follow its lambda, lr times lr_lambda(epoch)"

    def bugs(self, program: Program) -> list[Bug]:
        """LambdaLR's own bug: the lambda returns a rate, not a factor."""
        body = lambda_body(program)
        return [
            Bug(
                "lambda-returns-rate",
                "The lambda returns a learning rate, which LambdaLR multiplies by lr again.",
                "the lambda returns a factor, which LambdaLR multiplies by lr",
                "Make the lambda return a factor (1.0 = the full rate), not a rate.",
                program.using(lambda_scheduler("LambdaLR", f"{program.start!r} * ({body})")),
            )
        ]
