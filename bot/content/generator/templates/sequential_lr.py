"""SequentialLR: a warm-up scheduler, then another from the milestone on."""

from __future__ import annotations

import random

from bot.content.generator.program import Program, children
from bot.content.generator.templates.base import (
    LRS,
    Bug,
    Mistake,
    Run,
    Setup,
    Template,
    Trace,
    in_batches,
    one_over,
    one_short,
    trail,
)
from bot.content.generator.templates.wording import counted
from bot.runner import SchedulerSpec


def warmup(rng: random.Random, calls: int) -> SchedulerSpec:
    """A linear or constant warm-up of `calls` calls."""
    if rng.random() < 0.65:
        factor = rng.choice((0.1, 0.2, 0.25, 0.5))
        return SchedulerSpec("LinearLR", {"start_factor": factor, "total_iters": calls})
    return SchedulerSpec(
        "ConstantLR", {"factor": rng.choice((0.1, 0.25, 0.5)), "total_iters": calls}
    )


def decay(rng: random.Random) -> SchedulerSpec:
    """What follows a warm-up in real code: exponential, steps, or a cosine."""
    kind = rng.randrange(3)
    if kind == 0:
        return SchedulerSpec("ExponentialLR", {"gamma": rng.choice((0.9, 0.8, 0.95, 0.7))})
    if kind == 1:
        return SchedulerSpec(
            "StepLR", {"step_size": rng.randint(2, 4), "gamma": rng.choice((0.5, 0.1, 0.3))}
        )
    return SchedulerSpec("CosineAnnealingLR", {"T_max": rng.choice((6, 8, 10, 12))})


class SequentialLRTemplate(Template):
    """SequentialLR: which scheduler is in charge, and where the second one starts."""

    name = "SequentialLR"
    difficulty = 2
    names = ("warmup", "decay")

    def setup(self, rng: random.Random) -> Setup:
        """A warm-up handing over to a decay at the milestone."""
        calls = rng.randint(2, 6)
        spec = SchedulerSpec(
            "SequentialLR", {"schedulers": [warmup(rng, calls), decay(rng)], "milestones": [calls]}
        )
        return Setup(spec, rng.choice(LRS), rng.randint(1, calls + 7))

    def mistakes(self, program: Program, trace: Trace) -> list[Mistake]:
        """The wrong options a SequentialLR problem invites, the most telling first."""
        first, second = children(program.scheduler)
        (milestone,) = program.integers("milestones")
        found: list[Mistake] = [
            Run(
                program.variant(milestones=[milestone + 1]),
                f"That hands over one call late, on call {milestone + 1}; SequentialLR "
                f"switches on the call that brings its counter to milestone {milestone}.",
            ),
            Run(
                program.using(SchedulerSpec("ChainedScheduler", {"schedulers": [first, second]})),
                "That applies both schedulers on every call, as ChainedScheduler does; "
                "SequentialLR runs one at a time, the second from the milestone on.",
            ),
            Run(
                program.using(second),
                f"That runs {second.name} from the first call, as if it counted the warm-up "
                f"calls too; it starts its own count at the milestone, from the initial lr.",
            ),
            Run(
                program.using(first),
                f"That keeps {first.name} in charge after the milestone; from call "
                f"{milestone} on, {second.name} sets the rate.",
            ),
            one_short(program),
            one_over(program),
        ]
        if milestone > 1:
            found.insert(
                1,
                Run(
                    program.variant(milestones=[milestone - 1]),
                    f"That hands over one call early, on call {milestone - 1}; the counter "
                    f"reaches milestone {milestone} on call {milestone}.",
                ),
            )
        return found

    def start_why(self, program: Program, trace: Trace) -> str:
        """Why the optimizer's lr is not the answer."""
        return (
            f"That is the optimizer's lr={program.start!r}, where the second scheduler "
            f"starts at the milestone; after {counted(program.calls_read, 'call')} the "
            "rate is elsewhere."
        )

    def hint(self, program: Program) -> str:
        """A nudge towards how SequentialLR hands over, never the number."""
        (milestone,) = program.integers("milestones")
        return (
            f"Which scheduler is in charge after {counted(program.calls_read, 'call')}? "
            f"If it is the second, how many of its own calls has it had since milestone "
            f"{milestone}?"
        )

    def explain(self, program: Program, trace: Trace) -> str:
        """What SequentialLR did, with the rates torch computed."""
        first, second = children(program.scheduler)
        (milestone,) = program.integers("milestones")
        n = program.calls_read
        return (
            f"SequentialLR lets {first.name} set the rate until its counter reaches "
            f"milestone {milestone}; on that call {second.name} takes over, starting its own "
            f"count from the initial lr={program.start!r}. After {counted(n, 'call')}: "
            f"{trail(trace, n)}."
        )

    def intent(self, program: Program) -> str:
        """What the debug loop's SequentialLR is for."""
        (milestone,) = program.integers("milestones")
        return f"warm up for {milestone} epochs, then decay"

    def bugs(self, program: Program) -> list[Bug]:
        """SequentialLR's own wrong argument: the milestone counted in batches."""
        return [in_batches(program, "milestones", "switch point")]
