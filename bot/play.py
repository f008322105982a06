"""`anneal play`'s game: problems one at a time in the terminal, with the same engine and
database as the bot; it can pause (`q`), be interrupted, and be resumed later."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TextIO

from bot.challenges.resume import restore_session
from bot.content import ContentLibrary
from bot.engine.problems import Pack, Problem
from bot.engine.session import (
    HINT_KEY,
    ChallengeError,
    ChallengeSession,
    Clock,
    HintUse,
    OpenProblem,
    PlayerScore,
    Summary,
)
from bot.play_text import (
    RULE,
    Screen,
    format_time,
    plural,
    problem_text,
    reveal_text,
    score_line,
    wrap,
)
from bot.storage import LOCAL_GUILD_ID, Database, SessionMode, SessionStatus, StoredSession
from bot.terminal import Interrupted, Reader

# Input that ends (Ctrl-D, or the last piped line) stops the game like Ctrl-C does.
END_OF_INPUT_EXIT_CODE = 130
QUIT_WORDS = frozenset({"q", "quit", "exit"})


@dataclass(frozen=True)
class LocalPlayer:
    """The terminal's player: a local profile's (negative) user id and its name."""

    user_id: int
    name: str

    @property
    def channel_id(self) -> int:
        """Each profile plays in a "channel" of its own, so two can play at once."""
        return self.user_id


def exit_code_of(stop: Interrupted | EOFError) -> int:
    """`anneal play`'s exit code when a signal or the end of input stopped it."""
    return stop.exit_code if isinstance(stop, Interrupted) else END_OF_INPUT_EXIT_CODE


@dataclass(frozen=True)
class Console:
    """Where a game plays: the player, their input and screen, the clock and the database."""

    db: Database
    player: LocalPlayer
    reader: Reader
    screen: Screen
    clock: Clock
    continue_command: str = "anneal play"  # what the player types to come back

    @classmethod
    def of(
        cls,
        db: Database,
        player: LocalPlayer,
        reader: Reader,
        out: TextIO,
        clock: Clock,
        *,
        continue_command: str = "anneal play",
    ) -> Console:
        """The console writing to `out`."""
        return cls(db, player, reader, Screen(out, reader), clock, continue_command)


class Ending(Enum):
    """How a game left the terminal."""

    FINISHED = "finished"  # every problem played: the session is closed
    PAUSED = "paused"  # `q`: the session stays open at its problem, for `anneal play`
    INTERRUPTED = "interrupted"  # a signal or the end of input: the same, in one line


@dataclass(frozen=True)
class GameResult:
    """How the game ended, and the exit code `anneal play` returns for it."""

    ending: Ending
    exit_code: int


class Pause(Exception):
    """The player typed q: leave the game open where it is."""


