"""CosineAnnealingLR: half a cosine over T_max calls, and past it."""

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
    in_batches,
    one_over,
    one_short,
    trail,
)
from bot.content.generator.templates.wording import counted
from bot.runner import Arg, SchedulerSpec


class CosineAnnealingLRTemplate(Template):
    """CosineAnnealingLR: half a cosine over T_max; traps past T_max."""

    name = "CosineAnnealingLR"
    difficulty = 1

    def start_ranks_for(self, shape: Shape) -> Mapping[int, float]:
        """Only the rate epoch 0 trains with is the optimizer's lr: offered in that shape."""
        return self.start_ranks if shape is Shape.RECORD else {}

    def setup(self, rng: random.Random) -> Setup:
        """CosineAnnealingLR parameters from sensible ranges, each a literal in the snippet."""
        t_max = rng.choice((4, 6, 8, 10, 12, 16, 20))  # even, so half of it is a T_max too
        lr = rng.choice(LRS)
        kwargs: dict[str, Arg] = {"T_max": t_max}
        if rng.random() < 0.4:
            kwargs["eta_min"] = rng.choice((0.001, 0.0005, 0.002))
        # Now and then step past T_max, where the rate climbs back up instead of stopping.
        if rng.random() < 0.25:
            calls = rng.randint(t_max + 1, t_max + t_max // 2)
        else:
            calls = rng.randint(1, t_max - 1)
        return Setup(SchedulerSpec("CosineAnnealingLR", kwargs), lr, calls)

    def mistakes(self, program: Program, trace: Trace) -> list[Mistake]:
        """The wrong options a CosineAnnealingLR problem invites, the most telling first."""
        n, t_max = program.calls_read, program.integer("T_max")
        eta_min = program.number("eta_min") if "eta_min" in program.scheduler.kwargs else 0.0
        found: list[Mistake] = [
            Run(
                program.variant(T_max=t_max // 2),
                f"That reads T_max as a whole period, down and back up, so that the rate "
                f"would reach eta_min after {t_max // 2} calls. T_max={t_max} is half a "
                f"period: the way down alone takes {t_max} calls.",
            ),
            Run(
                program.using(
                    SchedulerSpec(
                        "LinearLR",
                        {
                            "start_factor": 1.0,
                            "end_factor": eta_min / program.start,
                            "total_iters": t_max,
                        },
                    )
                ),
                f"That reads the schedule as a straight line from lr down to eta_min={eta_min}; "
                "a cosine falls slowly at first, fastest halfway, and slowly again at the end.",
            ),
            Run(
                program.variant(T_max=t_max * 2),
                f"That stretches the cosine over {t_max * 2} calls, as if T_max counted the way "
                f"down and back; the rate reaches eta_min after T_max={t_max} calls.",
            ),
            one_short(program),
            one_over(program),
        ]
        if eta_min:
            found.append(
                Run(
                    program.variant(eta_min=None),
                    f"That anneals towards 0, ignoring eta_min={eta_min}: the cosine runs from "
                    "lr down to eta_min, not to 0.",
                )
            )
        if n > t_max:
            found += [
                Calls(
                    t_max,
                    f"That assumes the rate stays at the bottom after T_max={t_max} calls. "
                    "CosineAnnealingLR keeps following the cosine, so past T_max it climbs.",
                ),
                Run(
                    program.using(
                        SchedulerSpec(
                            "CosineAnnealingWarmRestarts", {"T_0": t_max, "eta_min": eta_min}
                        )
                    ),
                    f"That restarts the cosine at lr after {t_max} calls, which is what "
                    "CosineAnnealingWarmRestarts does; CosineAnnealingLR climbs back slowly.",
                ),
            ]
        return found

    def start_why(self, program: Program, trace: Trace) -> str:
        """Why the optimizer's lr is not the answer."""
        return (
            f"That is the optimizer's lr={program.start!r}; the first call already moves the "
            "rate down the cosine."
        )

    def hint(self, program: Program) -> str:
        """A nudge towards how CosineAnnealingLR computes the rate, never the number."""
        if program.calls_read > program.integer("T_max"):
            return "Where is the rate after exactly T_max calls, and does the cosine stop there?"
        return (
            "T_max counts the calls from the top of the cosine to its bottom. What fraction "
            "of that way has the loop covered?"
        )

    def explain(self, program: Program, trace: Trace) -> str:
        """What CosineAnnealingLR did, with the rates torch computed."""
        n, t_max = program.calls_read, program.integer("T_max")
        eta_min = program.scheduler.kwargs.get("eta_min", 0.0)
        past = (
            f" Past call {t_max} it does not stop or restart: it climbs back up the cosine."
            if n > t_max
            else ""
        )
        return (
            f"CosineAnnealingLR follows half a cosine from {program.start!r} down to "
            f"eta_min={eta_min} over T_max={t_max} calls: T_max is half a period, not a "
            f"whole one.{past} After {counted(n, 'call')}: {trail(trace, n)}."
        )

    def intent(self, program: Program) -> str:
        """What the debug loop's cosine is for."""
        return f"anneal the rate along a cosine over {program.integer('T_max')} epochs"

    def bugs(self, program: Program) -> list[Bug]:
        """CosineAnnealingLR's own wrong argument: T_max counted in batches."""
        return [in_batches(program, "T_max", "cosine length")]
