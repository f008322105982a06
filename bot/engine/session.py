"""A running challenge: problems opened one at a time, attempts, hints, reveal and summary.

The session keeps only the facts (which problem is open since when, every attempt, every
hint) and derives the rest, so it can be rebuilt exactly from what storage recorded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field

from bot.engine.badges import earns_badge
from bot.engine.problems import Badge, Letter, Pack, Problem
from bot.engine.scoring import DEFAULT_RULES, ScoringRules, points_for

Clock = Callable[[], float]  # seconds since the epoch, like time.time
# Waits this many seconds of a Clock's time, like asyncio.sleep; tests pass a fake clock's.
Sleep = Callable[[float], Awaitable[None]]
HINT_KEY = "hint"  # what `heard` lists for a player who took the hint


class ChallengeError(Exception):
    """Something a player tried that the rules refuse; the message is fit to show them."""


class ProblemNotOpen(ChallengeError):
    """No problem is open (between problems, or the challenge is over)."""


class DeadlinePassed(ChallengeError):
    """The answer came after the open problem's deadline."""


class NoAttemptsLeft(ChallengeError):
    """The player has used every attempt on this problem."""


class AlreadySolved(ChallengeError):
    """The player already answered this problem correctly."""


class OptionAlreadyTried(ChallengeError):
    """The player picked this wrong option before; it is not counted again."""


class NotAnOption(ChallengeError):
    """The answer names no option of the problem."""


class HintRefused(ChallengeError):
    """The hint is not available to this player now."""


@dataclass(frozen=True)
class Attempt:
    """One judged answer: who picked what, whether it was right and what it scored."""

    user_id: int
    problem_id: str
    option: Letter
    correct: bool
    attempt_number: int  # 1 for a player's first attempt at this problem
    points: int  # 0 unless correct
    answered_at: float


@dataclass(frozen=True)
class HintUse:
    """A player took the hint of a problem at a time (it lowers their points there)."""

    user_id: int
    problem_id: str
    used_at: float


@dataclass(frozen=True)
class OpenProblem:
    """The problem in play: where it is in the set, when it opened and its deadline."""

    index: int  # 0-based position in the set
    total: int
    problem: Problem
    opened_at: float
    deadline: float

    @property
    def number(self) -> int:
        """The 1-based position, as players see it."""
        return self.index + 1


@dataclass(frozen=True)
class AnswerOutcome:
    """The judged attempt and how many attempts the player has left."""

    attempt: Attempt
    attempts_left: int

    @property
    def correct(self) -> bool:
        """Whether the attempt was right."""
        return self.attempt.correct


@dataclass(frozen=True)
class Reveal:
    """A closed problem: who solved it on which attempt, and who missed it."""

    problem: Problem
    solved_by_attempt: dict[int, list[int]]  # attempt number -> users, in answer order
    missed: list[int]  # answered but never right

    @property
    def first_try(self) -> list[int]:
        """The players who solved it on their first attempt, in answer order."""
        return self.solved_by_attempt.get(1, [])


@dataclass(frozen=True)
class PlayerScore:
    """One player's result over a session."""

    user_id: int
    points: int
    correct: int
    first_try: int
    hints: int


@dataclass(frozen=True)
class Summary:
    """The end of a session: scores, best first, and who earned the pack's badge."""

    pack: Pack
    scores: list[PlayerScore]  # best first
    badge_winners: list[int]
    problems_played: int

    @property
    def badge(self) -> Badge:
        """The pack's badge."""
        return self.pack.badge


@dataclass
class _PlayerProblemState:
    attempts: list[Attempt] = field(default_factory=list)
    hinted: bool = False

    @property
    def solved(self) -> bool:
        """Whether one of the player's attempts was right."""
        return any(a.correct for a in self.attempts)