class TerminalGame:
    """One game for one local player; every attempt is stored before its feedback.

    The session stays open until its last problem is revealed, so a game paused or
    interrupted carries on at its open problem the next time (`resume_game`).
    """

    def __init__(self, session: ChallengeSession, session_id: int, console: Console) -> None:
        self.session = session
        self.session_id = session_id
        self.console = console
        self.db = console.db
        self.player = console.player
        self.reader = console.reader
        self.screen = console.screen
        self.say = console.screen.say
        self.clock = console.clock
        self.continue_command = console.continue_command

    @property
    def pack(self) -> Pack:
        """The pack the game's problems come from."""
        return self.session.pack

    @property
    def position(self) -> int:
        """The 1-based number of the problem the game is at (the open one, else the next)."""
        return len(self.session.problems) - len(self.session.unrevealed) + 1

    @property
    def answered(self) -> int:
        """How many of the game's problems the player has answered (stored attempts)."""
        user = self.player.user_id
        return sum(
            any(who == user and what != HINT_KEY for who, what in self.session.heard(p.id))
            for p in self.session.problems
        )

    async def play(self) -> GameResult:
        """Play on from where the game is until its end, a pause or an interruption."""
        try:
            while not self.session.finished:
                opened = self.session.open_next()
                await self.db.set_current_problem(
                    self.session_id, opened.index, opened.opened_at, opened.deadline
                )
                self.say(problem_text(opened))
                self.show_earlier_attempts()
                await self.take_answers(opened)
                self.say(reveal_text(self.session.reveal()))
        except Pause:
            self.show_pause()
            return GameResult(Ending.PAUSED, 0)
        except (Interrupted, EOFError) as stop:
            self.say()  # the prompt's line stays unfinished otherwise
            self.say(self.saved_line())
            return GameResult(Ending.INTERRUPTED, exit_code_of(stop))
        await self.db.end_session(self.session_id, SessionStatus.FINISHED, self.clock())
        await self.show_summary(self.session.summary())
        return GameResult(Ending.FINISHED, 0)

    def show_earlier_attempts(self) -> None:
        """On a resumed problem: the picks and the hint taken before the game stopped."""
        user = self.player.user_id
        earlier = [f"you tried {a.option}" for a in self.session.attempts_of(user)]
        if self.session.hinted(user):
            earlier.append("you took the hint")
        if earlier:
            left = plural(self.session.attempts_left(user), "attempt")
            self.say(f"  Before you stopped {' and '.join(earlier)}: {left} left.")

    def saved_line(self) -> str:
        """The one line an interrupted game leaves: what is saved, and how to go on."""
        answered = self.answered
        saved = f"saved {plural(answered, 'answer')}" if answered else "nothing answered yet"
        total = len(self.session.problems)
        return f"{saved}; `{self.continue_command}` continues at {self.position}/{total}"

    async def take_answers(self, opened: OpenProblem) -> None:
        """Read the player's lines until they are done with the problem or time is up."""
        user = self.player.user_id
        while not self.session.is_done(user):
            left = opened.deadline - self.clock()
            if left <= 0:
                self.say("⏰ Time is up!")
                return
            self.screen.prompt(
                f"[{format_time(left)} left] Your answer (A-D, h = hint, q = quit): "
            )
            line = await self.reader.read_line(left)
            if line is None:
                self.say()
                self.say("⏰ Time is up!")
                return
            self.screen.echo(line)
            await self.handle(line.strip(), opened.problem)

    async def handle(self, command: str, problem: Problem) -> None:
        """Act on one line: an answer, a hint, or quitting."""
        user = self.player.user_id
        lowered = command.lower()
        if lowered in QUIT_WORDS:
            raise Pause
        if lowered in {"h", "hint"}:
            await self.give_hint(problem)
            return
        if not command:
            return
        try:
            outcome = self.session.judge(user, command)
        except ChallengeError as exc:
            self.say(f"  {exc}")
            return
        attempt = outcome.attempt
        await self.db.save_attempt(self.session_id, attempt)
        self.session.record(attempt)  # nothing counts until it is stored
        if outcome.correct:
            self.say(f"  ✅ Correct! +{attempt.points} points")
        elif outcome.attempts_left:
            left = plural(outcome.attempts_left, "attempt")
            self.say(f"  ❌ Not {attempt.option}. {left} left.")
        else:
            self.say(f"  ❌ Not {attempt.option}. No attempts left.")

    async def give_hint(self, problem: Problem) -> None:
        """Show the hint; the first time it is stored (it costs points), like an answer."""
        user = self.player.user_id
        already = self.session.hinted(user)
        try:
            hint = self.session.check_hint(user)
        except ChallengeError as exc:
            self.say(f"  {exc}")
            return
        if not already:
            await self.db.save_hint(self.session_id, HintUse(user, problem.id, self.clock()))
            self.session.hint(user)
        cost = "" if already else " (This hint costs points.)"
        self.say(wrap(hint + cost, first="  💡 ", rest="     "))

    def show_pause(self) -> None:
        """What `q` prints: the score so far, and where the game waits."""
        total = len(self.session.problems)
        self.say()
        self.say(
            f"⏸  Paused at problem {self.position}/{total}: "
            f"{self.answered} of {plural(total, 'problem')} answered."
        )
        self.say(score_line(self._score(self.session.summary()), self.answered))
        self.say(
            f"Every answer is saved; `{self.continue_command}` continues at problem "
            f"{self.position}/{total}."
        )

    async def show_summary(self, summary: Summary) -> None:
        """Print the player's score, and award the badge if they earned it."""
        self.say()
        self.say(RULE)
        self.say(f"{self.pack.title}: the end")
        score = self._score(summary)
        self.say(score_line(score, summary.problems_played if self.answered else 0))
        if score is None:
            return
        badge = self.pack.badge
        if self.player.user_id in summary.badge_winners:
            new = await self.db.award_badge(
                LOCAL_GUILD_ID, self.player.user_id, badge.name, self.pack.id, self.clock()
            )
            again = "" if new else " (again)"
            self.say(f"{badge.emoji} You earned the badge “{badge.name}”{again}!")
        elif len(self.session.problems) < len(self.pack.problems):
            self.say(
                f"The badge “{badge.name}” needs every problem of the pack right: "
                f"`anneal play --pack {self.pack.id}` plays all {len(self.pack.problems)}."
            )
        else:
            self.say(f"The badge “{badge.name}” needs every problem right. Try again!")

    def _score(self, summary: Summary) -> PlayerScore | None:
        return next((s for s in summary.scores if s.user_id == self.player.user_id), None)


async def start_game(
    console: Console,
    pack: Pack,
    problems: Sequence[Problem],
    *,
    time_scale: float = 1.0,
    keep_pack: bool = False,
    mode: SessionMode = SessionMode.CHALLENGE,
    daily_day: int | None = None,
) -> TerminalGame:
    """A new game of `problems` from `pack`, stored as an open session of the player's.

    `keep_pack` stores the pack itself with the session (a generated pack, or a set made
    for this player), so the game can be resumed whatever the packs on disk become. A
    daily game (`mode`) plays the problem of `daily_day`.
    """
    session = ChallengeSession(pack, console.clock, problems=problems, time_scale=time_scale)
    player = console.player
    session_id = await console.db.create_session(
        LOCAL_GUILD_ID,
        player.channel_id,
        pack.id,
        [p.id for p in session.problems],
        started_by=player.user_id,
        started_at=console.clock(),
        mode=mode,
        daily_day=daily_day,
    )
    if keep_pack:
        await console.db.save_session_pack(session_id, pack.model_dump_json())
    return TerminalGame(session, session_id, console)


async def resume_game(
    console: Console, library: ContentLibrary, stored: StoredSession, *, time_scale: float = 1.0
) -> TerminalGame:
    """The player's unfinished game, at the problem it stopped on with its full time again.

    A problem the player was already done with (solved, or out of attempts) is passed
    over. Raises CannotResume if the game's problems are no longer there.
    """
    session = await restore_session(
        console.db, library, stored, console.clock, reopen=True, time_scale=time_scale
    )
    game = TerminalGame(session, stored.id, console)
    if not session.finished and session.done_with(console.player.user_id, game.position - 1):
        # The game stopped between this problem's reveal and the next one: go on from there.
        session.open_next()
        session.reveal()
    return game
