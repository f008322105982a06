"""StepLR: gamma every step_size calls, and the off-by-one traps around a cut."""

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
    TimesRight,
    changes,
    drops,
    one_over,
    one_short,
)
from bot.content.generator.templates.wording import (
    after_calls,
    counted,
    cut_count,
    how_often,
    listed,
    plural,
    scales_by,
)
from bot.engine.problems import Level
from bot.runner import SchedulerSpec


class StepLRTemplate(Template):
    """StepLR: a cut every step_size calls; traps around the cut."""

    name = "StepLR"
    level = Level.BEGINNER

    def sample(self, rng: random.Random) -> Setup:
        """StepLR parameters from sensible ranges, each a literal in the snippet."""
        step_size = rng.randint(2, 5)
        gamma = rng.choice((0.5, 0.1, 0.2, 0.8, 0.3))
        cuts = rng.randint(1, 2 if gamma <= 0.2 else 3)  # keeps the rates above ~1e-4
        # Sometimes one call short of a cut (where N+1 bites), sometimes on one (N-1).
        epochs = cuts * step_size + rng.randint(-1, step_size - 1)
        spec = SchedulerSpec("StepLR", {"step_size": step_size, "gamma": gamma})
        return Setup(spec, rng.choice(ROUND_LRS), epochs)

    def mistakes(self, setup: Setup, rates: Rates) -> list[Mistake]:
        """The wrong options a StepLR problem invites, the most telling first."""
        n, size, gamma = setup.epochs, setup.integer("step_size"), setup.number("gamma")
        cuts = drops(rates, n)
        mistakes: list[Mistake] = [
            TimesRight(
                gamma,
                f"That applies gamma once too often. StepLR cuts only on the calls that bring "
                f"its counter to a multiple of step_size={size}: after {counted(n, 'call')} "
                f"that is {cut_count(len(cuts))}.",
            ),
            one_short(
                setup,
                f"That is the rate {after_calls(n - 1)}, before the cut that call {n} makes: "
                f"StepLR cuts on the call that brings its counter to a multiple of "
                f"step_size={size}, not on the call after it.",
            ),
            one_over(
                setup,
                f"That counts one call too many: the next cut comes on call {n + 1}, but "
                f"range({n}) calls scheduler.step() only {how_often(n)}.",
            ),
            OtherSchedule(
                SchedulerSpec("ExponentialLR", {"gamma": gamma}),
                f"That applies gamma on every call, which is what ExponentialLR(gamma={gamma}) "
                f"does; StepLR applies it only every step_size={size} calls.",
            ),
        ]
        if cuts:
            mistakes += [
                TimesRight(
                    1 / gamma,
                    f"That is one cut too few: the cut on call {cuts[-1]} counts, because "
                    f"StepLR cuts on the call that brings its counter to a multiple of "
                    f"step_size={size}.",
                ),
                Number(
                    setup.lr,
                    f"That is the optimizer's starting lr, as if StepLR had not cut it yet; it "
                    f"cut it on call{plural(len(cuts))} {listed(cuts)}.",
                ),
            ]
        return mistakes

    def hint(self, setup: Setup) -> str:
        """A nudge towards how StepLR computes the rate, never the number."""
        return (
            f"Number the calls to scheduler.step() from 1 to {setup.epochs}. On which of them "
            f"does StepLR's counter reach a multiple of step_size={setup.integer('step_size')}?"
        )

    def explain(self, setup: Setup, rates: Rates) -> str:
        """What StepLR did, with the rates torch computed."""
        n, size, gamma = setup.epochs, setup.integer("step_size"), setup.number("gamma")
        cuts = drops(rates, n)
        done = (
            f"it has been cut {cut_count(len(cuts))} (on call{plural(len(cuts))} {listed(cuts)})"
            if cuts
            else "it has not been cut yet"
        )
        return (
            f"StepLR {scales_by(gamma)} every {size} calls: after {counted(n, 'call')} {done}: "
            f"{changes(rates, n)}."
        )
