"""MultiStepLR: gamma at each milestone the counter reaches."""

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
    one_over,
    one_short,
)
from bot.content.generator.templates.wording import after_calls, counted, how_often, listed
from bot.engine.problems import Level
from bot.runner import SchedulerSpec


class MultiStepLRTemplate(Template):
    """MultiStepLR: cuts at milestones; traps at and around them."""

    name = "MultiStepLR"
    level = Level.INTERMEDIATE

    def sample(self, rng: random.Random) -> Setup:
        """MultiStepLR parameters from sensible ranges, each a literal in the snippet."""
        gamma = rng.choice((0.1, 0.5, 0.2))
        # Three cuts by 0.1 would print in scientific notation (5e-05): two at most then.
        count = 2 if gamma == 0.1 else rng.randint(2, 3)
        milestones = sorted(rng.sample(range(2, 11), count))
        # Land on, just before or just after a milestone: the off-by-one traps.
        epochs = max(1, rng.choice(milestones) + rng.choice((-1, 0, 0, 1)))
        spec = SchedulerSpec("MultiStepLR", {"milestones": milestones, "gamma": gamma})
        return Setup(spec, rng.choice(ROUND_LRS), epochs)

    def mistakes(self, setup: Setup, rates: Rates) -> list[Mistake]:
        """The wrong options a MultiStepLR problem invites, the most telling first."""
        n, gamma = setup.epochs, setup.number("gamma")
        reached = [m for m in setup.integers("milestones") if m <= n]
        found = f"only {listed(reached)}" if reached else "none of them"
        mistakes: list[Mistake] = [
            TimesRight(
                gamma,
                f"That applies gamma once too often: a cut happens only at a milestone the "
                f"counter has reached, and after {counted(n, 'call')} that is {found}.",
            ),
            one_short(
                setup,
                f"That is the rate {after_calls(n - 1)}. The cut at milestone {n} happens on "
                f"call {n} itself, when the counter reaches it, not on the call after.",
            ),
            one_over(
                setup,
                f"That counts one call too many: the cut at milestone {n + 1} would come on "
                f"call {n + 1}, and range({n}) calls scheduler.step() only {how_often(n)}.",
            ),
            OtherSchedule(
                SchedulerSpec("ExponentialLR", {"gamma": gamma}),
                f"That applies gamma on every call, which is what ExponentialLR(gamma={gamma}) "
                f"does; MultiStepLR applies it only at the milestones.",
            ),
            OtherSchedule(
                setup.variant(gamma=round(1 - gamma, 6)),
                f"That reads gamma={gamma} as the share taken off at each milestone; "
                f"MultiStepLR multiplies the rate by gamma, so each cut keeps {gamma} of the "
                f"rate, not {round(1 - gamma, 6)}.",
            ),
        ]
        if reached:
            mistakes += [
                TimesRight(
                    1 / gamma,
                    f"That is one cut too few: the cut at milestone {reached[-1]} counts, "
                    f"because it happens on call {reached[-1]} itself, when the counter "
                    f"reaches it.",
                ),
                Number(
                    setup.lr,
                    f"That is the optimizer's starting lr, as if no milestone had been "
                    f"reached; the counter has passed {listed(reached)}.",
                ),
            ]
        return mistakes

    def hint(self, setup: Setup) -> str:
        """A nudge towards how MultiStepLR computes the rate, never the number."""
        return (
            f"The counter goes up by one per scheduler.step(). Which milestones of "
            f"{setup.integers('milestones')} has it reached after {counted(setup.epochs, 'call')}?"
        )

    def explain(self, setup: Setup, rates: Rates) -> str:
        """What MultiStepLR did, with the rates torch computed."""
        n, gamma = setup.epochs, setup.number("gamma")
        milestones = setup.integers("milestones")
        reached = [m for m in milestones if m <= n]
        done = (
            f"it has reached {listed(reached)}"
            if reached
            else "it has reached none, so the rate is untouched"
        )
        return (
            f"MultiStepLR multiplies the rate by gamma={gamma} on the call that brings its "
            f"counter to each milestone of {milestones}. After {counted(n, 'call')} {done}: "
            f"{changes(rates, n)}."
        )
