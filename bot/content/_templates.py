"""What the fresh-problem generator knows about each scheduler: ranges, traps and wording.

A template samples one exercise (a scheduler with literal keywords, the optimizer's lr and
the number of loop passes), lists the mistakes learners really make with that scheduler in
order of preference, and writes the hint and the explanation. No template computes a
learning rate: every number in the text comes from torch, through the runner.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import ClassVar, TypeAlias

from bot.engine.problems import Level
from bot.runner import Arg, SchedulerSpec

# Rates after 0, 1, 2, ... calls of scheduler.step(), as torch computed them.
Rates: TypeAlias = Sequence[float]

X = "\N{MULTIPLICATION SIGN}"  # the signs learners see in explanations; escaped for ruff
MINUS = "\N{MINUS SIGN}"

# Learning rates with few digits, so that options and explanations stay readable.
ROUND_LRS = (0.1, 0.2, 0.05, 0.5, 1.0)


def fmt(value: float) -> str:
    """A rate as the problem's snippet prints it: `print(round(lr, 6))`."""
    return str(round(value, 6))


@dataclass(frozen=True)
class Setup:
    """One sampled exercise: `epochs` passes of optimizer.step(); scheduler.step()."""

    scheduler: SchedulerSpec
    lr: float  # the optimizer's lr, as written in SGD(params, lr=...)
    epochs: int

    def number(self, key: str) -> float:
        value = self.scheduler.kwargs[key]
        assert isinstance(value, int | float), key
        assert not isinstance(value, bool), key
        return float(value)

    def integer(self, key: str) -> int:
        value = self.scheduler.kwargs[key]
        assert isinstance(value, int), key
        assert not isinstance(value, bool), key
        return value

    def word(self, key: str) -> str:
        value = self.scheduler.kwargs[key]
        assert isinstance(value, str), key
        return value

    def integers(self, key: str) -> list[int]:
        value = self.scheduler.kwargs[key]
        assert isinstance(value, list), key
        return [v for v in value if isinstance(v, int)]

    def variant(self, **changes: Arg | None) -> SchedulerSpec:
        """The same scheduler with some keywords changed (None removes one)."""
        kwargs = dict(self.scheduler.kwargs)
        for key, value in changes.items():
            if value is None:
                kwargs.pop(key, None)
            else:
                kwargs[key] = value
        return replace(self.scheduler, kwargs=kwargs)


# --- mistakes: how each wrong option is computed, and what it says about the learner -----


@dataclass(frozen=True)
class AfterCalls:
    """This run's rate after a different number of calls (off by one, before any call)."""

    calls: int
    why: str


@dataclass(frozen=True)
class OtherSchedule:
    """A different schedule stepped `epochs` times: the one the learner had in mind."""

    scheduler: SchedulerSpec
    why: str


@dataclass(frozen=True)
class TimesRight:
    """The right rate times a factor (gamma applied once too often)."""

    factor: float
    why: str


@dataclass(frozen=True)
class Number:
    """A number the learner reads off the code, such as the optimizer's lr."""

    value: float
    why: str


Mistake: TypeAlias = AfterCalls | OtherSchedule | TimesRight | Number


def one_short(setup: Setup, why: str | None = None) -> AfterCalls:
    n = setup.epochs
    return AfterCalls(
        n - 1,
        why
        or (
            f"That is the rate {_after(n - 1)}: it forgets that the first scheduler.step() "
            f"already moves the rate (it is the rate the last epoch trained with, read before "
            f"that epoch's scheduler.step())."
        ),
    )


def one_over(setup: Setup, why: str | None = None) -> AfterCalls:
    n = setup.epochs
    return AfterCalls(
        n + 1,
        why
        or (
            f"That is the rate after {n + 1} calls, one too many: range({n}) runs the loop "
            f"{_often(n)}, so scheduler.step() is called {_often(n)}."
        ),
    )


def other_calls(setup: Setup, calls: int) -> AfterCalls:
    """The last resort: another point of the same run, when every named mistake collided."""
    n = setup.epochs
    return AfterCalls(
        calls,
        f"That is the rate {_after(calls)}; the loop calls scheduler.step() {_often(n)}, "
        f"and the rate printed is the one after the last of them.",
    )


# --- templates ------------------------------------------------------------------------------


