"""CosineAnnealingWarmRestarts: cosine cycles that restart, each T_mult times longer."""

from __future__ import annotations

import random

from bot.content.generator.program import Program
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
from bot.content.generator.templates.wording import counted, cycle_lengths, listed, plural
from bot.runner import Arg, SchedulerSpec


class CosineAnnealingWarmRestartsTemplate(Template):
    """CosineAnnealingWarmRestarts: restarting cycles; traps in T_0 and T_mult."""

    name = "CosineAnnealingWarmRestarts"
    difficulty = 2

    def setup(self, rng: random.Random) -> Setup:
        """Warm-restart parameters from sensible ranges, each a literal in the snippet."""
        t_0 = rng.randint(2, 6)
        t_mult = rng.choice([m for m in (1, 2, 3) if m != t_0])  # a swap must change it
        kwargs: dict[str, Arg] = {"T_0": t_0, "T_mult": t_mult}
        if rng.random() < 0.3:
            kwargs["eta_min"] = rng.choice((0.001, 0.0005))
        # Within the first two cycles and a little beyond: restarts are the lesson.
        calls = rng.randint(max(1, t_0 - 1), min(t_0 + t_0 * t_mult + 2, 20))
        return Setup(SchedulerSpec("CosineAnnealingWarmRestarts", kwargs), rng.choice(LRS), calls)

    def mistakes(self, program: Program, trace: Trace) -> list[Mistake]:
        """The wrong options a warm-restarts problem invites, the most telling first."""
        t_0, t_mult = program.integer("T_0"), program.integer("T_mult")
        eta_min = program.scheduler.kwargs.get("eta_min", 0.0)
        found: list[Mistake] = [
            Run(
                program.variant(T_0=t_mult, T_mult=t_0),
                f"That swaps T_0 and T_mult: cycles of {cycle_lengths(t_mult, t_0)} calls "
                f"instead of {cycle_lengths(t_0, t_mult)}. T_0 is the length of the first "
                "cycle; T_mult multiplies the length of each next one.",
            ),
            Run(
                program.using(
                    SchedulerSpec("CosineAnnealingLR", {"T_max": t_0, "eta_min": eta_min})
                ),
                f"That never restarts, as if this were CosineAnnealingLR(T_max={t_0}): the rate "
                "would climb slowly back up instead of jumping back when a cycle ends.",
            ),
            Run(
                program.variant(T_0=t_0 + 1),
                f"That restarts one call late, after {t_0 + 1} calls; the first cycle is "
                f"T_0={t_0} calls long, and the rate jumps back on call {t_0}.",
            ),
            one_short(program),
            one_over(program),
        ]
        if t_mult > 1:
            found.insert(
                1,
                Run(
                    program.variant(T_mult=1),
                    f"That ignores T_mult and makes every cycle {t_0} calls long; with "
                    f"T_mult={t_mult} the second cycle lasts {t_0 * t_mult} calls.",
                ),
            )
        return found

    def start_why(self, program: Program, trace: Trace) -> str:
        """Why the optimizer's lr is not the answer."""
        return (
            f"That is the starting rate, lr={program.start!r}, which comes back only when a "
            f"cycle starts, and call {program.calls_read} does not start one."
        )

    def hint(self, program: Program) -> str:
        """A nudge towards how the restarts set the rate, never the number."""
        return (
            f"Write out the cycle lengths: the first is T_0={program.integer('T_0')} calls, and "
            f"each next one is T_mult={program.integer('T_mult')} times longer. Where in its "
            f"cycle does call {program.calls_read} fall?"
        )

    def explain(self, program: Program, trace: Trace) -> str:
        """What CosineAnnealingWarmRestarts did, with the rates torch computed."""
        n, t_0, t_mult = program.calls_read, program.integer("T_0"), program.integer("T_mult")
        restarts = [k for k in range(1, n + 1) if trace[k] > trace[k - 1]]
        seen = (
            f"; in this run it jumped back on call{plural(len(restarts))} {listed(restarts)}"
            if restarts
            else "; this run ends before the first restart"
        )
        return (
            f"CosineAnnealingWarmRestarts runs cycles of {cycle_lengths(t_0, t_mult)} calls "
            f"(T_0={t_0}, each next cycle T_mult={t_mult} times longer). Within a cycle the "
            f"rate follows a cosine from {program.start!r} towards "
            f"eta_min={program.scheduler.kwargs.get('eta_min', 0.0)}; when a new cycle starts "
            f"it jumps back to {program.start!r}{seen}. After {counted(n, 'call')}: "
            f"{trail(trace, n)}."
        )

    def intent(self, program: Program) -> str:
        """What the debug loop's warm restarts are for."""
        return (
            f"restart a cosine after {program.integer('T_0')} epochs, each cycle "
            f"{program.integer('T_mult')} times longer than the last"
        )

    def bugs(self, program: Program) -> list[Bug]:
        """Warm restarts' own wrong argument: T_0 counted in batches."""
        return [in_batches(program, "T_0", "cycle length")]
