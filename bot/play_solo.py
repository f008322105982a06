"""`anneal play --mode practice|review`: a solo run in the terminal, untimed, one answer per
problem, each verdict shown at once with its explanation, by the rules of bot/engine/solo.py.

The problems come from the bot's own sources (PracticeSource, ReviewSource), so a terminal
run picks what a DM run would. A run plays in a channel of its own, apart from the
profile's challenge games; `q`, Ctrl-C and the end of input end it cleanly, with every
answer already stored (a miss enters the review queue as it is stored).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import TextIO

from bot.challenges.answers import save_answer
from bot.challenges.due import NothingDue, ReviewSource
from bot.challenges.practice import PracticeSource
from bot.challenges.solo import ProblemSource, SoloSet
from bot.content import ContentLibrary
from bot.engine.review import ReviewQueue, format_interval
from bot.engine.session import ChallengeError, Clock
from bot.engine.solo import SoloProblem, SoloRun, SoloSummary, Verdict
from bot.engine.topics import Topic, Topics
from bot.play import QUIT_WORDS, Console, LocalPlayer, exit_code_of
from bot.play_text import RULE, plural, problem_card, solution_text, wrap
from bot.storage import LOCAL_GUILD_ID, Database, SessionMode, SessionStatus
from bot.terminal import Interrupted, Reader

RUN_ENDED = "This run has ended."


@dataclass(frozen=True)
class SoloRequest:
    """What `anneal play --mode practice|review` was asked for."""

    profile: str
    mode: SessionMode
    count: int
    topic: Topic | None = None  # practice only; resolved before anything is stored
    seed: int | None = None


def solo_channel(player: LocalPlayer) -> int:
    """The channel a profile's solo runs play in: never its challenge games' channel, so
    `anneal play` never offers a practice run as the game to continue."""
    # Profiles are -1, -2, ...: these are far below every one of them and distinct.
    return player.user_id * 2**32


def nothing_due_text(queue: ReviewQueue) -> str:
    """Nothing to review: when the next problem is due, and how many are queued."""
    if not queue.queued:
        return (
            "Nothing to review: your queue is empty. A problem you get wrong (in a game "
            "or in practice) comes back here later."
        )
    text = "Nothing is due for review right now"
    if queue.next_due_at is not None:
        minutes = max(1, math.ceil((queue.next_due_at - queue.now) / 60))
        text += f"; the next is due in {format_interval(minutes * 60)}"
    return f"{text}; {plural(queue.queued, 'problem')} queued."


async def play_solo(
    db: Database,
    library: ContentLibrary,
    request: SoloRequest,
    reader: Reader,
    out: TextIO,
    clock: Clock,
) -> int:
    """Pick the run's problems, play them, and print the summary. Returns the exit code."""
    player = LocalPlayer(await db.local_user(request.profile), request.profile)
    console = Console.of(db, player, reader, out, clock)
    source: ProblemSource
    if request.mode is SessionMode.REVIEW:
        source = ReviewSource(db, library, clock)
    else:
        topics = Topics(library.packs)
        topic = request.topic or topics.resolve(None)
        source = PracticeSource(db, topics, topic, rng=random.Random(request.seed))
    try:
        chosen = await source.pick(player.user_id, request.count)
    except NothingDue as nothing:
        console.screen.say(nothing_due_text(nothing.due.queue))
        return 0
    except ChallengeError as exc:  # e.g. every problem of the topic is in play
        console.screen.say(str(exc))
        return 1
    game = await SoloGame.start(console, chosen, request.mode)
    with reader.stopped_by():
        return await game.play()


