"""Which game `anneal play` plays: the player's unfinished one if they want it, else a new
one of a named pack, of fresh generated problems, or their next level set."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TextIO

from bot.challenges.resume import CannotResume
from bot.content import FRESH_PACK_ID, ContentLibrary
from bot.engine.level_sets import next_level_set
from bot.engine.problems import Pack
from bot.engine.race import RACE_SECONDS, rules_text
from bot.engine.selection import DEFAULT_COUNT, choose_problems
from bot.engine.session import Clock
from bot.play import (
    Console,
    LocalPlayer,
    TerminalGame,
    exit_code_of,
    resume_game,
    start_game,
)
from bot.play_race import RaceGame, start_race
from bot.play_sets import finished_beginner_set, set_intro, set_pack, shown_in
from bot.play_text import plural, wrap
from bot.storage import LOCAL_GUILD_ID, Database, SessionMode, SessionStatus
from bot.terminal import Interrupted, Reader

# Makes a fresh pack of `count` problems from a seed (torch in a worker; tests fake it).
Generate = Callable[[int | None, int], Awaitable[Pack]]
YES = frozenset({"", "y", "yes"})
NO = frozenset({"n", "no"})


@dataclass(frozen=True)
class PlayRequest:
    """What `anneal play` was asked for. `pack_id` None: the player's next level set."""

    profile: str
    pack_id: str | None = None
    count: int | None = None  # None: a whole pack, or DEFAULT_COUNT for a set
    time_scale: float = 1.0
    seed: int | None = None
    continue_command: str = "anneal play"  # what the player types to come back
    mode: SessionMode = SessionMode.CHALLENGE  # or RACE: one timed answer per problem
    race_seconds: float = RACE_SECONDS  # a race's time per problem (already scaled)


async def play_in_terminal(
    db: Database,
    library: ContentLibrary,
    request: PlayRequest,
    reader: Reader,
    out: TextIO,
    clock: Clock,
    generate: Generate,
) -> int:
    """Offer the unfinished game, else start a new one; play it. Returns the exit code."""
    player = LocalPlayer(await db.local_user(request.profile), request.profile)
    console = Console.of(db, player, reader, out, clock, continue_command=request.continue_command)
    starting = _Start(console, library, request)
    try:
        game = await starting.unfinished_game()
    except (Interrupted, EOFError) as stop:  # at the question: the game stays as it was
        return exit_code_of(stop)
    if game is None:
        game = await starting.new_game(generate)
    with reader.stopped_by():
        result = await game.play()
    return result.exit_code


class _Start:
    """The steps before the first problem."""

    def __init__(self, console: Console, library: ContentLibrary, request: PlayRequest) -> None:
        self.console = console
        self.say = console.screen.say
        self.library = library
        self.request = request

    async def unfinished_game(self) -> TerminalGame | None:
        """The player's open game if they choose to continue it; None for a new game.

        Interrupted or EOFError if they stop at the question (nothing is changed then).
        """
        stored = await self.console.db.open_session_in_channel(self.console.player.channel_id)
        if stored is None:
            return None
        try:
            game = await resume_game(
                self.console,
                self.library,
                stored,
                time_scale=self.request.time_scale,
                game_type=RaceGame if stored.mode is SessionMode.RACE else TerminalGame,
            )
        except CannotResume:
            await self.console.db.end_session(
                stored.id, SessionStatus.STOPPED, self.console.clock()
            )
            self.say(
                "Your unfinished game cannot go on: its problems are no longer in the packs. "
                "It is closed; its answers are kept."
            )
            return None
        total = len(game.session.problems)
        self.say(
            f"You have an unfinished game: {game.pack.title}, "
            f"{game.answered} of {plural(total, 'problem')} answered."
        )
        try:
            with self.console.reader.stopped_by():
                keep = await self.ask(f"Continue problem {game.position}/{total}? [Y/n] ")
        except (Interrupted, EOFError):
            self.say()
            self.say(
                f"nothing changed; `{game.continue_command}` continues at {game.position}/{total}"
            )
            raise
        if keep:
            self.say(f"Continuing {game.pack.title} as {self.console.player.name}.")
            return game
        await self.console.db.end_session(stored.id, SessionStatus.STOPPED, self.console.clock())
        self.say("That game is closed; its answers are kept. Here is a new one.")
        return None

    async def ask(self, question: str) -> bool:
        """Yes (Enter) or no, asked until the answer is one of them."""
        while True:
            self.console.screen.prompt(question)
            line = await self.console.reader.read_line(None)
            assert line is not None  # no time limit: a line, or EOFError
            self.console.screen.echo(line)
            answer = line.strip().lower()
            if answer in YES or answer in NO:
                return answer in YES
            self.say("Please answer y (or just Enter) to continue it, or n for a new game.")

    async def new_game(self, generate: Generate) -> TerminalGame:
        """A new game of what the request names, stored as the player's open session."""
        request = self.request
        rng = random.Random(request.seed)
        keep_pack = True  # generated packs and sets exist nowhere else
        if request.pack_id == FRESH_PACK_ID and FRESH_PACK_ID not in self.library.packs:
            pack = await generate(request.seed, request.count or DEFAULT_COUNT)
            problems = pack.problems
            intro = pack.description
        elif request.pack_id is not None:
            pack = self.library.pack(request.pack_id)
            recent = await self.console.db.recently_shown(
                LOCAL_GUILD_ID, self.console.player.channel_id, pack.id
            )
            problems = choose_problems(pack.problems, request.count, rng, recent)
            intro = pack.description
            keep_pack = False  # found by id in the packs, like a challenge's
        else:
            games = await self.console.db.games_started_by(
                LOCAL_GUILD_ID, self.console.player.user_id
            )
            level_set = next_level_set(
                (problem for _, problem in self.library.problems()),
                shown_in(games),
                finished_beginner_set=finished_beginner_set(games),
                rng=rng,
                count=request.count or DEFAULT_COUNT,
            )
            pack = set_pack(level_set)
            problems = pack.problems
            intro = set_intro(level_set, games)
        if request.mode is SessionMode.RACE:
            game: TerminalGame = await start_race(
                self.console, pack, problems, seconds=request.race_seconds, keep_pack=keep_pack
            )
            intro = f"A race: {rules_text(request.race_seconds, len(problems))}"
        else:
            game = await start_game(
                self.console, pack, problems, time_scale=request.time_scale, keep_pack=keep_pack
            )
        playing = f"playing as {self.console.player.name}"
        self.say(f"{pack.title} · {plural(len(problems), 'problem')} · {playing}")
        self.say(wrap(intro))
        return game
