"""The code shapes a generated problem comes in, and the mistakes each shape invites.

A template samples a scheduler, the optimizer's lr and how many calls of scheduler.step()
to ask about; `build` turns that into a training loop of one shape: per epoch, per epoch
over batches, two parameter groups, the rate one epoch trained with, or a resume from a
checkpoint (per-batch loops and momentum are the cycling templates' own). `mistakes`
are the wrong readings any loop of that shape invites, whatever the scheduler.
"""

from __future__ import annotations

import random
from dataclasses import replace
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.content.generator.program import PARTS, Program, Read, Resume
from bot.content.generator.templates.wording import after_calls, counted, how_often, ordinal
from bot.runner import SchedulerSpec

if TYPE_CHECKING:
    from bot.content.generator.templates.base import Mistake, Trace


class Shape(StrEnum):
    """How the training loop around the scheduler is written."""

    EPOCH = "epoch"  # one optimizer.step() and one scheduler.step() per epoch
    BATCHES = "batches"  # batches per epoch, the scheduler stepped once per epoch
    PER_BATCH = "per-batch"  # the scheduler stepped after every batch
    GROUPS = "groups"  # two parameter groups with their own rates
    RECORD = "record"  # the rate one epoch trained with, collected in a list
    RESUME = "resume"  # a checkpoint, then a new optimizer and scheduler that load it
    MOMENTUM = "momentum"  # the momentum (or Adam's beta1) the scheduler cycles


def build(
    rng: random.Random, shape: Shape, scheduler: SchedulerSpec, lr: float, calls: int
) -> Program:
    """A per-epoch loop of `shape` whose printed number is read after `calls` calls."""
    read = rng.choice((Read.LR, Read.LAST_LR))
    base = Program(scheduler, (lr,), calls, read=read)
    if shape is Shape.BATCHES:
        return replace(base, batches=rng.randint(2, 5))
    if shape is Shape.GROUPS:
        other = rng.choice([x for x in (0.001, 0.002, 0.005, 0.01, 0.02) if x < lr] or [lr / 10])
        lrs = (other, lr) if rng.random() < 0.5 else (lr, other)
        return replace(base, lrs=lrs, group=lrs.index(lr), read=Read.LR)
    if shape is Shape.RECORD:
        # Epoch 0 trains with the optimizer's own lr: sometimes that is the question.
        record = 0 if rng.random() < 0.2 else calls
        return replace(base, epochs=record + rng.randint(1, 3), record=record, read=Read.LR)
    if shape is Shape.RESUME and calls >= 2:
        resumed = replace(base, resume=Resume(rng.randint(1, calls - 1)), read=Read.LR)
        if rng.random() < 0.3:  # a fine-tuning run: two groups, resumed
            return replace(resumed, lrs=(lr / 10, lr), group=rng.randrange(2))
        return resumed
    return base


def shape_of(program: Program) -> Shape:
    """The shape a program was built in."""
    if program.read is Read.MOMENTUM:
        return Shape.MOMENTUM
    if program.resume is not None:
        return Shape.RESUME
    if program.record is not None:
        return Shape.RECORD
    if len(program.lrs) > 1:
        return Shape.GROUPS
    if program.per_batch:
        return Shape.PER_BATCH
    return Shape.BATCHES if program.batches else Shape.EPOCH


def level_points(program: Program) -> int:
    """What the loop adds to a problem's level, beyond the scheduler's own difficulty."""
    return (
        int(program.per_batch)
        + int(len(program.lrs) > 1)
        + int(program.record is not None)
        + 2 * int(program.resume is not None)
        + 2 * int(program.read is Read.MOMENTUM)
    )


