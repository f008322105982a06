"""`anneal play`: a challenge in the terminal, with the same engine and database as the bot."""

from __future__ import annotations

import asyncio
import shlex
import textwrap
from dataclasses import dataclass
from typing import TextIO

from bot.content import FRESH_PACK_ID
from bot.engine.problems import Pack, Problem
from bot.engine.session import (
    ChallengeError,
    ChallengeSession,
    Clock,
    HintUse,
    OpenProblem,
    Reveal,
    Summary,
)
from bot.storage import LOCAL_GUILD_ID, Database, SessionStatus
from bot.terminal import LineReader

WIDTH = 78


@dataclass(frozen=True)
class LocalPlayer:
    """The terminal's player: a local profile's (negative) user id and its name."""

    user_id: int
    name: str


class QuitGame(Exception):
    """The player typed q, or their input ended."""


class TerminalGame:
    """Plays one pack for one local player; every attempt is stored before feedback."""

    def __init__(
        self,
        pack: Pack,
        db: Database,
        player: LocalPlayer,
        reader: LineReader,
        out: TextIO,
        clock: Clock,
        *,
        time_scale: float = 1.0,
    ) -> None:
        self.pack = pack
        self.db = db
        self.player = player
        self.reader = reader
        self.out = out
        self.clock = clock
        self.session = ChallengeSession(pack, clock, time_scale=time_scale)
        self.session_id = 0
        self.echo = not out.isatty() or not reader.is_terminal

    def say(self, text: str = "") -> None:
        """Print a line to the player."""
        self.out.write(text + "\n")
        self.out.flush()

    async def play(self) -> Summary:
        """Play every problem (or until the player quits) and show the summary."""
        self.session_id = await self._start_session()
        status = SessionStatus.FINISHED
        try:
            while not self.session.finished:
                opened = self.session.open_next()
                await self.db.set_current_problem(
                    self.session_id, opened.index, opened.opened_at, opened.deadline
                )
                self.show_problem(opened)
                await self.take_answers(opened)
                self.show_reveal(self.session.reveal())
        except QuitGame:
            status = SessionStatus.STOPPED
            if self.session.current is not None:
                self.show_reveal(self.session.reveal())
            self.say("Stopped. Every answer you gave so far is saved.")
        summary = self.session.summary()
        await self.db.end_session(self.session_id, status, self.clock())
        await self.show_summary(summary)
        return summary

    async def _start_session(self) -> int:
        # Each local profile plays in a "channel" of its own, so two profiles can play at
        # once. A game that crashed leaves its session open: close it, keeping its answers.
        channel_id = self.player.user_id
        stale = await self.db.open_session_in_channel(channel_id)
        if stale is not None:
            await self.db.end_session(stale.id, SessionStatus.STOPPED, self.clock())
            self.say("(Your previous game was interrupted; its answers were kept.)")
        session_id = await self.db.create_session(
            LOCAL_GUILD_ID,
            channel_id,
            self.pack.id,
            [p.id for p in self.session.problems],
            started_by=self.player.user_id,
            started_at=self.clock(),
        )
        if self.pack.id == FRESH_PACK_ID:
            # A generated pack is in no file: keep it, so a miss can be reviewed later.
            await self.db.save_session_pack(session_id, self.pack.model_dump_json())
        return session_id

    async def take_answers(self, opened: OpenProblem) -> None:
        """Read the player's lines until they are done with the problem or time is up."""
        user = self.player.user_id
        while not self.session.is_done(user):
            left = opened.deadline - self.clock()
            if left <= 0:
                self.say("⏰ Time is up!")
                return
            self.out.write(f"[{format_time(left)} left] Your answer (A-D, h = hint, q = quit): ")
            self.out.flush()
            try:
                line = await asyncio.to_thread(self.reader.read_line, left)
            except EOFError:
                self.say()
                raise QuitGame from None
            if line is None:
                self.say()
                self.say("⏰ Time is up!")
                return
            if self.echo:
                self.say(line)  # piped answers: show them, so the transcript reads right
            await self.handle(line.strip(), opened.problem)

    async def handle(self, command: str, problem: Problem) -> None:
        """Act on one line: an answer, a hint, or quitting."""
        user = self.player.user_id
        lowered = command.lower()
        if lowered in {"q", "quit", "exit"}:
            raise QuitGame
        if lowered in {"h", "hint"}:
            already = self.session.hinted(user)
            try:
                hint = self.session.check_hint(user)
            except ChallengeError as exc:
                self.say(f"  {exc}")
                return
            if not already:
                use = HintUse(user, problem.id, self.clock())
                await self.db.save_hint(self.session_id, use)
                self.session.hint(user)  # charged once it is stored, like an answer
            cost = "" if already else " (This hint costs points.)"
            self.say(wrap(hint + cost, first="  💡 ", rest="     "))
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
            plural = "s" if outcome.attempts_left > 1 else ""
            self.say(f"  ❌ Not {attempt.option}. {outcome.attempts_left} attempt{plural} left.")
        else:
            self.say(f"  ❌ Not {attempt.option}. No attempts left.")

    def show_problem(self, opened: OpenProblem) -> None:
        """Print the problem: header, prompt, code and options."""
        problem = opened.problem
        self.say()
        self.say("═" * WIDTH)
        self.say(
            f"Problem {opened.number}/{opened.total} · {problem.kind.label} · {problem.level.value}"
            f" · {format_time(opened.deadline - opened.opened_at)} to answer · "
            f"{problem.attempts} attempt{'s' if problem.attempts > 1 else ''}"
        )
        self.say(problem.title)
        self.say("─" * WIDTH)
        self.say(wrap(problem.prompt))
        if problem.code:
            self.say()
            self.say(textwrap.indent(problem.code.rstrip(), "    "))
        self.say()
        for letter, text in problem.options.items():
            self.say(wrap(text, first=f"  {letter}) ", rest="     "))
        self.say()

    def show_reveal(self, reveal: Reveal) -> None:
        """Print the answer, why, why not the others, and how to try it."""
        problem = reveal.problem
        self.say()
        answer = f"{problem.answer}) {problem.options[problem.answer]}"
        self.say(wrap(answer, first="The answer is ", rest="    "))
        self.say(wrap(problem.explanation, first="  Why: ", rest="       "))
        for letter, why in problem.why_not.items():
            self.say(wrap(why, first=f"  Not {letter}: ", rest="         "))
        if (recipe := problem.run) is not None:
            command = f"anneal run {shlex.quote(recipe.expression)} --steps {recipe.steps}"
            self.say(f"  Try it yourself: {command}")

    async def show_summary(self, summary: Summary) -> None:
        """Print the player's score, and award the badge if they earned it."""
        self.say()
        self.say("═" * WIDTH)
        self.say(f"{self.pack.title}: the end")
        score = next((s for s in summary.scores if s.user_id == self.player.user_id), None)
        if score is None:
            self.say("You did not answer any problem this time.")
            return
        self.say(
            f"{score.points} points · {score.correct}/{summary.problems_played} correct"
            f" · {score.first_try} on the first try · {score.hints} hint(s)"
        )
        badge = self.pack.badge
        if self.player.user_id in summary.badge_winners:
            new = await self.db.award_badge(
                LOCAL_GUILD_ID, self.player.user_id, badge.name, self.pack.id, self.clock()
            )
            again = "" if new else " (again)"
            self.say(f"{badge.emoji} You earned the badge “{badge.name}”{again}!")
        else:
            self.say(f"The badge “{badge.name}” needs every problem right. Try again!")


def format_time(seconds: float) -> str:
    """Seconds as m:ss, e.g. 1:05."""
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def wrap(text: str, first: str = "", rest: str = "") -> str:
    """Text filled to the screen width, keeping its paragraphs."""
    paragraphs = text.strip().split("\n\n")
    lines: list[str] = []
    for i, paragraph in enumerate(paragraphs):
        lines.append(
            textwrap.fill(
                " ".join(paragraph.split()),
                WIDTH,
                initial_indent=first if i == 0 else rest,
                subsequent_indent=rest,
            )
        )
    return "\n".join(lines)


async def play_pack(
    pack: Pack,
    db: Database,
    profile: str,
    reader: LineReader,
    out: TextIO,
    clock: Clock,
    *,
    time_scale: float = 1.0,
) -> Summary:
    """Set up the local player and play `pack` once."""
    user_id = await db.local_user(profile)
    game = TerminalGame(
        pack, db, LocalPlayer(user_id, profile), reader, out, clock, time_scale=time_scale
    )
    game.say(f"{pack.title} · {len(game.session.problems)} problems · playing as {profile}")
    game.say(wrap(pack.description))
    return await game.play()
