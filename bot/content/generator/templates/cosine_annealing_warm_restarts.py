"""CosineAnnealingWarmRestarts: cosine cycles that restart, each T_mult times longer."""

from __future__ import annotations

import random

from bot.content.generator.templates.base import (
    ROUND_LRS,
    Mistake,
    Number,
    OtherSchedule,
    Rates,
    Setup,
    Template,
    one_over,
    one_short,
    trail,
)
from bot.content.generator.templates.wording import counted, cycle_lengths, listed, plural
from bot.engine.problems import Level
from bot.runner import SchedulerSpec


class WarmRestartsTemplate(Template):
    """CosineAnnealingWarmRestarts: restarting cycles; traps in T_0 and T_mult."""

    name = "CosineAnnealingWarmRestarts"
    level = Level.ADVANCED

    def sample(self, rng: random.Random) -> Setup:
        """Warm-restart parameters from sensible ranges, each a literal in the snippet."""
        t_0 = rng.randint(2, 5)
        t_mult = rng.choice([m for m in (1, 2, 3) if m != t_0])  # a swap must change it
        eta_min = rng.choice((0.0, 0.001))
        # Within the first two cycles and a little beyond: restarts are the lesson.
        epochs = rng.randint(t_0 - 1, min(t_0 + t_0 * t_mult + 2, 20))
        spec = SchedulerSpec(
            "CosineAnnealingWarmRestarts", {"T_0": t_0, "T_mult": t_mult, "eta_min": eta_min}
        )
        return Setup(spec, rng.choice(ROUND_LRS), epochs)

    def mistakes(self, setup: Setup, rates: Rates) -> list[Mistake]:
        """The wrong options a warm-restarts problem invites, the most telling first."""
        n, t_0, t_mult = setup.epochs, setup.integer("T_0"), setup.integer("T_mult")
        mistakes: list[Mistake] = [
            OtherSchedule(
                setup.variant(T_0=t_mult, T_mult=t_0),
                f"That swaps T_0 and T_mult: cycles of {cycle_lengths(t_mult, t_0)} calls instead "
                f"of {cycle_lengths(t_0, t_mult)}. T_0 is the length of the first cycle; T_mult "
                f"multiplies the length of each next one.",
            )
        ]
        if t_mult > 1:
            mistakes.append(
                OtherSchedule(
                    setup.variant(T_mult=1),
                    f"That ignores T_mult and makes every cycle {t_0} calls long; with "
                    f"T_mult={t_mult} the second cycle lasts {t_0 * t_mult} calls.",
                )
            )
        mistakes.append(
            OtherSchedule(
                SchedulerSpec(
                    "CosineAnnealingLR", {"T_max": t_0, "eta_min": setup.number("eta_min")}
                ),
                f"That never restarts, as if this were CosineAnnealingLR(T_max={t_0}): the "
                f"rate would climb slowly back up instead of jumping back to {setup.lr} "
                f"when a cycle ends.",
            )
        )
        mistakes += [
            one_short(setup),
            one_over(setup),
            Number(
                setup.lr,
                f"That is the starting rate, which comes back only at a restart, and call "
                f"{n} does not start a cycle.",
            ),
        ]
        return mistakes

    def hint(self, setup: Setup) -> str:
        """A nudge towards how the restarts set the rate, never the number."""
        return (
            f"Write out the cycle lengths: the first is T_0={setup.integer('T_0')} calls, and "
            f"each next one is T_mult={setup.integer('T_mult')} times longer. Where in its cycle "
            f"does call {setup.epochs} fall?"
        )

    def explain(self, setup: Setup, rates: Rates) -> str:
        """What CosineAnnealingWarmRestarts did, with the rates torch computed."""
        n, t_0, t_mult = setup.epochs, setup.integer("T_0"), setup.integer("T_mult")
        restarts = [k for k in range(1, n + 1) if rates[k] > rates[k - 1]]
        seen = (
            f"; in this run it jumped back on call{plural(len(restarts))} {listed(restarts)}"
            if restarts
            else "; this run ends before the first restart"
        )
        return (
            f"CosineAnnealingWarmRestarts runs cycles of {cycle_lengths(t_0, t_mult)} calls "
            f"(T_0={t_0}, each next cycle T_mult={t_mult} times longer). Within a cycle the "
            f"rate follows a cosine from {setup.lr} towards eta_min={setup.number('eta_min')}; "
            f"when a new cycle starts it jumps back to {setup.lr}{seen}. After "
            f"{counted(n, 'call')}: {trail(rates, n)}."
        )
