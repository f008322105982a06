"""A race: one answer per problem, points for speed and for answers right in a row, and
the moment a race problem closes. Plain Python on an injected clock, like the session.

Who races, as a study group expects it: everyone who joined before the start (the
starter always has), and anyone who answers a problem (a latecomer is in from then on).
A problem closes at its time limit, or the moment every racer it waits for has answered.
It waits for every racer except one who let the last two problems run out without an
answer: they are taken to have left (answering again brings them back), so a member who
walks away costs the others two full problems at most. A newcomer's first answer never
closes a problem by itself: the others may still be reading it.

Scores (bot/engine/scoring.py): a right answer earns `race_points` for its speed plus a
`streak_bonus` for being right on the problems just before it too; a wrong answer or no
answer earns nothing and ends the run. There are no hints in a race.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from bot.engine.pace import Progress
from bot.engine.problems import Pack, Problem
from bot.engine.scoring import (
    DEFAULT_RULES,
    RACE_STREAK_CAP,
    RACE_STREAK_STEP,
    RACE_TOP,
    ScoringRules,
    race_points,
    streak_bonus,
)
from bot.engine.session import (
    AnswerOutcome,
    Attempt,
    ChallengeSession,
    Clock,
    HintRefused,
    NoAttemptsLeft,
    OpenProblem,
)

RACE_SECONDS = 20.0  # each problem's time limit unless the settings say otherwise
LOBBY_SECONDS = 15.0  # how long members have to join before the first problem
GONE_AFTER = 2  # problems in a row without an answer after which a racer is not waited for
ONE_ANSWER = "In a race your first answer is final: wait for the next problem."
NO_HINTS = "There are no hints in a race: the points are for speed and answers in a row."


def rules_text(seconds: float, problems: int) -> str:
    """How a race of `problems` problems, `seconds` each, is played and scored."""
    return (
        f"{problems} problem{'s' if problems != 1 else ''}, {seconds:g} s each, one answer "
        f"each. A right answer scores up to {RACE_TOP} points, the faster the more "
        f"({RACE_TOP // 2} on the buzzer); each further right answer in a row adds "
        f"{RACE_STREAK_STEP} more, up to +{RACE_STREAK_CAP}. No hints."
    )


@dataclass(frozen=True)
class RaceOutcome(AnswerOutcome):
    """A judged race answer, with how its points came about."""

    seconds: float = 0.0  # after the problem opened
    speed_points: int = 0  # 0 when wrong
    in_a_row: int = 0  # right answers in a row, this one included; 0 when wrong

    @property
    def streak_points(self) -> int:
        """The bonus for the answers right in a row before this one."""
        return self.attempt.points - self.speed_points

    @property
    def breakdown(self) -> str:
        """How a right answer's points came about: "925 for 3.0 s, +200 for 3 in a row"."""
        text = f"{self.speed_points:,} for {self.seconds:.1f} s"
        if self.streak_points:
            text += f", +{self.streak_points} for {self.in_a_row} in a row"
        return text


@dataclass(frozen=True)
class RaceResult:
    """One racer's answer to one problem, as the standings after it show it."""

    user_id: int
    correct: bool
    points: int
    seconds: float
    in_a_row: int


@dataclass(frozen=True)
class Standing:
    """A racer's place after the problems played so far; equal points share a rank."""

    rank: int
    user_id: int
    points: int
    correct: int
    best_run: int  # the longest run of right answers in a row


