"""OneCycleLR: up to max_lr and down again, stepped after every batch."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import replace
from typing import ClassVar

from bot.content.generator.program import Program, Read
from bot.content.generator.shapes import Shape
from bot.content.generator.templates.base import (
    Bug,
    Calls,
    Mistake,
    Run,
    Template,
    Trace,
    fmt,
    momentum_bug,
    one_over,
    one_short,
    peak_call,
    trail,
)
from bot.content.generator.templates.wording import counted
from bot.runner import Arg, SchedulerSpec


class OneCycleLRTemplate(Template):
    """OneCycleLR: the climb to max_lr and the anneal; traps around the peak."""

    name = "OneCycleLR"
    difficulty = 2
    shapes: ClassVar[Mapping[Shape, float]] = {Shape.PER_BATCH: 3.0, Shape.MOMENTUM: 1.0}

    def start_ranks_for(self, shape: Shape) -> Mapping[int, float]:
        """max_lr, often the optimizer's lr too, tops the schedule; momentum never sits at
        the optimizer's 0.9."""
        return {} if shape is Shape.MOMENTUM else {3: 1.0}

    def sample(self, rng: random.Random, shape: Shape) -> Program:
        """OneCycleLR planned over some epochs of batches; the loop runs the first few."""
        top = rng.choice((0.1, 0.2, 0.05, 0.01, 0.5, 0.3))
        epochs, batches = rng.randint(2, 6), rng.randint(3, 8)
        kwargs: dict[str, Arg] = {"max_lr": top}
        if rng.random() < 0.5:
            kwargs |= {"epochs": epochs, "steps_per_epoch": batches}
        else:
            kwargs["total_steps"] = epochs * batches
        kwargs["pct_start"] = rng.choice((0.2, 0.25, 0.3, 0.4, 0.5))
        kwargs["anneal_strategy"] = rng.choice(("cos", "linear"))
        if rng.random() < 0.5:
            kwargs["div_factor"] = rng.choice((10.0, 20.0))
        # Real code usually gives the optimizer max_lr; some leave an old, smaller lr.
        lr = top if rng.random() < 0.6 else rng.choice([x for x in (0.001, 0.003) if x < top])
        read = Read.MOMENTUM if shape is Shape.MOMENTUM else rng.choice((Read.LR, Read.LAST_LR))
        optimizer = rng.choice(("SGD", "Adam", "AdamW")) if read is Read.MOMENTUM else "SGD"
        return Program(
            SchedulerSpec("OneCycleLR", kwargs),
            (lr,),
            rng.randint(1, epochs - 1),  # the first epochs of the planned run
            optimizer=optimizer,
            batches=batches,
            per_batch=True,
            read=read,
        )

    def start_key_sample(self, rng: random.Random, shape: Shape) -> Program | None:
        """A run read exactly at the peak, with the optimizer's lr equal to max_lr."""
        if shape is not Shape.PER_BATCH:
            return None
        program = self.sample(rng, shape)
        total, batches = _total(program), program.batches or 1
        peak = program.number("pct_start") * total - 1
        if peak != int(peak) or int(peak) % batches or not 0 < peak < total:
            return None
        return replace(program, lrs=(program.number("max_lr"),), epochs=int(peak) // batches)

    def horizon(self, program: Program) -> int:
        """OneCycleLR refuses to step past total_steps: the trace stops short of it."""
        return min(2 * program.calls_read + 2, _total(program) - 1)

    def mistakes(self, program: Program, trace: Trace) -> list[Mistake]:
        """The wrong options a OneCycleLR problem invites, the most telling first."""
        strategy = program.word("anneal_strategy")
        other = "linear" if strategy == "cos" else "cos"
        pct = program.number("pct_start")
        top = program.number("max_lr")
        found: list[Mistake] = [
            Run(
                program.variant(anneal_strategy=other),
                f"That is the anneal_strategy='{other}' curve; with '{strategy}' the rate moves "
                f"{'along a cosine' if strategy == 'cos' else 'in a straight line'} between the "
                "start, the peak and the end.",
            ),
            one_short(program),
            one_over(program),
            Calls(
                0,
                "That is where OneCycleLR starts, max_lr / div_factor, before any call; every "
                "batch's call moves the rate along the cycle.",
            ),
            Run(
                program.variant(pct_start=round(1 - pct, 6)),
                f"That reads pct_start={pct} as the share spent coming down; it is the share "
                "of the steps spent climbing.",
            ),
            Run(
                program.variant(three_phase=True),
                "That is three_phase=True, which comes back down to the start before the "
                "final anneal; the default has two phases.",
            ),
        ]
        if program.lrs[0] != top and program.read is not Read.MOMENTUM:
            found.append(
                Run(
                    program.variant(div_factor=top / program.lrs[0]),
                    f"That starts from the optimizer's lr={program.lrs[0]!r}; OneCycleLR "
                    "overwrites it with max_lr / div_factor when it is built.",
                )
            )
        if program.read is Read.MOMENTUM:
            found.append(
                Run(
                    program.variant(base_momentum=0.95, max_momentum=0.85),
                    "That moves the momentum with the rate; OneCycleLR moves it the other way, "
                    "down to base_momentum=0.85 at the peak and back up to 0.95.",
                )
            )
        return found

    def start_why(self, program: Program, trace: Trace) -> str:
        """Why the optimizer's lr is not the answer."""
        peak = peak_call(trace)
        return (
            f"That is the optimizer's lr={program.start!r}; OneCycleLR overwrites it and is "
            f"highest after call {peak} ({fmt(trace[peak])}), not after call "
            f"{program.calls_read}."
        )

    def hint(self, program: Program) -> str:
        """A nudge towards how OneCycleLR computes the rate, never the number."""
        return (
            "Find the peak first: the climb takes pct_start of all the planned steps. Is call "
            f"{program.calls_read} before the peak or after it, and where did the climb start?"
        )

    def explain(self, program: Program, trace: Trace) -> str:
        """What OneCycleLR did, with the numbers torch computed."""
        n = program.calls_read
        if program.read is Read.MOMENTUM:
            moved = (
                f"The {program.noun} moves the other way: from max_momentum=0.95 down to 0.85 "
                "at the peak of the rate, then back up. "
            )
        else:
            moved = f"(the rate is highest after call {peak_call(trace)}). "
        return (
            f"OneCycleLR plans {_total(program)} steps (one per batch). It ignores the "
            f"optimizer's lr: it starts at max_lr / div_factor, climbs to "
            f"max_lr={program.number('max_lr')} over the first pct_start="
            f"{program.number('pct_start')} of the steps, then anneals "
            f"('{program.word('anneal_strategy')}') far below the start {moved}"
            f"After {counted(n, 'call')}: {trail(trace, n)}."
        )

    def debug_program(self, rng: random.Random) -> Program:
        """The debug loop: the whole planned run, stepped per batch, logging each epoch."""
        program = self.sample(rng, Shape.PER_BATCH)
        epochs = _total(program) // (program.batches or 1)
        return replace(program, epochs=epochs - 1, read=Read.LR, log=True)

    def intent(self, program: Program) -> str:
        """What the debug loop's OneCycleLR is for."""
        return f"climb to max_lr={program.number('max_lr')} and anneal, stepping every batch"

    def bugs(self, program: Program) -> list[Bug]:
        """OneCycleLR's own wrong argument: total_steps counted in epochs."""
        epochs = _total(program) // (program.batches or 1)
        kwargs = {
            k: v
            for k, v in program.scheduler.kwargs.items()
            if k not in ("epochs", "steps_per_epoch", "total_steps")
        }
        return [
            momentum_bug(program, self.name),
            Bug(
                "total-in-epochs",
                "The total steps count epochs, but the scheduler steps after each batch.",
                "the planned steps count batches, as often as the loop steps the scheduler",
                "Plan one step per batch: total_steps = epochs * batches per epoch.",
                replace(
                    program,
                    scheduler=SchedulerSpec("OneCycleLR", {**kwargs, "total_steps": epochs}),
                ),
            ),
        ]


def _total(program: Program) -> int:
    kwargs = program.scheduler.kwargs
    if "total_steps" in kwargs:
        return program.integer("total_steps")
    return program.integer("epochs") * program.integer("steps_per_epoch")
