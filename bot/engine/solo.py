"""A solo run: one member, a list of problems, one at a time, untimed, one answer each.

Practice and review play by these rules. Each answer is judged here, stored by the
caller, then recorded, which moves the run to the next problem; the verdict comes with
the explanation at once (there is nobody to wait for, so there is no reveal). The run
keeps only the facts (the problems, every answer, every hint) and derives the rest, so
it is rebuilt exactly from what storage recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.engine.problems import Problem
from bot.engine.session import Attempt, ChallengeError, Clock, HintUse, NotAnOption, ProblemNotOpen


class AlreadyAnswered(ChallengeError):
    """The problem reacted to has had its one answer; the run has moved on."""


@dataclass(frozen=True)
class SoloProblem:
    """The problem in play: where it is in the run."""

    index: int  # 0-based
    total: int
    problem: Problem

    @property
    def number(self) -> int:
        """The 1-based position, as the member sees it."""
        return self.index + 1

    @property
    def is_last(self) -> bool:
        """Whether this is the run's last problem."""
        return self.number == self.total


@dataclass(frozen=True)
class Verdict:
    """One judged answer and the problem it answered (whose explanation follows)."""

    attempt: Attempt
    answered: SoloProblem

    @property
    def correct(self) -> bool:
        """Whether the answer was right."""
        return self.attempt.correct

    @property
    def problem(self) -> Problem:
        """The problem answered."""
        return self.answered.problem


@dataclass(frozen=True)
class Tally:
    """Right answers out of answered problems, for one scheduler of a run."""

    name: str
    right: int
    answered: int


@dataclass(frozen=True)
class SoloSummary:
    """The end of a run: right out of answered, per scheduler taught, and what was missed."""

    right: int
    answered: int
    planned: int  # problems in the run; more than `answered` when it was stopped early
    by_scheduler: tuple[Tally, ...]  # the problems' subjects, weakest first
    missed: tuple[Problem, ...]  # answered wrong, in the order played

    @property
    def perfect(self) -> bool:
        """Every problem of the run answered, and every one right."""
        return self.answered == self.planned and self.right == self.answered

    @property
    def weakest(self) -> str | None:
        """The scheduler with the most misses (the first to practise again), if any."""
        missing = [t for t in self.by_scheduler if t.right < t.answered]
        return missing[0].name if missing else None


class SoloRun:
    """One member's pass over a list of problems, one at a time, with no clock running."""

    def __init__(self, user_id: int, problems: Sequence[Problem], clock: Clock) -> None:
        if not problems:
            raise ValueError("a solo run needs at least one problem")
        if len({p.id for p in problems}) != len(problems):
            raise ValueError("a solo run plays each problem once")
        self.user_id = user_id
        self.problems: tuple[Problem, ...] = tuple(problems)
        self._clock = clock
        self._answers: dict[str, Attempt] = {}
        self._hinted: set[str] = set()

    # -- where the run stands ----------------------------------------------------------

    @property
    def index(self) -> int:
        """The position of the first problem without an answer (len(problems) when done)."""
        return next(
            (i for i, p in enumerate(self.problems) if p.id not in self._answers),
            len(self.problems),
        )

    @property
    def current(self) -> SoloProblem | None:
        """The problem waiting for its answer, or None once every one has one."""
        index = self.index
        if index >= len(self.problems):
            return None
        return SoloProblem(index, len(self.problems), self.problems[index])

    @property
    def finished(self) -> bool:
        """Every problem has its answer."""
        return self.current is None

    @property
    def answers(self) -> list[Attempt]:
        """The answers so far, in the order of the problems."""
        return [self._answers[p.id] for p in self.problems if p.id in self._answers]

    def _open(self, index: int | None) -> SoloProblem:
        current = self.current
        if current is None:
            raise ProblemNotOpen("This run is over: every problem has its answer.")
        if index is not None and index != current.index:
            raise AlreadyAnswered(
                f"You answered problem {index + 1} already; problem {current.number}/"
                f"{current.total} is waiting below."
            )
        return current

    # -- what the member does ----------------------------------------------------------

    def judge(self, option: str, *, index: int | None = None, at: float | None = None) -> Verdict:
        """Judge an answer to the current problem without keeping it (the caller stores it
        first, then calls `record`). `index` names the problem the member answered."""
        current = self._open(index)
        problem = current.problem
        letter = problem.option_letter(option)
        if letter is None:
            shown = option.strip()[:20] or "That"
            raise NotAnOption(
                f"{shown} is not an option; pick one of {', '.join(problem.letters)}."
            )
        answered_at = self._clock() if at is None else at
        # Practice earns no points: it never counts on a leaderboard.
        attempt = Attempt(
            self.user_id, problem.id, letter, letter == problem.answer, 1, 0, answered_at
        )
        return Verdict(attempt, current)

    def record(self, verdict: Verdict) -> None:
        """Keep a judged answer; the run moves on to the next problem."""
        current = self._open(verdict.answered.index)
        if verdict.attempt.problem_id != current.problem.id:
            raise ChallengeError("that answer was judged against another problem")
        self._answers[current.problem.id] = verdict.attempt

    def check_hint(self, *, index: int | None = None) -> HintUse:
        """The hint use to store for the current problem (its text is `problem.hint`)."""
        current = self._open(index)
        return HintUse(self.user_id, current.problem.id, self._clock())

    def record_hint(self, use: HintUse) -> None:
        """Note that the member took the hint of a problem."""
        self._hinted.add(use.problem_id)

    def hinted(self, problem_id: str) -> bool:
        """Whether the member took this problem's hint."""
        return problem_id in self._hinted

    # -- the end -----------------------------------------------------------------------

    def summary(self) -> SoloSummary:
        """Right out of answered, per scheduler taught (weakest first), and the misses."""
        answered = [(p, self._answers[p.id]) for p in self.problems if p.id in self._answers]
        tallies: dict[str, list[int]] = {}
        for problem, attempt in answered:
            for name in problem.subject:
                counts = tallies.setdefault(name, [0, 0])
                counts[0] += attempt.correct
                counts[1] += 1
        by_scheduler = sorted(
            (Tally(name, right, total) for name, (right, total) in tallies.items()),
            # Most misses first, then the lowest share right, then by name.
            key=lambda t: (t.right - t.answered, t.right / t.answered, t.name),
        )
        missed = tuple(p for p, attempt in answered if not attempt.correct)
        right = sum(attempt.correct for _, attempt in answered)
        return SoloSummary(right, len(answered), len(self.problems), tuple(by_scheduler), missed)

    # -- rebuilding after a restart ----------------------------------------------------

    @classmethod
    def restore(
        cls,
        user_id: int,
        problems: Sequence[Problem],
        clock: Clock,
        *,
        attempts: Iterable[Attempt],
        hints: Iterable[HintUse] = (),
    ) -> SoloRun:
        """The run as storage recorded it: its place is the first problem with no answer."""
        run = cls(user_id, problems, clock)
        known = {p.id for p in run.problems}
        for attempt in sorted(attempts, key=lambda a: a.answered_at):
            if attempt.user_id == user_id and attempt.problem_id in known:
                run._answers.setdefault(attempt.problem_id, attempt)  # the first one counts
        run._hinted.update(h.problem_id for h in hints if h.user_id == user_id)
        return run