class RaceSession(ChallengeSession):
    """A ChallengeSession with one attempt per problem, `seconds` per problem and race points.

    `seconds` is the time limit of every problem, already scaled by the server's timer.
    """

    def __init__(
        self,
        pack: Pack,
        clock: Clock,
        *,
        problems: Sequence[Problem] | None = None,
        seconds: float = RACE_SECONDS,
        entrants: Iterable[int] = (),
        time_scale: float = 1.0,
        rules: ScoringRules = DEFAULT_RULES,
    ) -> None:
        """`time_scale` and `rules` are a challenge's (and `restore` passes them): a race
        scores by its own rules, and `seconds` is already scaled."""
        if not seconds > 0:
            raise ValueError("a race needs a positive time per problem")
        chosen = problems if problems is not None else pack.problems
        # One answer each: the rest of the session's rules (done, attempts left) follow.
        one_each = [p if p.attempts == 1 else p.model_copy(update={"attempts": 1}) for p in chosen]
        super().__init__(pack, clock, problems=one_each, time_scale=time_scale)
        self.seconds = seconds
        self.entrants: dict[int, None] = dict.fromkeys(entrants)  # joined before the start
        self._opened_at: dict[int, float] = {}  # problem index -> when it opened

    def time_limit(self, problem: Problem) -> float:
        """Every race problem has the race's time."""
        return self.seconds

    def join(self, user_id: int) -> bool:
        """Count the member in before the first problem; False if they were in already."""
        if user_id in self.entrants:
            return False
        self.entrants[user_id] = None
        return True

    @property
    def racers(self) -> list[int]:
        """Everyone in the race: who joined, then who answered without joining first."""
        return list({**self.entrants, **dict.fromkeys(self.participants)})

    def _open(self, index: int, opened_at: float, deadline: float) -> OpenProblem:
        self._opened_at[index] = opened_at
        return super()._open(index, opened_at, deadline)

    # -- answers ------------------------------------------------------------------------

    def judge(self, user_id: int, option: str, *, at: float | None = None) -> RaceOutcome:
        """Judge the racer's one answer: speed points plus the streak bonus when right."""
        try:
            outcome = super().judge(user_id, option, at=at)
        except NoAttemptsLeft:
            raise NoAttemptsLeft(ONE_ANSWER) from None
        current = self.current
        assert current is not None  # judged against the open problem
        seconds = outcome.attempt.answered_at - current.opened_at
        if not outcome.correct:
            return RaceOutcome(outcome.attempt, 0, seconds)
        in_a_row = self.run_before(user_id, current.index) + 1
        speed = race_points(seconds, self.seconds)
        attempt = replace(outcome.attempt, points=speed + streak_bonus(in_a_row))
        return RaceOutcome(attempt, 0, seconds, speed, in_a_row)

    def check_hint(self, user_id: int) -> str:
        """Races have no hints."""
        raise HintRefused(NO_HINTS)

    def _answer(self, user_id: int, index: int) -> Attempt | None:
        state = self._state.get((user_id, self.problems[index].id))
        return state.attempts[0] if state is not None and state.attempts else None

    def _right(self, user_id: int, index: int) -> bool:
        answer = self._answer(user_id, index)
        return answer is not None and answer.correct

    def run_before(self, user_id: int, index: int) -> int:
        """How many problems right in a row the racer had just before problem `index`."""
        run = 0
        while index - run - 1 >= 0 and self._right(user_id, index - run - 1):
            run += 1
        return run

    # -- when the open problem closes ---------------------------------------------------

    def waited_for(self) -> list[int]:
        """The racers the open problem waits for (see the module docstring)."""
        current = self.current
        if current is None:
            return []
        index = current.index
        recent = range(max(0, index - GONE_AFTER), index)
        waited = []
        for user_id in self.racers:
            if user_id not in self.entrants and not any(
                self.played(user_id, i) for i in range(index)
            ):
                continue  # first answered this problem: in from the next one
            if index >= GONE_AFTER and not any(self.played(user_id, i) for i in recent):
                continue  # let the last two problems run out: taken to have left
            waited.append(user_id)
        return waited

    def closes_at(self) -> float:
        """When the open problem closes: once its last waited-for racer answered, else at
        its deadline."""
        current = self.current
        assert current is not None, "no problem is open"
        answers = [self._answer(user_id, current.index) for user_id in self.waited_for()]
        if not answers or None in answers:
            return current.deadline
        return min(current.deadline, max(a.answered_at for a in answers if a is not None))

    def progress(self) -> Progress:
        """How many answered the open problem, and how many racers it still waits for."""
        current = self.current
        if current is None:
            return Progress(0, 0)
        waiting = [u for u in self.waited_for() if self._answer(u, current.index) is None]
        return Progress(self.answered_count(), len(waiting))

    # -- results ------------------------------------------------------------------------

    def results(self, index: int) -> list[RaceResult]:
        """Every answer to problem `index`, fastest first."""
        opened_at = self._opened_at.get(index)
        found = []
        for user_id in self.racers:
            answer = self._answer(user_id, index)
            if answer is None:
                continue
            seconds = answer.answered_at - opened_at if opened_at is not None else 0.0
            in_a_row = self.run_before(user_id, index) + 1 if answer.correct else 0
            found.append(RaceResult(user_id, answer.correct, answer.points, seconds, in_a_row))
        return sorted(found, key=lambda r: r.seconds)

    def standings(self) -> list[Standing]:
        """Every racer who answered, best first, after the problems opened so far."""
        summary = self.summary()
        rows = []
        for score in summary.scores:  # best first: points, then right answers
            best = run = 0
            for index in range(summary.problems_played):
                run = run + 1 if self._right(score.user_id, index) else 0
                best = max(best, run)
            rows.append((score.user_id, score.points, score.correct, best))
        return [
            Standing(1 + sum(other[1] > points for other in rows), user_id, points, correct, best)
            for user_id, points, correct, best in rows
        ]
