"""CyclicLR: triangles between base_lr and max_lr, stepped after every batch."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import replace
from typing import ClassVar

from bot.content.generator.program import Program, Read
from bot.content.generator.shapes import Shape
from bot.content.generator.templates.base import (
    Bug,
    Mistake,
    Run,
    Template,
    Trace,
    momentum_bug,
    one_over,
    one_short,
    trail,
)
from bot.content.generator.templates.wording import counted
from bot.runner import Arg, SchedulerSpec


class CyclicLRTemplate(Template):
    """CyclicLR: where in its cycle a batch falls, and what the mode does to the height."""

    name = "CyclicLR"
    difficulty = 2
    shapes: ClassVar[Mapping[Shape, float]] = {Shape.PER_BATCH: 3.0, Shape.MOMENTUM: 1.0}

    def start_ranks_for(self, shape: Shape) -> Mapping[int, float]:
        """The optimizer's lr, when it is base_lr, is the bottom of every cycle; momentum
        0.9 is the top of its cycle."""
        return {3: 1.0} if shape is Shape.MOMENTUM else {0: 1.0}

    def sample(self, rng: random.Random, shape: Shape) -> Program:
        """CyclicLR over a few epochs of batches, each keyword a literal in the snippet."""
        base = rng.choice((0.001, 0.002, 0.005, 0.01))
        top = round(base * rng.choice((5, 10, 20)), 6)
        up = rng.randint(2, 6)
        kwargs: dict[str, Arg] = {"base_lr": base, "max_lr": top, "step_size_up": up}
        down = rng.randint(2, 6)
        if rng.random() < 0.4 and down != up:
            kwargs["step_size_down"] = down
        kwargs["mode"] = rng.choice(("triangular", "triangular2"))
        # Real code often leaves the optimizer's lr at base_lr; some leave an old 0.1.
        lr = base if rng.random() < 0.6 else rng.choice([x for x in (0.1, 0.5, 1.0) if x > top])
        batches = rng.randint(3, 8)
        epochs = rng.randint(1, max(1, 24 // batches))
        read = Read.MOMENTUM if shape is Shape.MOMENTUM else rng.choice((Read.LR, Read.LAST_LR))
        optimizer = rng.choice(("SGD", "Adam", "AdamW")) if read is Read.MOMENTUM else "SGD"
        return Program(
            SchedulerSpec("CyclicLR", kwargs),
            (lr,),
            epochs,
            optimizer=optimizer,
            batches=batches,
            per_batch=True,
            read=read,
        )

    def start_key_sample(self, rng: random.Random, shape: Shape) -> Program | None:
        """A loop that ends a cycle on its last batch, the optimizer's lr being base_lr.

        Both the rate (back at base_lr) and the momentum (back at 0.9) are then the start.
        """
        program = self.sample(rng, shape)
        kwargs = program.scheduler.kwargs
        up = program.integer("step_size_up")
        cycle = up + (program.integer("step_size_down") if "step_size_down" in kwargs else up)
        batches = program.batches or 1
        if cycle % batches:
            return None
        return replace(program, lrs=(program.number("base_lr"),), epochs=cycle // batches)

    def mistakes(self, program: Program, trace: Trace) -> list[Mistake]:
        """The wrong options a CyclicLR problem invites, the most telling first."""
        mode = program.word("mode")
        other = "triangular2" if mode == "triangular" else "triangular"
        up = program.integer("step_size_up")
        found: list[Mistake] = [
            Run(
                program.variant(mode=other),
                "That is mode='triangular2', which halves the height of each new cycle"
                if other == "triangular2"
                else "That keeps every cycle at full height, which is mode='triangular'; "
                "mode='triangular2' halves the height of each new cycle.",
            ),
            one_short(program),
            one_over(program),
            Run(
                program.variant(step_size_up=up + 1),
                f"That climbs for {up + 1} calls; step_size_up={up} reaches the top on call {up}.",
            ),
        ]
        if "step_size_down" in program.scheduler.kwargs:
            found.append(
                Run(
                    program.variant(step_size_down=None),
                    "That makes the way down as long as the way up, which is what leaving "
                    f"step_size_down out does; here step_size_down="
                    f"{program.integer('step_size_down')}.",
                )
            )
        if program.read is Read.MOMENTUM:
            found.append(
                Run(
                    program.variant(base_momentum=0.9, max_momentum=0.8),
                    "That moves the momentum with the rate; CyclicLR moves it the other way, "
                    "down to base_momentum while the rate climbs to max_lr.",
                )
            )
        elif program.lrs[0] != program.number("base_lr"):
            found.append(
                Run(
                    program.variant(base_lr=program.lrs[0]),
                    f"That cycles from the optimizer's lr={program.lrs[0]!r}; CyclicLR "
                    f"overwrites it with base_lr={program.number('base_lr')} when it is built.",
                )
            )
        return found

    def start_why(self, program: Program, trace: Trace) -> str:
        """Why the start value is not the answer."""
        if program.read is Read.MOMENTUM:
            return (
                "That is the momentum the optimizer starts with, at the top of its cycle; "
                "while the rate climbs, CyclicLR lowers the momentum."
            )
        return (
            f"That is the optimizer's lr={program.start!r}, where the rate sits only at the "
            "bottom of a cycle; this call is not at the bottom."
        )

    def hint(self, program: Program) -> str:
        """A nudge towards how CyclicLR computes the rate, never the number."""
        return (
            "Count the calls of one cycle: step_size_up calls up, then step_size_down calls "
            f"down. Where in its cycle is call {program.calls_read}, and how high is that cycle?"
        )

    def explain(self, program: Program, trace: Trace) -> str:
        """What CyclicLR did, with the rates torch computed."""
        kwargs = program.scheduler.kwargs
        up = program.integer("step_size_up")
        down = (
            f"step_size_down={program.integer('step_size_down')} calls"
            if "step_size_down" in kwargs
            else f"{up} calls (step_size_down defaults to step_size_up)"
        )
        height = (
            "mode='triangular2' halves the height of each new cycle"
            if program.word("mode") == "triangular2"
            else "mode='triangular' repeats the cycle at full height"
        )
        moved = (
            "The momentum moves the other way, between max_momentum=0.9 and base_momentum=0.8. "
            if program.read is Read.MOMENTUM
            else ""
        )
        n = program.calls_read
        return (
            f"CyclicLR sets the rate to base_lr={program.number('base_lr')} when it is built "
            f"(the optimizer's own lr is overwritten), climbs in a straight line to "
            f"max_lr={program.number('max_lr')} over step_size_up={up} calls, then falls back "
            f"over {down}; {height}. {moved}After {counted(n, 'call')}: {trail(trace, n)}."
        )

    def debug_program(self, rng: random.Random) -> Program:
        """The debug loop: stepped per batch, logging each epoch's last rate."""
        program = self.sample(rng, Shape.PER_BATCH)
        return replace(program, epochs=max(program.epochs, 4), read=Read.LR, log=True)

    def bugs(self, program: Program) -> list[Bug]:
        """CyclicLR's own bugs: no momentum to cycle, the bounds swapped."""
        base, top = program.number("base_lr"), program.number("max_lr")
        return [
            momentum_bug(program, self.name),
            Bug(
                "bounds-swapped",
                "The base and maximum rates are swapped, so each cycle starts high.",
                "base_lr is the bottom of the cycle and max_lr its top",
                "Give base_lr the lower rate and max_lr the higher one.",
                program.variant(base_lr=top, max_lr=base),
            ),
        ]

    def intent(self, program: Program) -> str:
        """What the debug loop's CyclicLR is for."""
        return (
            f"cycle the rate between {program.number('base_lr')} and "
            f"{program.number('max_lr')}, stepping after every batch"
        )
