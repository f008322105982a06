"""OneCycleLR: up to max_lr and down again, stepped per batch."""

from __future__ import annotations

import random

from bot.content.generator.templates.base import (
    AfterCalls,
    Mistake,
    Number,
    OtherSchedule,
    Rates,
    Setup,
    Template,
    X,
    fmt,
    one_over,
    one_short,
    peak_call,
    trail,
)
from bot.content.generator.templates.wording import counted
from bot.engine.problems import Level
from bot.runner import SchedulerSpec


class OneCycleLRTemplate(Template):
    """OneCycleLR: the climb to max_lr and the anneal, traps around the peak."""

    name = "OneCycleLR"
    level = Level.EXPERT
    momentum = True
    per_batch = True

    def sample(self, rng: random.Random) -> Setup:
        """OneCycleLR parameters from sensible ranges, each a literal in the snippet."""
        max_lr = rng.choice((0.1, 0.2, 0.5, 1.0))
        div_factor = rng.choice((10.0, 25.0))
        total = rng.randint(8, 20)
        # The optimizer's lr is overwritten; pick one that is neither the start nor the peak,
        # so that "it starts from the optimizer's lr" is a visible mistake.
        lr = rng.choice(
            [x for x in (0.1, 0.05, 0.01, 0.3) if x not in (max_lr, max_lr / div_factor)]
        )
        spec = SchedulerSpec(
            "OneCycleLR",
            {
                "max_lr": max_lr,
                "total_steps": total,
                "pct_start": rng.choice((0.25, 0.3, 0.4, 0.5)),
                "anneal_strategy": rng.choice(("cos", "linear")),
                "div_factor": div_factor,
            },
        )
        # Stepping past total_steps is an error in torch: stop one short so N+1 exists.
        return Setup(spec, lr, rng.randint(1, total - 1))

    def horizon(self, setup: Setup) -> int:
        """How many calls to compute for a OneCycleLR problem."""
        return setup.integer("total_steps")

    def mistakes(self, setup: Setup, rates: Rates) -> list[Mistake]:
        """The wrong options a OneCycleLR problem invites, the most telling first."""
        n, max_lr = setup.epochs, setup.number("max_lr")
        strategy = setup.word("anneal_strategy")
        other = "linear" if strategy == "cos" else "cos"
        shape = "along a cosine" if strategy == "cos" else "in a straight line"
        peak = peak_call(rates)
        if n < peak:
            where = "still climbing towards it"
        elif n > peak:
            where = "already coming down from it"
        else:  # the highest call; the true peak falls between two calls
            where = f"at its highest here, {fmt(rates[peak])}, just short of max_lr"
        return [
            Number(
                setup.lr,
                f"That is the optimizer's lr, which OneCycleLR overwrites: it starts at "
                f"max_lr / div_factor = {fmt(rates[0])} and never uses lr={setup.lr}.",
            ),
            one_short(setup),
            OtherSchedule(
                setup.variant(anneal_strategy=other),
                f"That is the anneal_strategy='{other}' curve; with '{strategy}' the rate "
                f"moves {shape} between the start, the peak and the end.",
            ),
            one_over(setup),
            Number(
                max_lr,
                f"That is max_lr={max_lr}, the top of the climb (the rate is highest after "
                f"call {peak}); after {counted(n, 'call')} the rate is {where}.",
            ),
            AfterCalls(
                0,
                "That is where OneCycleLR starts, max_lr / div_factor, before any call; the "
                "first call already starts the climb.",
            ),
        ]

    def hint(self, setup: Setup) -> str:
        """A nudge towards how OneCycleLR computes the rate, never the number."""
        return (
            "Find the peak first: the climb takes pct_start of total_steps. Is call "
            f"{setup.epochs} before the peak or after it, and where did the climb start?"
        )

    def explain(self, setup: Setup, rates: Rates) -> str:
        """What OneCycleLR did, with the rates torch computed."""
        n, peak = setup.epochs, peak_call(rates)
        return (
            f"OneCycleLR ignores the optimizer's lr={setup.lr}: it starts at max_lr / "
            f"div_factor = {setup.number('max_lr')} / {setup.number('div_factor')} = "
            f"{fmt(rates[0])}, climbs towards max_lr={setup.number('max_lr')} over the first "
            f"pct_start={setup.number('pct_start')} of total_steps={setup.integer('total_steps')} "
            f"(the rate is highest after call {peak}: {fmt(rates[peak])}), then "
            f"anneals ('{setup.word('anneal_strategy')}') towards max_lr / (div_factor {X} "
            f"final_div_factor). After {counted(n, 'call')}: {trail(rates, n)}."
        )