def prompt(program: Program, name: str) -> str:
    """The question, which says what the loop is for and never the answer."""
    shape = shape_of(program)
    if shape is Shape.BATCHES:
        lead = f"Each epoch trains on {counted(program.batches or 0, 'batch')}."
    elif shape is Shape.PER_BATCH:
        lead = f"{name} is stepped after every batch, as it is meant to be."
    elif shape is Shape.GROUPS:
        group = PARTS[program.group]
        lead = f"The backbone and the head train at different rates; it prints the {group}'s."
    elif shape is Shape.RECORD:
        lead = "`used` collects the rate each epoch trains with."
    elif shape is Shape.RESUME:
        at = program.resume.at if program.resume else 0
        lead = f"Training stops after {counted(at, 'epoch')} and a new run resumes it."
    elif shape is Shape.MOMENTUM:
        moved = "SGD's momentum" if program.optimizer == "SGD" else f"{program.optimizer}'s beta1"
        lead = f"{name} moves {moved} as well as the rate."
    else:
        lead = "One optimizer step and one scheduler step per epoch."
    return f"{lead} What does the snippet print?"


def mistakes(program: Program, trace: Trace) -> list[Mistake]:
    """The wrong readings the loop's shape invites, after the template's own."""
    from bot.content.generator.templates.base import Calls, Run

    n = program.calls_read
    found: list[Mistake] = []
    if program.batches and not program.per_batch and program.calls is None:
        batches = program.batches
        found.append(
            Calls(
                n * batches,
                f"That counts every batch: it is the rate after {n * batches} calls. The "
                f"loop calls scheduler.step() once per epoch, after its {batches} batches, so "
                f"{how_often(n)} in all.",
            )
        )
    if program.per_batch and program.batches:
        epochs = n // program.batches
        found.append(
            Calls(
                epochs,
                f"That counts epochs: it is the {program.noun} after {counted(epochs, 'call')}. "
                f"scheduler.step() runs after every batch, {program.batches} times an epoch, so "
                f"{how_often(n)} in all.",
            )
        )
        earlier = n - program.batches
        found.append(
            Calls(
                earlier,
                f"That is the {program.noun} one epoch earlier, {after_calls(earlier)}; "
                f"the last epoch's {counted(program.batches, 'batch')} step the scheduler too.",
            )
        )
    if len(program.lrs) > 1:
        other = 1 - program.group
        found.append(
            Run(
                replace(program, group=other),
                f"That is the {PARTS[other]}'s rate. Each parameter group keeps its own rate: "
                f"the scheduler scales the {PARTS[program.group]}'s from its own "
                f"lr={program.lrs[program.group]!r}.",
            )
        )
    if program.record is not None:
        k = program.record
        found.append(
            Calls(
                k + 1,
                f"That is the rate after epoch {k}'s scheduler.step(), {after_calls(k + 1)}: "
                f"the rate epoch {k + 1} trains with. `used` records the rate before that "
                "call, while the epoch trains.",
            )
        )
        if k > 0:
            found.append(
                Calls(
                    k - 1,
                    f"That is the rate epoch {k - 1} trained with: used[{k}] is the "
                    f"{ordinal(k + 1)} epoch's rate, since epochs count from 0.",
                )
            )
    if program.resume is not None:
        at = program.resume.at
        found += [
            Calls(
                n - at,
                f"That is the rate after {counted(n - at, 'call')}, as if the schedule "
                "started over in the new run. load_state_dict restores the scheduler's "
                f"step count, so it carries on from call {at}.",
            ),
            Calls(
                at,
                f"That is the rate at the checkpoint, {after_calls(at)}; the resumed loop "
                f"steps the scheduler {how_often(n - at)} more.",
            ),
        ]
        if "optimizer" in program.resume.loads:
            found.append(
                Run(
                    replace(program, resume=Resume(at, ("scheduler",))),
                    "That is what the loop prints if only the scheduler's state is loaded: "
                    "the new optimizer starts again from its own lr, and the scheduler goes "
                    "on from the rate it finds there. Here the optimizer's state is loaded too.",
                )
            )
    return found


def fallbacks(program: Program, horizon: int) -> list[Mistake]:
    """Other points of the same run, nearest first: the last resort for a full set."""
    from bot.content.generator.templates.base import Calls

    n = program.calls_read
    nearest = sorted(range(horizon + 1), key=lambda k: (abs(k - n), k))
    return [
        Calls(
            k,
            f"That is the {program.noun} {after_calls(k)}; the snippet reads it after "
            f"scheduler.step() has run {how_often(n)}.",
        )
        for k in nearest
        if abs(k - n) > 1
    ]
