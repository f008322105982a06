"""MultiStepLR: gamma at each milestone the counter reaches."""

from __future__ import annotations

import random

from bot.content.generator.program import Program
from bot.content.generator.templates.base import (
    LRS,
    Bug,
    Mistake,
    Run,
    Scaled,
    Setup,
    Template,
    Trace,
    changes,
    in_batches,
    one_over,
    one_short,
)
from bot.content.generator.templates.wording import after_calls, counted, how_often, listed
from bot.runner import SchedulerSpec

GAMMAS = (0.1, 0.5, 0.2, 0.3, 0.25, 0.6, 0.8)


class MultiStepLRTemplate(Template):
    """MultiStepLR: cuts at milestones; traps at and around them."""

    name = "MultiStepLR"
    difficulty = 0

    def setup(self, rng: random.Random) -> Setup:
        """MultiStepLR parameters from sensible ranges, each a literal in the snippet."""
        gamma = rng.choice(GAMMAS)
        # Three cuts by 0.1 would leave too few digits: fewer cuts for a small gamma.
        count = 2 if gamma <= 0.2 else rng.randint(2, 4)
        milestones = sorted(rng.sample(range(2, 15), count))
        # On, just before or just after a milestone: the off-by-one traps.
        calls = max(1, rng.choice(milestones) + rng.choice((-1, 0, 0, 1, 2)))
        spec = SchedulerSpec("MultiStepLR", {"milestones": milestones, "gamma": gamma})
        return Setup(spec, rng.choice(LRS), calls)

    def mistakes(self, program: Program, trace: Trace) -> list[Mistake]:
        """The wrong options a MultiStepLR problem invites, the most telling first."""
        n, gamma = program.calls_read, program.number("gamma")
        milestones = program.integers("milestones")
        reached = [m for m in milestones if m <= n]
        found = f"only {listed(reached)}" if reached else "none of them"
        mistakes: list[Mistake] = [
            Scaled(
                gamma,
                f"That applies gamma once too often: a cut happens only at a milestone the "
                f"counter has reached, and after {counted(n, 'call')} that is {found}.",
            ),
            one_short(
                program,
                f"That is the rate {after_calls(n - 1)}. The cut at a milestone happens on "
                f"that very call, when the counter reaches it, not on the call after.",
            ),
            one_over(
                program,
                f"That counts one call too many: the rate is read after scheduler.step() "
                f"has run {how_often(n)}.",
            ),
            Run(
                program.variant(milestones=[m + 1 for m in milestones]),
                "That cuts one call after each milestone, as if the counter started at 1 "
                "after the first call; it reaches milestone m on call m itself.",
            ),
            Run(
                program.variant(milestones=[m - 1 for m in milestones]),
                "That reads the milestones as 0-based epoch numbers and cuts one call early; "
                "MultiStepLR cuts on the call that brings its counter to the milestone.",
            ),
            Run(
                program.using(SchedulerSpec("ExponentialLR", {"gamma": gamma})),
                f"That applies gamma on every call, which is what ExponentialLR(gamma={gamma}) "
                f"does; MultiStepLR applies it only at the milestones.",
            ),
            Run(
                program.variant(gamma=round(1 - gamma, 6)),
                f"That reads gamma={gamma} as the share taken off at each milestone; "
                f"MultiStepLR multiplies the rate by gamma, keeping {gamma} of it.",
            ),
            Run(
                program.variant(milestones=milestones[:1]),
                f"That cuts only at the first milestone, {milestones[0]}; every milestone in "
                f"{milestones} the counter reaches cuts the rate again.",
            ),
        ]
        if reached:
            mistakes.append(
                Scaled(
                    1 / gamma,
                    f"That is one cut too few: the cut at milestone {reached[-1]} counts, "
                    f"because it happens on call {reached[-1]} itself.",
                )
            )
        return mistakes

    def start_why(self, program: Program, trace: Trace) -> str:
        """Why the optimizer's lr is not the answer."""
        reached = [m for m in program.integers("milestones") if m <= program.calls_read]
        return (
            f"That is the optimizer's lr={program.start!r}, as if no milestone had been "
            f"reached; the counter has passed {listed(reached)}."
        )

    def hint(self, program: Program) -> str:
        """A nudge towards how MultiStepLR computes the rate, never the number."""
        return (
            f"The counter goes up by one per scheduler.step(). Which milestones of "
            f"{program.integers('milestones')} has it reached after "
            f"{counted(program.calls_read, 'call')}?"
        )

    def explain(self, program: Program, trace: Trace) -> str:
        """What MultiStepLR did, with the rates torch computed."""
        n, gamma = program.calls_read, program.number("gamma")
        milestones = program.integers("milestones")
        reached = [m for m in milestones if m <= n]
        done = (
            f"it has reached {listed(reached)}"
            if reached
            else "it has reached none, so the rate is untouched"
        )
        return (
            f"MultiStepLR multiplies the rate by gamma={gamma} on the call that brings its "
            f"counter to each milestone of {milestones}. After {counted(n, 'call')} {done}: "
            f"{changes(trace, n)}."
        )

    def intent(self, program: Program) -> str:
        """What the debug loop's MultiStepLR is for."""
        milestones = program.integers("milestones")
        return f"multiply the rate by {program.number('gamma')} at epochs {listed(milestones)}"

    def bugs(self, program: Program) -> list[Bug]:
        """MultiStepLR's own wrong argument: milestones counted in batches."""
        return [in_batches(program, "milestones", "milestone list")]