class Template(ABC):
    """One scheduler: how to sample it, the traps to set, and how to explain the answer."""

    name: ClassVar[str]
    level: ClassVar[Level]
    # CyclicLR and OneCycleLR cycle momentum, which SGD only has when asked for; the runner
    # gives SGD momentum=0.9 for them, and the snippet must say the same.
    momentum: ClassVar[bool] = False
    per_batch: ClassVar[bool] = False  # stepped per batch in real training

    @abstractmethod
    def sample(self, rng: random.Random) -> Setup:
        """Parameters from sensible ranges; every keyword set is a literal in the snippet."""

    def horizon(self, setup: Setup) -> int:
        """How many calls to compute: past N, so neighbours and fallbacks are at hand."""
        return 2 * setup.epochs + 2

    @abstractmethod
    def mistakes(self, setup: Setup, rates: Rates) -> list[Mistake]:
        """The wrong options this scheduler invites, the most telling first."""

    @abstractmethod
    def hint(self, setup: Setup) -> str:
        """A nudge towards the method, never the number."""

    @abstractmethod
    def explain(self, setup: Setup, rates: Rates) -> str:
        """What torch did, with torch's numbers."""

    def title(self, setup: Setup) -> str:
        n = setup.epochs
        return f"{self.name} after {_count(n, 'epoch')}"


class StepLRTemplate(Template):
    name = "StepLR"
    level = Level.BEGINNER

    def sample(self, rng: random.Random) -> Setup:
        step_size = rng.randint(2, 5)
        gamma = rng.choice((0.5, 0.1, 0.2, 0.8, 0.3))
        cuts = rng.randint(1, 2 if gamma <= 0.2 else 3)  # keeps the rates above ~1e-4
        # Sometimes one call short of a cut (where N+1 bites), sometimes on one (N-1).
        epochs = cuts * step_size + rng.randint(-1, step_size - 1)
        spec = SchedulerSpec("StepLR", {"step_size": step_size, "gamma": gamma})
        return Setup(spec, rng.choice(ROUND_LRS), epochs)

    def mistakes(self, setup: Setup, rates: Rates) -> list[Mistake]:
        n, size, gamma = setup.epochs, setup.integer("step_size"), setup.number("gamma")
        cuts = _drops(rates, n)
        mistakes: list[Mistake] = [
            TimesRight(
                gamma,
                f"That applies gamma once too often. StepLR cuts only on the calls that bring "
                f"its counter to a multiple of step_size={size}: after {_count(n, 'call')} that is "
                f"{_times(len(cuts))}.",
            ),
            one_short(
                setup,
                f"That is the rate {_after(n - 1)}, before the cut that call {n} makes: "
                f"StepLR cuts on the call that brings its counter to a multiple of "
                f"step_size={size}, not on the call after it.",
            ),
            one_over(
                setup,
                f"That counts one call too many: the next cut comes on call {n + 1}, but "
                f"range({n}) calls scheduler.step() only {_often(n)}.",
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
                    f"cut it on call{_s(len(cuts))} {_and(cuts)}.",
                ),
            ]
        return mistakes

    def hint(self, setup: Setup) -> str:
        return (
            f"Number the calls to scheduler.step() from 1 to {setup.epochs}. On which of them "
            f"does StepLR's counter reach a multiple of step_size={setup.integer('step_size')}?"
        )

    def explain(self, setup: Setup, rates: Rates) -> str:
        n, size, gamma = setup.epochs, setup.integer("step_size"), setup.number("gamma")
        cuts = _drops(rates, n)
        done = (
            f"it has been cut {_times(len(cuts))} (on call{_s(len(cuts))} {_and(cuts)})"
            if cuts
            else "it has not been cut yet"
        )
        return (
            f"StepLR {_scales(gamma)} every {size} calls: after {_count(n, 'call')} {done}: "
            f"{_changes(rates, n)}."
        )