class SoloGame:
    """One solo run of one local player; every answer is stored before its verdict."""

    def __init__(
        self, console: Console, session_id: int, run: SoloRun, title: str, mode: SessionMode
    ) -> None:
        self.console = console
        self.db = console.db
        self.say = console.screen.say
        self.session_id = session_id
        self.run = run
        self.title = title
        self.mode = mode

    @classmethod
    async def start(cls, console: Console, chosen: SoloSet, mode: SessionMode) -> SoloGame:
        """A new run of `chosen`, stored as the player's open solo session."""
        db, player, now = console.db, console.player, console.clock()
        channel = solo_channel(player)
        stale = await db.open_session_in_channel(channel)
        if stale is not None:  # a run killed outright: its answers are kept
            await db.end_session(stale.id, SessionStatus.STOPPED, now)
        ids = [p.id for p in chosen.problems]
        session_id = await db.create_session(
            LOCAL_GUILD_ID, channel, chosen.label, ids, player.user_id, now, mode=mode
        )
        if chosen.generated is not None:
            await db.save_session_pack(session_id, chosen.generated.model_dump_json())
        title = f"{mode.value.title()}: {chosen.label}"
        run = SoloRun(player.user_id, chosen.problems, console.clock)
        game = cls(console, session_id, run, title, mode)
        count = plural(len(chosen.problems), "problem")
        game.say(f"{title} · {count} · untimed, one answer each · playing as {player.name}")
        return game

    async def play(self) -> int:
        """Play every problem, or until `q`, a signal or the end of input; the exit code."""
        try:
            while (current := self.run.current) is not None:
                self.say(self.problem_text(current))
                await self.take_answer(current)
        except _Quit:
            await self.finish(SessionStatus.STOPPED)
            return 0
        except (Interrupted, EOFError) as stop:
            self.say()  # the prompt's line stays unfinished otherwise
            await self.finish(SessionStatus.STOPPED)
            return exit_code_of(stop)
        await self.finish(SessionStatus.FINISHED)
        return 0

    def problem_text(self, shown: SoloProblem) -> str:
        """The problem, headed by where it is in the run (and no clock)."""
        problem = shown.problem
        return problem_card(
            problem,
            f"{self.title} · problem {shown.number}/{shown.total} · {problem.kind.label}"
            f" · {problem.level.value} · one answer",
        )

    async def take_answer(self, shown: SoloProblem) -> None:
        """Read lines until one is an answer, stored and judged."""
        while self.run.current == shown:
            self.console.screen.prompt("Your answer (A-D, h = hint, q = quit): ")
            line = await self.console.reader.read_line(None)
            assert line is not None  # no time limit: a line, or EOFError
            self.console.screen.echo(line)
            await self.handle(line.strip(), shown)

    async def handle(self, command: str, shown: SoloProblem) -> None:
        """Act on one line: an answer, the hint, or quitting."""
        lowered = command.lower()
        if lowered in QUIT_WORDS:
            raise _Quit
        if lowered in {"h", "hint"}:
            use = self.run.check_hint(index=shown.index)
            if not self.run.hinted(use.problem_id):
                await self.db.save_hint(self.session_id, use)
                self.run.record_hint(use)
            self.say(wrap(shown.problem.hint, first="  💡 ", rest="     "))
            return
        if not command:
            return
        try:
            verdict = self.run.judge(command, index=shown.index)
            await save_answer(self.db, self.session_id, verdict.attempt, None, ended=RUN_ENDED)
        except ChallengeError as exc:
            self.say(f"  {exc}")
            return
        self.run.record(verdict)  # only once it is stored
        self.say(verdict_text(verdict))

    async def finish(self, status: SessionStatus) -> None:
        """Close the session and print the summary."""
        await self.db.end_session(self.session_id, status, self.console.clock())
        self.say()
        self.say(RULE)
        self.say(summary_text(self.title, self.run.summary(), self.mode))


class _Quit(Exception):
    """The player typed q: the run ends here."""


def verdict_text(verdict: Verdict) -> str:
    """Right or wrong, then the answer, why, and why not each other option."""
    mark = "✅ Right!" if verdict.correct else f"❌ Not {verdict.attempt.option}."
    return f"  {mark}\n{solution_text(verdict.problem)}"


def summary_text(title: str, summary: SoloSummary, mode: SessionMode) -> str:
    """Right out of answered, per scheduler (weakest first), and what comes back to review."""
    if not summary.answered:
        return f"{title}: no problem answered this time."
    stopped = "" if summary.answered == summary.planned else f" (of {summary.planned})"
    lines = [f"{title}: {summary.right}/{summary.answered} right{stopped}"]
    lines += [f"  {t.name}: {t.right}/{t.answered}" for t in summary.by_scheduler]
    if summary.missed:
        missed = len(summary.missed)
        again = " again" if mode is SessionMode.REVIEW else ""
        lines.append(
            f"{plural(missed, 'missed problem')} come{'s' if missed == 1 else ''} back{again}"
            " in `anneal play --mode review` once due."
        )
    elif summary.perfect:
        lines.append("Every one right!")
    return "\n".join(lines)
