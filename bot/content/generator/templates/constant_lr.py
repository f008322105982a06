"""ConstantLR: the rate held at factor x lr until total_iters, then restored."""

from __future__ import annotations

import random

from bot.content.generator.program import Program
from bot.content.generator.templates.base import (
    LRS,
    Bug,
    Mistake,
    Run,
    Scaled,
    Setup,
    Template,
    Trace,
    X,
    changes,
    in_batches,
    lambda_scheduler,
    one_over,
    one_short,
)
from bot.content.generator.templates.wording import counted, plural
from bot.runner import SchedulerSpec

FACTORS = (0.1, 0.2, 0.25, 0.3, 0.5, 0.4)


class ConstantLRTemplate(Template):
    """ConstantLR: factor x lr held until total_iters; traps at the restore."""

    name = "ConstantLR"
    difficulty = 1
    start_share = 0.85  # two rates only (held and restored): the lr fills the options
    debug_share = 0.5  # and for the same reason it is as often a debug problem

    def setup(self, rng: random.Random) -> Setup:
        """ConstantLR parameters from sensible ranges, each a literal in the snippet."""
        total = rng.randint(2, 8)
        spec = SchedulerSpec("ConstantLR", {"factor": rng.choice(FACTORS), "total_iters": total})
        # Mostly inside the hold, where the restore is the trap; now and then past it.
        calls = rng.randint(1, total) if rng.random() < 0.8 else rng.randint(total + 1, total + 4)
        return Setup(spec, rng.choice(LRS), calls)

    def start_key_setup(self, rng: random.Random) -> Setup | None:
        """A loop read after the restore, where the answer is the optimizer's lr."""
        total = rng.randint(2, 5)
        factor = rng.choice([f for f in FACTORS if f >= 0.25])
        spec = SchedulerSpec("ConstantLR", {"factor": factor, "total_iters": total})
        return Setup(spec, rng.choice(LRS), rng.randint(total + 1, total + 3))

    def mistakes(self, program: Program, trace: Trace) -> list[Mistake]:
        """The wrong options a ConstantLR problem invites, the most telling first."""
        factor, total = program.number("factor"), program.integer("total_iters")
        return [
            one_short(
                program,
                f"That is the rate one call early: ConstantLR restores the optimizer's lr on "
                f"call {total} itself, when its counter reaches total_iters={total}.",
            ),
            Run(
                program.variant(total_iters=total + 1),
                f"That restores the rate one call late, on call {total + 1}; the counter "
                f"reaches total_iters={total} on call {total}, and the rate comes back then.",
            ),
            Run(
                program.variant(total_iters=10_000),
                "That holds factor for ever; ConstantLR restores the full rate once its "
                f"counter reaches total_iters={total}.",
            ),
            Run(
                program.variant(factor=round(1 - factor, 6)),
                f"That reads factor={factor} as the share taken off the rate; ConstantLR "
                f"multiplies the rate by factor, so the held rate is {factor} {X} lr.",
            ),
            Run(
                program.using(
                    SchedulerSpec("LinearLR", {"start_factor": factor, "total_iters": total})
                ),
                f"That climbs back in a straight line, as LinearLR does; ConstantLR holds "
                f"factor {X} lr flat and restores the full rate in one jump on call {total}.",
            ),
            Run(
                program.using(lambda_scheduler("LambdaLR", f"{factor} ** min(epoch, {total})")),
                "That multiplies by factor on every call until total_iters, then holds; "
                "ConstantLR applies factor once and restores the full rate on call "
                f"{total}.",
            ),
            Run(
                program.using(SchedulerSpec("ExponentialLR", {"gamma": factor})),
                f"That multiplies by factor on every call, like ExponentialLR(gamma={factor}); "
                "ConstantLR applies it once, holds it, then removes it.",
            ),
            Scaled(
                factor,
                "That applies factor twice, once when the scheduler is built and again on a "
                "call; ConstantLR applies it once and holds it.",
            ),
            one_over(program),
        ]

    def start_why(self, program: Program, trace: Trace) -> str:
        """Why the optimizer's lr is not the answer."""
        total = program.integer("total_iters")
        return (
            f"That ignores the warm-up: ConstantLR keeps the rate at factor {X} lr until its "
            f"counter reaches total_iters={total}, and after "
            f"{counted(program.calls_read, 'call')} it has not."
        )

    def hint(self, program: Program) -> str:
        """A nudge towards how ConstantLR computes the rate, never the number."""
        return (
            f"ConstantLR holds the rate at factor {X} lr, but not for ever. On which call does "
            "its counter reach total_iters?"
        )

    def explain(self, program: Program, trace: Trace) -> str:
        """What ConstantLR did, with the rates torch computed."""
        n, total = program.calls_read, program.integer("total_iters")
        now = (
            f"after {n} call{plural(n)} the counter is still below {total}"
            if n < total
            else f"the counter reached {total} on call {total}"
        )
        return (
            f"ConstantLR multiplies the optimizer's lr={program.start!r} by factor="
            f"{program.number('factor')} from the start (building the scheduler applies it) "
            f"until its counter reaches total_iters={total}; on that call it restores "
            f"{program.start!r}. Here {now}: {changes(trace, n)}."
        )

    def intent(self, program: Program) -> str:
        """What the debug loop's ConstantLR is for."""
        return (
            f"train the first {program.integer('total_iters')} epochs at "
            f"{program.number('factor')} {X} the rate, then at the full rate"
        )

    def bugs(self, program: Program) -> list[Bug]:
        """ConstantLR's own wrong argument: total_iters counted in batches."""
        return [in_batches(program, "total_iters", "hold length")]