class MultiStepLRTemplate(Template):
    name = "MultiStepLR"
    level = Level.INTERMEDIATE

    def sample(self, rng: random.Random) -> Setup:
        gamma = rng.choice((0.1, 0.5, 0.2))
        # Three cuts by 0.1 would print in scientific notation (5e-05): two at most then.
        count = 2 if gamma == 0.1 else rng.randint(2, 3)
        milestones = sorted(rng.sample(range(2, 11), count))
        # Land on, just before or just after a milestone: the off-by-one traps.
        epochs = max(1, rng.choice(milestones) + rng.choice((-1, 0, 0, 1)))
        spec = SchedulerSpec("MultiStepLR", {"milestones": milestones, "gamma": gamma})
        return Setup(spec, rng.choice(ROUND_LRS), epochs)

    def mistakes(self, setup: Setup, rates: Rates) -> list[Mistake]:
        n, gamma = setup.epochs, setup.number("gamma")
        reached = [m for m in setup.integers("milestones") if m <= n]
        found = f"only {_and(reached)}" if reached else "none of them"
        mistakes: list[Mistake] = [
            TimesRight(
                gamma,
                f"That applies gamma once too often: a cut happens only at a milestone the "
                f"counter has reached, and after {_count(n, 'call')} that is {found}.",
            ),
            one_short(
                setup,
                f"That is the rate {_after(n - 1)}. The cut at milestone {n} happens on "
                f"call {n} itself, when the counter reaches it, not on the call after.",
            ),
            one_over(
                setup,
                f"That counts one call too many: the cut at milestone {n + 1} would come on "
                f"call {n + 1}, and range({n}) calls scheduler.step() only {_often(n)}.",
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
                    f"reached; the counter has passed {_and(reached)}.",
                ),
            ]
        return mistakes

    def hint(self, setup: Setup) -> str:
        return (
            f"The counter goes up by one per scheduler.step(). Which milestones of "
            f"{setup.integers('milestones')} has it reached after {_count(setup.epochs, 'call')}?"
        )

    def explain(self, setup: Setup, rates: Rates) -> str:
        n, gamma = setup.epochs, setup.number("gamma")
        milestones = setup.integers("milestones")
        reached = [m for m in milestones if m <= n]
        done = (
            f"it has reached {_and(reached)}"
            if reached
            else "it has reached none, so the rate is untouched"
        )
        return (
            f"MultiStepLR multiplies the rate by gamma={gamma} on the call that brings its "
            f"counter to each milestone of {milestones}. After {_count(n, 'call')} {done}: "
            f"{_changes(rates, n)}."
        )


class ExponentialLRTemplate(Template):
    name = "ExponentialLR"
    level = Level.BEGINNER

    def sample(self, rng: random.Random) -> Setup:
        gamma = rng.choice((0.5, 0.7, 0.8, 0.9, 0.95))
        spec = SchedulerSpec("ExponentialLR", {"gamma": gamma})
        return Setup(spec, rng.choice(ROUND_LRS), rng.randint(2, 8))

    def mistakes(self, setup: Setup, rates: Rates) -> list[Mistake]:
        n, gamma = setup.epochs, setup.number("gamma")
        return [
            one_short(
                setup,
                f"That is lr {X} gamma^{n - 1}: it forgets that the first scheduler.step() "
                f"already multiplies by gamma, so {n} calls apply gamma {n} times.",
            ),
            one_over(
                setup,
                f"That is lr {X} gamma^{n + 1}: gamma applied once too often, as if the loop "
                f"ran {n + 1} times.",
            ),
            AfterCalls(
                1,
                f"That applies gamma={gamma} only once. ExponentialLR multiplies by gamma on "
                f"every call, not once in total.",
            ),
            Number(
                setup.lr,
                "That is the optimizer's starting lr; every call to scheduler.step() "
                "multiplies it by gamma.",
            ),
        ]

    def hint(self, setup: Setup) -> str:
        return (
            "Write down the rate after one call, then after two. How many factors of gamma "
            f"does the rate carry after {_count(setup.epochs, 'call')}?"
        )

    def explain(self, setup: Setup, rates: Rates) -> str:
        n, gamma = setup.epochs, setup.number("gamma")
        return (
            f"ExponentialLR multiplies the rate by gamma={gamma} on every call, the first "
            f"included: after {_count(n, 'call')} it is {setup.lr} {X} {gamma}^{n}: "
            f"{_trail(rates, n)}."
        )


class CosineAnnealingLRTemplate(Template):
    name = "CosineAnnealingLR"
    level = Level.INTERMEDIATE

    def sample(self, rng: random.Random) -> Setup:
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
        if setup.epochs > setup.integer("T_max"):
            return "Where is the rate after exactly T_max calls, and does the cosine stop there?"
        return (
            "T_max counts the calls from the top of the cosine to its bottom. What fraction "
            "of that way has the loop covered?"
        )

    def explain(self, setup: Setup, rates: Rates) -> str:
        n, t_max, eta_min = setup.epochs, setup.integer("T_max"), setup.number("eta_min")
        past = (
            f" Past call {t_max} it does not stop or restart: it climbs back up the cosine."
            if n > t_max
            else ""
        )
        return (
            f"CosineAnnealingLR follows half a cosine from {setup.lr} down to "
            f"eta_min={eta_min} over T_max={t_max} calls: T_max is half a period, not a "
            f"whole one.{past} After {_count(n, 'call')}: {_trail(rates, n)}."
        )