class ChallengeSession:
    """One pass over a pack's problems, shared by everyone in a channel (or one terminal)."""

    def __init__(
        self,
        pack: Pack,
        clock: Clock,
        *,
        problems: Sequence[Problem] | None = None,
        time_scale: float = 1.0,
        rules: ScoringRules = DEFAULT_RULES,
    ) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.pack = pack
        self.problems: list[Problem] = list(problems if problems is not None else pack.problems)
        if not self.problems:
            raise ValueError("a session needs at least one problem")
        self._clock = clock
        self.time_scale = time_scale
        self.rules = rules
        self._current: OpenProblem | None = None
        self._next_index = 0
        self._state: dict[tuple[int, str], _PlayerProblemState] = {}
        self._attempt_order: list[Attempt] = []

    # -- the problem in play ------------------------------------------------------------

    @property
    def current(self) -> OpenProblem | None:
        """The open problem, or None between problems and at the end."""
        return self._current

    @property
    def finished(self) -> bool:
        """Every problem has been played and revealed."""
        return self._current is None and self._next_index >= len(self.problems)

    @property
    def unrevealed(self) -> list[Problem]:
        """The open problem and those still to come: answers nobody may be shown yet."""
        start = self._current.index if self._current is not None else self._next_index
        return self.problems[start:]

    def time_limit(self, problem: Problem) -> float:
        """The problem's time limit in seconds, scaled by the guild's timer scale."""
        return problem.time_limit * self.time_scale

    def open_next(self, *, until: float | None = None) -> OpenProblem:
        """Open the next problem for its time limit, or `until` then (a daily problem stays
        open until the next day's); the previous one must have been revealed."""
        if self._current is not None:
            raise ChallengeError("reveal the current problem before opening the next")
        if self._next_index >= len(self.problems):
            raise ChallengeError("every problem of this set has been played")
        problem = self.problems[self._next_index]
        now = self._clock()
        deadline = now + self.time_limit(problem) if until is None else max(now, until)
        return self._open(self._next_index, now, deadline)

    def _open(self, index: int, opened_at: float, deadline: float) -> OpenProblem:
        self._current = OpenProblem(
            index, len(self.problems), self.problems[index], opened_at, deadline
        )
        self._next_index = index + 1
        return self._current

    def time_left(self) -> float:
        """Seconds until the open problem's deadline (0 if none is open or it passed)."""
        if self._current is None:
            return 0.0
        return max(0.0, self._current.deadline - self._clock())

    def expired(self) -> bool:
        """Whether the open problem's deadline has passed."""
        return self._current is not None and self._clock() > self._current.deadline

    def _open_problem(self) -> OpenProblem:
        if self._current is None:
            raise ProblemNotOpen("No problem is open right now.")
        return self._current

    def _player(self, user_id: int, problem_id: str) -> _PlayerProblemState:
        return self._state.setdefault((user_id, problem_id), _PlayerProblemState())

    # -- what players do ----------------------------------------------------------------

    def answer(self, user_id: int, option: str, *, at: float | None = None) -> AnswerOutcome:
        """Judge and record one attempt, or raise a ChallengeError saying why it does not count."""
        outcome = self.judge(user_id, option, at=at)
        self.record(outcome.attempt)
        return outcome

    def judge(self, user_id: int, option: str, *, at: float | None = None) -> AnswerOutcome:
        """What an attempt would score, without recording it (the bot stores it first).

        `at` is when the answer was given (default: now); the deadline and the speed bonus
        are measured from it, so an answer that waited its turn is judged as it arrived.
        """
        current = self._open_problem()
        problem = current.problem
        letter = problem.option_letter(option)
        if letter is None:
            shown = option.strip()[:20] or "That"
            choices = ", ".join(problem.letters)
            raise NotAnOption(f"{shown} is not an option; pick one of {choices}.")
        now = self._clock() if at is None else at
        if now > current.deadline:
            raise DeadlinePassed("Time is up for this problem; the answer is being revealed.")
        player = self._state.get((user_id, problem.id)) or _PlayerProblemState()
        if player.solved:
            raise AlreadySolved("You already solved this one. Wait for the reveal!")
        if len(player.attempts) >= problem.attempts:
            raise NoAttemptsLeft(f"You have used all {problem.attempts} attempts on this problem.")
        if any(a.option == letter for a in player.attempts):
            # Same wrong pick twice is a slip, not a new guess: it costs nothing.
            raise OptionAlreadyTried(f"You already tried {letter}; that attempt was not counted.")
        correct = letter == problem.answer
        number = len(player.attempts) + 1
        points = 0
        if correct:
            fraction = (current.deadline - now) / max(self.time_limit(problem), 1e-9)
            points = points_for(
                number, used_hint=player.hinted, time_left_fraction=fraction, rules=self.rules
            )
        attempt = Attempt(user_id, problem.id, letter, correct, number, points, now)
        return AnswerOutcome(attempt, attempts_left=0 if correct else problem.attempts - number)

    def record(self, attempt: Attempt) -> None:
        """Keep an attempt that `judge` produced for the open problem."""
        current = self._open_problem()
        player = self._player(attempt.user_id, attempt.problem_id)
        expected_number = len(player.attempts) + 1
        if attempt.problem_id != current.problem.id or attempt.attempt_number != expected_number:
            raise ChallengeError("that attempt was judged against another state of the game")
        player.attempts.append(attempt)
        self._attempt_order.append(attempt)

    def check_hint(self, user_id: int) -> str:
        """The open problem's hint, if the player may have it; nothing is recorded."""
        current = self._open_problem()
        if self._clock() > current.deadline:
            raise HintRefused("Time is up for this problem.")
        if self.is_done(user_id):
            raise HintRefused(
                "You are done with this problem; the explanation comes at the reveal."
            )
        return current.problem.hint

    def hint(self, user_id: int) -> str:
        """The open problem's hint; asking marks the player as hinted, which costs points."""
        text = self.check_hint(user_id)
        self._player(user_id, self._open_problem().problem.id).hinted = True
        return text

    def hinted(self, user_id: int) -> bool:
        """Whether the player has taken the open problem's hint."""
        current = self._open_problem()
        return self._player(user_id, current.problem.id).hinted

    def is_done(self, user_id: int) -> bool:
        """Solved the open problem or used every attempt on it."""
        return self.done_with(user_id, self._open_problem().index)

    def done_with(self, user_id: int, index: int) -> bool:
        """Solved the problem at `index` (open or not) or used every attempt on it."""
        problem = self.problems[index]
        player = self._state.get((user_id, problem.id))
        if player is None:
            return False
        return player.solved or len(player.attempts) >= problem.attempts

    def attempts_left(self, user_id: int) -> int:
        """The attempts the player has left on the open problem (0 once solved)."""
        current = self._open_problem()
        player = self._state.get((user_id, current.problem.id))
        if player is None:
            return current.problem.attempts
        return 0 if player.solved else current.problem.attempts - len(player.attempts)

    @property
    def participants(self) -> list[int]:
        """Everyone who has answered or asked for a hint in this session, first comer first."""
        seen: dict[int, None] = {}
        for user_id, _ in self._state:
            seen.setdefault(user_id, None)
        return list(seen)

    def played(self, user_id: int, index: int) -> bool:
        """Whether the player answered, or took the hint of, the problem at `index`."""
        return (user_id, self.problems[index].id) in self._state

    def attempts_of(self, user_id: int) -> list[Attempt]:
        """The player's attempts at the open problem, oldest first."""
        current = self._open_problem()
        player = self._state.get((user_id, current.problem.id))
        return list(player.attempts) if player is not None else []

    def heard(self, problem_id: str) -> set[tuple[int, str]]:
        """Every (player, option letter) answered on a problem, and (player, HINT_KEY) hints."""
        heard: set[tuple[int, str]] = set()
        for (user_id, pid), state in self._state.items():
            if pid != problem_id:
                continue
            heard.update((user_id, a.option) for a in state.attempts)
            if state.hinted:
                heard.add((user_id, HINT_KEY))
        return heard

    def answered_count(self) -> int:
        """How many players have answered the open problem."""
        current = self._open_problem()
        return sum(
            1 for (_, pid), s in self._state.items() if pid == current.problem.id and s.attempts
        )

    # -- reveal and summary -------------------------------------------------------------

    def reveal(self) -> Reveal:
        """Close the open problem and say who solved it on which attempt."""
        current = self._open_problem()
        problem_id = current.problem.id
        by_attempt: dict[int, list[int]] = {}
        missed: list[int] = []
        answered: dict[int, None] = {}
        # In answer order: the moment each answer was given, not when it was stored.
        in_order = sorted(self._attempt_order, key=lambda a: a.answered_at)
        for attempt in in_order:
            if attempt.problem_id != problem_id:
                continue
            answered.setdefault(attempt.user_id, None)
            if attempt.correct:
                by_attempt.setdefault(attempt.attempt_number, []).append(attempt.user_id)
        solved = {u for users in by_attempt.values() for u in users}
        missed = [u for u in answered if u not in solved]
        self._current = None
        return Reveal(current.problem, dict(sorted(by_attempt.items())), missed)

    def summary(self) -> Summary:
        """Scores of everyone who played, best first, and the badge winners.

        The badge is the pack's, so it counts the whole pack: a challenge of 5 of its 18
        problems can show a perfect score but earns no "every problem right" badge.
        """
        played = self.problems[: self._next_index]
        scores = []
        winners = []
        for user_id in self.participants:
            states = {p.id: self._state.get((user_id, p.id)) for p in played}
            solved_on: dict[str, int | None] = {}
            points = hints = 0
            for problem_id, state in states.items():
                if state is None:
                    solved_on[problem_id] = None
                    continue
                hints += state.hinted
                right = [a for a in state.attempts if a.correct]
                solved_on[problem_id] = right[0].attempt_number if right else None
                points += sum(a.points for a in right)
            correct = sum(1 for n in solved_on.values() if n is not None)
            first = sum(1 for n in solved_on.values() if n == 1)
            scores.append(PlayerScore(user_id, points, correct, first, hints))
            if earns_badge(self.pack.badge, solved_on, len(self.pack.problems)):
                winners.append(user_id)
        scores.sort(key=lambda s: (-s.points, -s.correct, -s.first_try))
        return Summary(self.pack, scores, winners, len(played))

    # -- rebuilding after a restart -------------------------------------------------------

    @classmethod
    def restore(
        cls,
        pack: Pack,
        clock: Clock,
        *,
        problems: Sequence[Problem],
        current_index: int | None,
        opened_at: float | None,
        deadline: float | None,
        attempts: Iterable[Attempt],
        hints: Iterable[HintUse],
        next_index: int | None = None,
        time_scale: float = 1.0,
        rules: ScoringRules = DEFAULT_RULES,
    ) -> ChallengeSession:
        """Rebuild a session from stored facts; the open problem keeps its stored deadline."""
        session = cls(pack, clock, problems=problems, time_scale=time_scale, rules=rules)
        for attempt in sorted(attempts, key=lambda a: a.answered_at):
            session._player(attempt.user_id, attempt.problem_id).attempts.append(attempt)
            session._attempt_order.append(attempt)
        for use in hints:
            session._player(use.user_id, use.problem_id).hinted = True
        if current_index is not None:
            if opened_at is None or deadline is None:
                raise ValueError("an open problem needs opened_at and deadline")
            session._open(current_index, opened_at, deadline)
        else:
            session._next_index = next_index if next_index is not None else 0
        return session
