"""ChainedScheduler: every scheduler of the chain acts on every call, their effects multiplied."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import ClassVar

from bot.content.generator.program import Program, children
from bot.content.generator.templates.base import (
    LRS,
    Mistake,
    Run,
    Setup,
    Template,
    Trace,
    one_over,
    one_short,
    trail,
)
from bot.content.generator.templates.sequential_lr import decay, warmup
from bot.content.generator.templates.wording import counted
from bot.runner import SchedulerSpec


class ChainedSchedulerTemplate(Template):
    """ChainedScheduler: a warm-up and a decay at once, not one after the other."""

    name = "ChainedScheduler"
    difficulty = 2
    names = ("warmup", "decay")
    start_ranks: ClassVar[Mapping[int, float]] = {}  # the chain moves the rate at once

    def setup(self, rng: random.Random) -> Setup:
        """A warm-up and a decay, chained."""
        calls = rng.randint(2, 6)
        parts = [warmup(rng, calls), decay(rng)]
        if parts[1].name == "CosineAnnealingLR":
            parts[1] = SchedulerSpec("ExponentialLR", {"gamma": rng.choice((0.9, 0.8, 0.95))})
        spec = SchedulerSpec("ChainedScheduler", {"schedulers": parts})
        return Setup(spec, rng.choice(LRS), rng.randint(1, calls + 5))

    def mistakes(self, program: Program, trace: Trace) -> list[Mistake]:
        """The wrong options a ChainedScheduler problem invites, the most telling first."""
        first, second = children(program.scheduler)
        handover = first.kwargs.get("total_iters", 1)
        return [
            Run(
                program.using(
                    SchedulerSpec(
                        "SequentialLR", {"schedulers": [first, second], "milestones": [handover]}
                    )
                ),
                f"That runs the two one after the other, as SequentialLR(milestones=[{handover}]) "
                "would; ChainedScheduler steps both on every call and multiplies their effects.",
            ),
            Run(
                program.using(first),
                f"That is {first.name} alone; {second.name} acts on every call as well.",
            ),
            Run(
                program.using(second),
                f"That is {second.name} alone; the warm-up's factor applies on top of it.",
            ),
            one_short(program),
            one_over(program),
        ]

    def start_why(self, program: Program, trace: Trace) -> str:
        """Why the optimizer's lr is not the answer (never offered: see start_ranks)."""
        return f"That is the optimizer's lr={program.start!r}, before either scheduler acts."

    def hint(self, program: Program) -> str:
        """A nudge towards how ChainedScheduler combines, never the number."""
        return (
            "Both schedulers act on every call. What factor does each one apply after "
            f"{counted(program.calls_read, 'call')}, and what is their product?"
        )

    def explain(self, program: Program, trace: Trace) -> str:
        """What ChainedScheduler did, with the rates torch computed."""
        first, second = children(program.scheduler)
        n = program.calls_read
        return (
            f"ChainedScheduler calls step() on {first.name} and then {second.name} every "
            f"time, so their factors multiply: the warm-up's and the decay's together. After "
            f"{counted(n, 'call')}: {trail(trace, n)}."
        )

    def intent(self, program: Program) -> str:
        """What the debug loop's chain is for."""
        return "warm up and decay at the same time, the two factors multiplied"
