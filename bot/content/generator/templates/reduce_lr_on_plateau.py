"""ReduceLROnPlateau: the rate cut when the validation loss stops improving."""

from __future__ import annotations

import random
from dataclasses import replace

from bot.content.generator.program import Program
from bot.content.generator.shapes import Shape
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
    one_short,
)
from bot.content.generator.templates.wording import counted, listed, ordinal, plural
from bot.runner import Arg, SchedulerSpec


def losses(rng: random.Random, count: int, best: float = 1.0) -> tuple[float, ...]:
    """A validation loss that improves, stalls, and improves again, as real ones do."""
    values: list[float] = []
    for _ in range(count):
        if rng.random() < 0.45:
            best = round(best - rng.choice((0.05, 0.08, 0.1, 0.12)), 2)
            values.append(best)
        else:
            values.append(round(best + rng.choice((0.0, 0.01, 0.02, 0.04)), 2))
    return tuple(values)


class ReduceLROnPlateauTemplate(Template):
    """ReduceLROnPlateau: patience, the count of bad epochs, and what counts as better."""

    name = "ReduceLROnPlateau"
    difficulty = 2

    def setup(self, rng: random.Random) -> Setup:
        """Plateau parameters from sensible ranges, each a literal in the snippet."""
        kwargs: dict[str, Arg] = {
            "factor": rng.choice((0.1, 0.5, 0.2, 0.25)),
            "patience": rng.randint(0, 3),
        }
        if rng.random() < 0.3:
            kwargs["cooldown"] = rng.randint(1, 2)
        spec = SchedulerSpec("ReduceLROnPlateau", kwargs)
        return Setup(spec, rng.choice(LRS), rng.randint(4, 12))

    def sample(self, rng: random.Random, shape: Shape) -> Program:
        """The program, with a validation loss for every epoch it runs."""
        program = super().sample(rng, shape)
        return replace(program, metrics=losses(rng, program.epochs))

    def horizon(self, program: Program) -> int:
        """The trace can only go as far as the losses do."""
        return program.epochs

    def mistakes(self, program: Program, trace: Trace) -> list[Mistake]:
        """The wrong options a plateau problem invites, the most telling first."""
        n, factor = program.calls_read, program.number("factor")
        patience = program.integer("patience")
        cuts = drops(trace, n)
        found: list[Mistake] = [
            Run(
                program.variant(patience=patience + 1),
                f"That waits one bad epoch too many: with patience={patience} the rate is cut "
                f"on the {ordinal(patience + 1)} epoch in a row without improvement.",
            ),
            Run(
                program.variant(mode="max"),
                "That treats the loss like an accuracy (mode='max'), cutting when it falls; "
                "the default mode='min' cuts when the loss stops falling.",
            ),
            Run(
                program.variant(factor=round(1 - factor, 6)),
                f"That reads factor={factor} as the share taken off at a cut; the new rate is "
                f"factor {factor} times the old one.",
            ),
            Scaled(factor, "That cuts once more than torch did: count the bad epochs again."),
            one_short(program),
        ]
        if patience > 0:
            found.insert(
                1,
                Run(
                    program.variant(patience=patience - 1),
                    f"That cuts one bad epoch early: patience={patience} means {patience} bad "
                    f"epoch{plural(patience)} are tolerated, and the next one cuts.",
                ),
            )
        if patience > 1:
            found.append(
                Run(
                    program.variant(patience=0),
                    f"That cuts on every epoch without improvement, as patience=0 would; "
                    f"patience={patience} tolerates {patience} such epochs in a row first.",
                )
            )
        if "cooldown" in program.scheduler.kwargs:
            found.append(
                Run(
                    program.variant(cooldown=None),
                    "That ignores the cooldown: after a cut, bad epochs are not counted for "
                    f"cooldown={program.integer('cooldown')} epoch(s).",
                )
            )
        if cuts:
            found.append(
                Scaled(1 / factor, f"That misses the cut on call {cuts[-1]}: torch made it.")
            )
        return found

    def start_why(self, program: Program, trace: Trace) -> str:
        """Why the optimizer's lr is not the answer."""
        cuts = drops(trace, program.calls_read)
        return (
            f"That is the optimizer's lr={program.start!r}, as if the loss never stalled for "
            f"long enough; torch cut the rate on call{plural(len(cuts))} {listed(cuts)}."
        )

    def hint(self, program: Program) -> str:
        """A nudge towards how the plateau counter works, never the number."""
        return (
            "Walk through val_losses keeping the best so far and a count of epochs without "
            f"improvement. When does that count pass patience={program.integer('patience')}?"
        )

    def explain(self, program: Program, trace: Trace) -> str:
        """What ReduceLROnPlateau did, with the rates torch computed."""
        n = program.calls_read
        cuts = drops(trace, n)
        when = f"it cut on call{plural(len(cuts))} {listed(cuts)}" if cuts else "it never cut"
        return (
            "ReduceLROnPlateau keeps the best loss so far and counts the epochs since it "
            f"improved (by more than the default threshold, 0.01 %); once that count passes "
            f"patience={program.integer('patience')}, it multiplies the rate by "
            f"factor={program.number('factor')} and starts counting again. After "
            f"{counted(n, 'call')} {when}: {changes(trace, n)}."
        )

    def intent(self, program: Program) -> str:
        """What the debug loop's plateau scheduler is for."""
        return (
            f"cut the rate by {program.number('factor')} when the validation loss stops "
            f"improving for {program.integer('patience') + 1} epochs"
        )

    def debug_program(self, rng: random.Random) -> Program:
        """The debug loop, with validation losses that stall."""
        program = super().debug_program(rng)
        program = replace(program, epochs=max(program.epochs, 8))
        return replace(program, metrics=losses(rng, program.epochs))

    def bugs(self, program: Program) -> list[Bug]:
        """ReduceLROnPlateau's own bugs: the wrong loss, the wrong mode, no loss at all."""
        count = len(program.metrics or ())
        falling = tuple(round(1.0 - 0.07 * i, 2) for i in range(count))
        return [
            Bug(
                "train-loss",
                "The scheduler is given the training loss, which keeps falling each epoch.",
                "the scheduler is given the validation loss",
                "Pass the validation loss: it is the one that stalls.",
                replace(program, train_losses=falling),
            ),
            Bug(
                "mode-max",
                "The scheduler uses mode max, as for an accuracy, not a loss.",
                "mode is the default 'min', right for a loss",
                "Drop mode='max': a loss should fall, so the default 'min' is right.",
                program.variant(mode="max"),
            ),
            Bug(
                "no-metric",
                "The scheduler is stepped without the validation loss it has to watch.",
                "every scheduler.step() call passes the validation loss",
                "Pass the loss: scheduler.step(val_losses[epoch]).",
                replace(program, bare=True),
            ),
        ]