class WarmRestartsTemplate(Template):
    name = "CosineAnnealingWarmRestarts"
    level = Level.ADVANCED

    def sample(self, rng: random.Random) -> Setup:
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
        n, t_0, t_mult = setup.epochs, setup.integer("T_0"), setup.integer("T_mult")
        mistakes: list[Mistake] = [
            OtherSchedule(
                setup.variant(T_0=t_mult, T_mult=t_0),
                f"That swaps T_0 and T_mult: cycles of {_cycles(t_mult, t_0)} calls instead "
                f"of {_cycles(t_0, t_mult)}. T_0 is the length of the first cycle; T_mult "
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
        return (
            f"Write out the cycle lengths: the first is T_0={setup.integer('T_0')} calls, and "
            f"each next one is T_mult={setup.integer('T_mult')} times longer. Where in its cycle "
            f"does call {setup.epochs} fall?"
        )

    def explain(self, setup: Setup, rates: Rates) -> str:
        n, t_0, t_mult = setup.epochs, setup.integer("T_0"), setup.integer("T_mult")
        restarts = [k for k in range(1, n + 1) if rates[k] > rates[k - 1]]
        seen = (
            f"; in this run it jumped back on call{_s(len(restarts))} {_and(restarts)}"
            if restarts
            else "; this run ends before the first restart"
        )
        return (
            f"CosineAnnealingWarmRestarts runs cycles of {_cycles(t_0, t_mult)} calls "
            f"(T_0={t_0}, each next cycle T_mult={t_mult} times longer). Within a cycle the "
            f"rate follows a cosine from {setup.lr} towards eta_min={setup.number('eta_min')}; "
            f"when a new cycle starts it jumps back to {setup.lr}{seen}. After "
            f"{_count(n, 'call')}: {_trail(rates, n)}."
        )


class LinearLRTemplate(Template):
    name = "LinearLR"
    level = Level.INTERMEDIATE

    def sample(self, rng: random.Random) -> Setup:
        total = rng.randint(3, 8)
        # Mostly inside the warm-up, where ignoring it gives a wrong answer.
        epochs = rng.randint(1, total - 1) if rng.random() < 0.85 else total
        spec = SchedulerSpec(
            "LinearLR",
            {
                "start_factor": rng.choice((0.1, 0.2, 0.25, 0.5)),
                "end_factor": 1.0,
                "total_iters": total,
            },
        )
        return Setup(spec, rng.choice(ROUND_LRS), epochs)

    def mistakes(self, setup: Setup, rates: Rates) -> list[Mistake]:
        total = setup.integer("total_iters")
        return [
            Number(
                setup.lr,
                f"That ignores the warm-up: LinearLR scales the optimizer's lr={setup.lr} by a "
                f"factor that climbs from start_factor={setup.number('start_factor')} to "
                f"end_factor=1.0 over total_iters={total} calls, so the full rate comes only "
                f"after call {total}.",
            ),
            AfterCalls(
                0,
                f"That is the rate before the first call (start_factor {X} lr, set when the "
                "scheduler is built). It does not wait for the warm-up to end: every call "
                "raises it by one equal step.",
            ),
            one_short(setup),
            one_over(setup),
        ]

    def hint(self, setup: Setup) -> str:
        return (
            "Building the scheduler already applies start_factor. By how much does each "
            "call raise the factor, and how many calls has the loop made?"
        )

    def explain(self, setup: Setup, rates: Rates) -> str:
        total = setup.integer("total_iters")
        return (
            f"LinearLR multiplies the optimizer's lr={setup.lr} by a factor that goes in "
            f"equal steps from start_factor={setup.number('start_factor')} (applied when the "
            f"scheduler is built) to end_factor=1.0 over total_iters={total} calls, then "
            f"stays there. After {_count(setup.epochs, 'call')}: {_trail(rates, setup.epochs)}."
        )


class ConstantLRTemplate(Template):
    name = "ConstantLR"
    level = Level.BEGINNER

    def sample(self, rng: random.Random) -> Setup:
        total = rng.randint(2, 6)
        spec = SchedulerSpec(
            "ConstantLR",
            {"factor": rng.choice((0.1, 0.2, 0.25, 0.3, 0.5)), "total_iters": total},
        )
        # Up to and including call total_iters, on which the rate is restored.
        return Setup(spec, rng.choice(ROUND_LRS), rng.randint(1, total))

    def mistakes(self, setup: Setup, rates: Rates) -> list[Mistake]:
        n, factor, total = setup.epochs, setup.number("factor"), setup.integer("total_iters")
        return [
            Number(
                setup.lr,
                f"That ignores the warm-up: ConstantLR keeps the rate at factor {X} lr until "
                f"its counter reaches total_iters={total}, and after {_count(n, 'call')} it "
                "has not.",
            ),
            one_short(
                setup,
                f"That is the rate one call early: ConstantLR restores the optimizer's lr on "
                f"call {total} itself, when its counter reaches total_iters={total}.",
            ),
            Number(
                setup.lr * (1 - factor),
                f"That reads factor={factor} as the share taken off the rate; ConstantLR "
                f"multiplies the rate by factor, so the reduced rate is {factor} {X} lr.",
            ),
            OtherSchedule(
                SchedulerSpec("ExponentialLR", {"gamma": factor}),
                f"That multiplies by factor on every call, like ExponentialLR(gamma={factor}); "
                f"ConstantLR applies it once, holds it, then removes it.",
            ),
            one_over(setup),
            Number(
                setup.lr * factor * factor,
                "That applies factor twice, once when the scheduler is built and again on the "
                "first call; ConstantLR applies it once and holds it.",
            ),
        ]

    def hint(self, setup: Setup) -> str:
        return (
            f"ConstantLR holds the rate at factor {X} lr, but not for ever. On which call does "
            "its counter reach total_iters?"
        )

    def explain(self, setup: Setup, rates: Rates) -> str:
        n, total = setup.epochs, setup.integer("total_iters")
        if n < total:
            now = f"after {n} call{_s(n)} the counter is still below {total}"
        else:
            now = "the loop ends on that very call"
        return (
            f"ConstantLR multiplies the optimizer's lr={setup.lr} by factor="
            f"{setup.number('factor')} from the start (building the scheduler applies it) until "
            f"its counter reaches total_iters={total}; on call {total} it restores "
            f"{setup.lr}. Here {now}: {_changes(rates, n)}."
        )


class PolynomialLRTemplate(Template):
    name = "PolynomialLR"
    level = Level.INTERMEDIATE

    def sample(self, rng: random.Random) -> Setup:
        total = rng.randint(4, 10)
        spec = SchedulerSpec(
            "PolynomialLR", {"total_iters": total, "power": rng.choice((2.0, 0.5, 3.0))}
        )
        return Setup(spec, rng.choice(ROUND_LRS), rng.randint(1, total))

    def mistakes(self, setup: Setup, rates: Rates) -> list[Mistake]:
        power = setup.number("power")
        return [
            OtherSchedule(
                setup.variant(power=1.0),
                f"That ignores power={power}: it is the straight line of power=1.0. The "
                f"factor (1 {MINUS} calls / total_iters) is raised to the power {power}.",
            ),
            one_short(setup),
            one_over(setup),
            Number(
                setup.lr,
                "That is the optimizer's starting lr; the first call already lowers it.",
            ),
        ]

    def hint(self, setup: Setup) -> str:
        return (
            f"After t calls the rate is lr {X} (1 {MINUS} t / total_iters) ** power. What is "
            "t when the loop ends, and what happens once t reaches total_iters?"
        )

    def explain(self, setup: Setup, rates: Rates) -> str:
        total, power = setup.integer("total_iters"), setup.number("power")
        return (
            f"PolynomialLR multiplies lr={setup.lr} by (1 {MINUS} t/{total})^{power} after t "
            f"calls, reaches 0 on call total_iters={total} and stays there. After "
            f"{_count(setup.epochs, 'call')}: {_trail(rates, setup.epochs)}."
        )


class OneCycleLRTemplate(Template):
    name = "OneCycleLR"
    level = Level.EXPERT
    momentum = True
    per_batch = True

    def sample(self, rng: random.Random) -> Setup:
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
        return setup.integer("total_steps")

    def mistakes(self, setup: Setup, rates: Rates) -> list[Mistake]:
        n, max_lr = setup.epochs, setup.number("max_lr")
        strategy = setup.word("anneal_strategy")
        other = "linear" if strategy == "cos" else "cos"
        shape = "along a cosine" if strategy == "cos" else "in a straight line"
        peak = _peak(rates)
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
                f"call {peak}); after {_count(n, 'call')} the rate is {where}.",
            ),
            AfterCalls(
                0,
                "That is where OneCycleLR starts, max_lr / div_factor, before any call; the "
                "first call already starts the climb.",
            ),
        ]

    def hint(self, setup: Setup) -> str:
        return (
            "Find the peak first: the climb takes pct_start of total_steps. Is call "
            f"{setup.epochs} before the peak or after it, and where did the climb start?"
        )

    def explain(self, setup: Setup, rates: Rates) -> str:
        n, peak = setup.epochs, _peak(rates)
        return (
            f"OneCycleLR ignores the optimizer's lr={setup.lr}: it starts at max_lr / "
            f"div_factor = {setup.number('max_lr')} / {setup.number('div_factor')} = "
            f"{fmt(rates[0])}, climbs towards max_lr={setup.number('max_lr')} over the first "
            f"pct_start={setup.number('pct_start')} of total_steps={setup.integer('total_steps')} "
            f"(the rate is highest after call {peak}: {fmt(rates[peak])}), then "
            f"anneals ('{setup.word('anneal_strategy')}') towards max_lr / (div_factor {X} "
            f"final_div_factor). After {_count(n, 'call')}: {_trail(rates, n)}."
        )


