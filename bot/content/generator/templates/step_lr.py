"""StepLR: gamma every step_size calls, and the off-by-one traps around a cut."""

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
    drops,
    in_batches,
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
from bot.runner import SchedulerSpec

GAMMAS = (0.5, 0.1, 0.2, 0.8, 0.3, 0.25, 0.6, 0.9)


class StepLRTemplate(Template):
    """StepLR: a cut every step_size calls; traps around the cut."""

    name = "StepLR"
    difficulty = 0

    def setup(self, rng: random.Random) -> Setup:
        """StepLR parameters from sensible ranges, each a literal in the snippet."""
        step_size = rng.randint(2, 5)
        gamma = rng.choice(GAMMAS)
        # Up to four cuts where the rate stays readable (above ~1e-4 from lr=0.01).
        cuts = rng.randint(0, 2 if gamma <= 0.2 else 3 if gamma <= 0.3 else 4)
        # Just before a cut, on one (where N-1 bites) or between two.
        calls = max(1, cuts * step_size + rng.randint(-1, step_size - 1))
        spec = SchedulerSpec("StepLR", {"step_size": step_size, "gamma": gamma})
        return Setup(spec, rng.choice(LRS), calls)

    def mistakes(self, program: Program, trace: Trace) -> list[Mistake]:
        """The wrong options a StepLR problem invites, the most telling first."""
        n, size, gamma = program.calls_read, program.integer("step_size"), program.number("gamma")
        cuts = drops(trace, n)
        found: list[Mistake] = [
            Scaled(
                gamma,
                f"That applies gamma once too often. StepLR cuts only on the calls that bring "
                f"its counter to a multiple of step_size={size}: after {counted(n, 'call')} "
                f"that is {cut_count(len(cuts))}.",
            ),
            one_short(
                program,
                f"That is the rate {after_calls(n - 1)}: StepLR cuts on the call that brings "
                f"its counter to a multiple of step_size={size}, not on the call after it.",
            ),
            one_over(
                program,
                f"That counts one call too many: the rate is read after "
                f"scheduler.step() has run {how_often(n)}.",
            ),
            Run(
                program.using(SchedulerSpec("ExponentialLR", {"gamma": gamma})),
                f"That applies gamma on every call, which is what ExponentialLR(gamma={gamma}) "
                f"does; StepLR applies it only every step_size={size} calls.",
            ),
            Run(
                program.variant(gamma=round(1 - gamma, 6)),
                f"That reads gamma={gamma} as the share taken off at each cut; StepLR "
                f"multiplies the rate by gamma, so each cut keeps {gamma} of the rate.",
            ),
            Run(
                program.variant(step_size=size + 1),
                f"That cuts one call late, every {size + 1} calls: the counter starts at 0, "
                f"so the first cut comes on call {size}, not {size + 1}.",
            ),
            Run(
                program.using(SchedulerSpec("MultiStepLR", {"milestones": [size], "gamma": gamma})),
                f"That cuts only once, on call {size}, as MultiStepLR(milestones=[{size}]) "
                f"would; StepLR cuts again every {size} calls after that.",
            ),
            Run(
                program.using(SchedulerSpec("ExponentialLR", {"gamma": gamma ** (1 / size)})),
                f"That spreads each cut evenly over its {size} calls, as a smooth decay of "
                f"gamma^(1/{size}) per call; StepLR holds the rate and cuts it all at once.",
            ),
        ]
        if cuts:
            found.append(
                Scaled(
                    1 / gamma,
                    f"That is one cut too few: the cut on call {cuts[-1]} counts, because "
                    f"StepLR cuts on the call that brings its counter to a multiple of "
                    f"step_size={size}.",
                )
            )
        return found

    def start_why(self, program: Program, trace: Trace) -> str:
        """Why the optimizer's lr is not the answer."""
        cuts = drops(trace, program.calls_read)
        return (
            f"That is the optimizer's lr={program.start!r}, as if StepLR had not cut it yet; "
            f"it cut it on call{plural(len(cuts))} {listed(cuts)}."
        )

    def hint(self, program: Program) -> str:
        """A nudge towards how StepLR computes the rate, never the number."""
        return (
            f"Number the calls to scheduler.step() from 1 to {program.calls_read}. On which "
            f"of them does StepLR's counter reach a multiple of "
            f"step_size={program.integer('step_size')}?"
        )

    def explain(self, program: Program, trace: Trace) -> str:
        """What StepLR did, with the rates torch computed."""
        n, size, gamma = program.calls_read, program.integer("step_size"), program.number("gamma")
        cuts = drops(trace, n)
        done = (
            f"it has been cut {cut_count(len(cuts))} (on call{plural(len(cuts))} {listed(cuts)})"
            if cuts
            else "it has not been cut yet"
        )
        return (
            f"StepLR {scales_by(gamma)} every {size} calls: after {counted(n, 'call')} {done}: "
            f"{changes(trace, n)}."
        )

    def intent(self, program: Program) -> str:
        """What the debug loop's StepLR is for."""
        return (
            f"multiply the rate by {program.number('gamma')} every "
            f"{program.integer('step_size')} epochs"
        )

    def bugs(self, program: Program) -> list[Bug]:
        """StepLR's own wrong argument: step_size counted in batches."""
        return [in_batches(program, "step_size", "step size")]
