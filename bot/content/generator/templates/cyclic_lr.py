"""CyclicLR: triangles between base_lr and max_lr, stepped per batch."""

from __future__ import annotations

import random

from bot.content.generator.templates.base import (
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
from bot.runner import Arg, SchedulerSpec


class CyclicLRTemplate(Template):
    """CyclicLR: triangles between base_lr and max_lr, traps in the mode and step sizes."""

    name = "CyclicLR"
    level = Level.ADVANCED
    momentum = True
    per_batch = True

    def sample(self, rng: random.Random) -> Setup:
        """CyclicLR parameters from sensible ranges, each a literal in the snippet."""
        base_lr = rng.choice((0.001, 0.01))
        max_lr = rng.choice((0.1, 0.05) if base_lr == 0.01 else (0.1, 0.05, 0.01))
        up = rng.randint(2, 5)
        kwargs: dict[str, Arg] = {"base_lr": base_lr, "max_lr": max_lr, "step_size_up": up}
        down = rng.randint(2, 6)
        if rng.random() < 0.5 and down != up:
            kwargs["step_size_down"] = down
        kwargs["mode"] = rng.choice(("triangular", "triangular2"))
        cycle = up + (down if "step_size_down" in kwargs else up)
        lr = rng.choice([x for x in (0.1, 0.05, 0.5) if x != max_lr])
        spec = SchedulerSpec("CyclicLR", kwargs)
        return Setup(spec, lr, rng.randint(1, min(2 * cycle + 1, 20)))

    def mistakes(self, setup: Setup, rates: Rates) -> list[Mistake]:
        """The wrong options a CyclicLR problem invites, the most telling first."""
        up = setup.integer("step_size_up")
        mode = setup.word("mode")
        mistakes: list[Mistake] = [
            Number(
                setup.lr,
                f"That is the optimizer's lr, which CyclicLR overwrites with "
                f"base_lr={setup.number('base_lr')} when it is built; the rate only ever moves "
                f"between base_lr and max_lr.",
            ),
            one_short(setup),
        ]
        if "step_size_down" in setup.scheduler.kwargs:
            mistakes.append(
                OtherSchedule(
                    setup.variant(step_size_down=None),
                    "That makes the way down as long as the way up, which is what leaving "
                    "step_size_down out does; here "
                    f"step_size_down={setup.integer('step_size_down')}.",
                )
            )
        if mode == "triangular":
            swapped = OtherSchedule(
                setup.variant(mode="triangular2"),
                "That halves the height of each new cycle, which is mode='triangular2'; "
                "mode='triangular' repeats the same cycle at full height.",
            )
        else:
            swapped = OtherSchedule(
                setup.variant(mode="triangular"),
                "That keeps every cycle at full height, which is mode='triangular'; "
                "mode='triangular2' halves the height of each new cycle.",
            )
        mistakes += [
            swapped,
            one_over(setup),
            Number(
                setup.number("max_lr"),
                f"That is max_lr, the top of the first cycle, reached on call {up}; call "
                f"{setup.epochs} is not at that peak.",
            ),
        ]
        return mistakes

    def hint(self, setup: Setup) -> str:
        """A nudge towards how CyclicLR computes the rate, never the number."""
        return (
            "Count the calls of one cycle: step_size_up calls up, then step_size_down calls "
            f"down. Where in its cycle is call {setup.epochs}, and how high is that cycle?"
        )

    def explain(self, setup: Setup, rates: Rates) -> str:
        """What CyclicLR did, with the rates torch computed."""
        kwargs = setup.scheduler.kwargs
        up = setup.integer("step_size_up")
        down = (
            f"step_size_down={setup.integer('step_size_down')} calls"
            if "step_size_down" in kwargs
            else f"{up} calls (step_size_down defaults to step_size_up)"
        )
        height = (
            "mode='triangular2' halves the height of each new cycle"
            if setup.word("mode") == "triangular2"
            else "mode='triangular' repeats the cycle at full height"
        )
        return (
            f"CyclicLR sets the rate to base_lr={setup.number('base_lr')} when it is built (the "
            f"optimizer's lr={setup.lr} is overwritten), climbs in a straight line to "
            f"max_lr={setup.number('max_lr')} over step_size_up={up} calls, then falls back over "
            f"{down}; {height}. After {counted(setup.epochs, 'call')}: "
            f"{trail(rates, setup.epochs)}."
        )
