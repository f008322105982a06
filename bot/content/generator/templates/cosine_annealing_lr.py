"""CosineAnnealingLR: half a cosine over T_max calls, and past it."""

from __future__ import annotations

import random

from bot.content.generator.templates.base import (
    ROUND_LRS,
    AfterCalls,
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
from bot.content.generator.templates.wording import counted
from bot.engine.problems import Level
from bot.runner import SchedulerSpec


class CosineAnnealingLRTemplate(Template):
    """CosineAnnealingLR: half a cosine over T_max; traps past T_max."""

    name = "CosineAnnealingLR"
    level = Level.INTERMEDIATE

    def sample(self, rng: random.Random) -> Setup:
        """CosineAnnealingLR parameters from sensible ranges, each a literal in the snippet."""
        t_max = rng.choice((4, 6, 8, 10, 12))  # even, so that half of it is a T_max too
        eta_min = rng.choice((0.0, 0.0, 0.001, 0.01))
        # Now and then step past T_max, where the rate climbs back up instead of stopping.
        if rng.random() < 0.25:
            epochs = rng.randint(t_max + 1, t_max + t_max // 2)
        else:
            epochs = rng.randint(1, t_max)
        spec = SchedulerSpec("CosineAnnealingLR", {"T_max": t_max, "eta_min": eta_min})
        return Setup(spec, rng.choice(ROUND_LRS), epochs)

    def mistakes(self, setup: Setup, rates: Rates) -> list[Mistake]:
        """The wrong options a CosineAnnealingLR problem invites, the most telling first."""
        n, t_max = setup.epochs, setup.integer("T_max")
        mistakes: list[Mistake] = [
            OtherSchedule(
                setup.variant(T_max=t_max // 2),
                f"That reads T_max as a whole period, down and back up, so that the rate "
                f"would reach eta_min after {t_max // 2} calls. T_max={t_max} is half a "
                f"period: the way down alone takes {t_max} calls.",
            )
        ]
        eta_min = setup.number("eta_min")
        mistakes.append(
            OtherSchedule(
                SchedulerSpec(
                    "LinearLR",
                    {"start_factor": 1.0, "end_factor": eta_min / setup.lr, "total_iters": t_max},
                ),
                f"That reads the schedule as a straight line from {setup.lr} to "
                f"eta_min={eta_min}; CosineAnnealingLR follows a cosine, which falls slowly "
                f"at first, fastest halfway and slowly again near the bottom.",
            )
        )
        if n > t_max:
            mistakes.append(
                AfterCalls(
                    t_max,
                    f"That assumes the rate stays at eta_min after T_max={t_max} calls. "
                    f"CosineAnnealingLR keeps following the cosine, so past T_max it climbs "
                    f"back up.",
                )
            )
        mistakes += [
            one_short(setup),
            one_over(setup),
            Number(
                setup.lr,
                "That is the optimizer's starting lr; the first call already moves the rate "
                "down the cosine.",
            ),
        ]
        return mistakes

    def hint(self, setup: Setup) -> str:
        """A nudge towards how CosineAnnealingLR computes the rate, never the number."""
        if setup.epochs > setup.integer("T_max"):
            return "Where is the rate after exactly T_max calls, and does the cosine stop there?"
        return (
            "T_max counts the calls from the top of the cosine to its bottom. What fraction "
            "of that way has the loop covered?"
        )

    def explain(self, setup: Setup, rates: Rates) -> str:
        """What CosineAnnealingLR did, with the rates torch computed."""
        n, t_max, eta_min = setup.epochs, setup.integer("T_max"), setup.number("eta_min")
        past = (
            f" Past call {t_max} it does not stop or restart: it climbs back up the cosine."
            if n > t_max
            else ""
        )
        return (
            f"CosineAnnealingLR follows half a cosine from {setup.lr} down to "
            f"eta_min={eta_min} over T_max={t_max} calls: T_max is half a period, not a "
            f"whole one.{past} After {counted(n, 'call')}: {trail(rates, n)}."
        )