class CyclicLRTemplate(Template):
    name = "CyclicLR"
    level = Level.ADVANCED
    momentum = True
    per_batch = True

    def sample(self, rng: random.Random) -> Setup:
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
        return (
            "Count the calls of one cycle: step_size_up calls up, then step_size_down calls "
            f"down. Where in its cycle is call {setup.epochs}, and how high is that cycle?"
        )

    def explain(self, setup: Setup, rates: Rates) -> str:
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
            f"{down}; {height}. After {_count(setup.epochs, 'call')}: "
            f"{_trail(rates, setup.epochs)}."
        )


TEMPLATES: tuple[Template, ...] = (
    StepLRTemplate(),
    MultiStepLRTemplate(),
    ExponentialLRTemplate(),
    CosineAnnealingLRTemplate(),
    WarmRestartsTemplate(),
    LinearLRTemplate(),
    ConstantLRTemplate(),
    PolynomialLRTemplate(),
    OneCycleLRTemplate(),
    CyclicLRTemplate(),
)


# --- wording helpers ------------------------------------------------------------------------


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}{_s(count)}"


def _after(calls: int) -> str:
    return "before the first call" if calls == 0 else f"after {_count(calls, 'call')}"


def _often(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _and(items: Sequence[int]) -> str:
    words = [str(i) for i in items]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _times(count: int) -> str:
    return {0: "no cut", 1: "once", 2: "twice"}.get(count, f"{count} times")


def _scales(gamma: float) -> str:
    if gamma == 0.5:
        return "halves the rate"
    if gamma == 0.1:
        return "cuts the rate to a tenth"
    return f"multiplies the rate by gamma={gamma}"


def _cycles(first: int, mult: int) -> str:
    return ", ".join(str(first * mult**i) for i in range(3)) + ", …"


def _drops(rates: Rates, epochs: int) -> list[int]:
    """The calls (1..epochs) on which torch lowered the rate."""
    return [k for k in range(1, epochs + 1) if fmt(rates[k]) != fmt(rates[k - 1])]


def _peak(rates: Rates) -> int:
    """The call after which the rate was highest (the first, if it stayed there)."""
    return max(range(len(rates)), key=lambda k: (rates[k], -k))


def _changes(rates: Rates, epochs: int) -> str:
    """`0.1 → 0.05 → 0.025`: the distinct rates from the start to call `epochs`."""
    shown: list[str] = []
    for k in range(epochs + 1):
        text = fmt(rates[k])
        if not shown or shown[-1] != text:
            shown.append(text)
    return " → ".join(shown)


def _trail(rates: Rates, epochs: int, keep: int = 9) -> str:
    """The rate before the loop and after each call, shortened in the middle when long."""
    texts = [fmt(rates[k]) for k in range(epochs + 1)]
    if len(texts) > keep:
        texts = [*texts[:3], "…", *texts[-(keep - 4) :]]
    return " → ".join(texts)
