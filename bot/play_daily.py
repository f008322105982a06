"""`anneal play --mode daily`: today's daily problem in the terminal, for a local profile.

The terminal is guild 0, with a daily rotation of its own: the same rule as a server's
(bot/engine/daily_choice.py) over guild 0's past daily problems, one per local day (the
machine's time zone). The first profile to play on a day claims the day and keeps its
choice; every profile then plays that problem once, in a daily session of its own, and
its streak counts the days in a row it solved the day's problem.
"""

from __future__ import annotations

import os
import random
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import TextIO

from bot.challenges.daily_pick import DailyPicker, DailyProblem, GenerateProblem, generator_on
from bot.content import ContentLibrary
from bot.content.generator import GenerationError
from bot.engine.daily_times import day_number, local_date
from bot.engine.problems import Problem
from bot.engine.session import Clock, Summary
from bot.engine.streaks import Streak
from bot.play import Console, LocalPlayer, TerminalGame, resume_game, start_game
from bot.play_text import RULE, plural, score_line
from bot.storage import LOCAL_GUILD_ID, Database, SessionMode, StoredSession
from bot.terminal import Reader

MODE = "daily"  # `anneal play --mode daily`
# A terminal that died while choosing the day's problem is taken over this soon.
CHOOSING_LEASE = 30.0


@dataclass(frozen=True)
class DailyRequest:
    """What `anneal play --mode daily` was asked for."""

    profile: str
    time_scale: float = 1.0
    zone: tzinfo | None = None  # None: the machine's local time zone
    continue_command: str = "anneal play --mode daily"


def day_text(day: date) -> str:
    """ "Monday 3 March 2025"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def streak_line(streak: Streak | None) -> str:
    """The profile's daily streak in one line."""
    if streak is None or streak.best == 0:
        return "Daily streak: none yet. Solve a day's problem to start one."
    if streak.current == 0:
        return f"Daily streak: none going (best {plural(streak.best, 'day')})."
    return f"Daily streak: 🔥 {plural(streak.current, 'day')} in a row (best {streak.best})."


class DailyGame(TerminalGame):
    """The day's one problem; it ends with the profile's streak, never with a pack badge."""

    def __init__(self, game: TerminalGame, day: date) -> None:
        super().__init__(game.session, game.session_id, game.console)
        self.day = day

    async def show_summary(self, summary: Summary) -> None:
        """The result, then the streak (this problem counts for the day's, even past midnight)."""
        self.say()
        self.say(RULE)
        self.say(f"The daily problem of {day_text(self.day)}: done")
        score = next((s for s in summary.scores if s.user_id == self.player.user_id), None)
        self.say(score_line(score, 1 if self.answered else 0))
        self.say(await streak_of(self.db, self.player, self.day))


async def streak_of(db: Database, player: LocalPlayer, today: date) -> str:
    """The profile's daily streak line: `today`'s problem is still open to it until it has
    played it to the end."""
    played = await _session_of(db, player, today)
    missed = [player.user_id] if played is not None and not played.is_open else []
    found = await db.daily_streaks(
        LOCAL_GUILD_ID, player.user_id, today=day_number(today), missed=missed
    )
    return streak_line(found.get(player.user_id))


async def todays_problem(
    db: Database, picker: DailyPicker, day: date, now: float, *, owner: str
) -> DailyProblem | None:
    """The terminal's problem of `day`: chosen before, or chosen now by claiming the day.
    None while another terminal is choosing it (or the problem chosen left the packs)."""
    number = day_number(day)
    record = await db.daily_record(LOCAL_GUILD_ID, number)
    if record is not None and record.choice is not None:
        return picker.problem_of(record.choice)
    claim = await db.claim_daily(LOCAL_GUILD_ID, number, owner, now, lease=CHOOSING_LEASE)
    if not claim.ours:
        return None
    daily = await picker.for_claim(db, claim, owner)
    # In the terminal, choosing is posting: the day is settled for every profile.
    await db.mark_daily_posted(LOCAL_GUILD_ID, number, owner, now)
    return daily


async def play_daily(
    db: Database,
    library: ContentLibrary,
    request: DailyRequest,
    reader: Reader,
    out: TextIO,
    clock: Clock,
    generate: GenerateProblem | None,
) -> int:
    """Play (or continue) today's daily problem; if it was played, say how it went.
    Returns the exit code."""
    player = LocalPlayer(await db.local_user(request.profile), request.profile)
    console = Console.of(db, player, reader, out, clock, continue_command=request.continue_command)
    say = console.screen.say
    today = local_date(clock(), request.zone)
    owner = f"terminal:{os.getpid()}:{secrets.token_hex(4)}"
    daily = await todays_problem(db, DailyPicker(library, generate), today, clock(), owner=owner)
    if daily is None:
        say("Another `anneal play --mode daily` is choosing today's problem: try again shortly.")
        return 1
    played = await _session_of(db, player, today)
    if played is not None and not played.is_open:
        say(f"You have played the daily problem of {day_text(today)} already.")
        say(await streak_of(db, player, today))
        say("A new one comes tomorrow.")
        return 0
    if played is not None:
        game = await resume_game(console, library, played, time_scale=request.time_scale)
        say(f"Continuing the daily problem of {day_text(today)} as {player.name}.")
    else:
        game = await start_game(
            console,
            daily.pack,
            [daily.problem],
            time_scale=request.time_scale,
            keep_pack=daily.generated,
            mode=SessionMode.DAILY,
            daily_day=day_number(today),
        )
        say(f"📅 The daily problem of {day_text(today)} · playing as {player.name}")
    with reader.stopped_by():
        result = await DailyGame(game, today).play()
    return result.exit_code


async def _session_of(db: Database, player: LocalPlayer, day: date) -> StoredSession | None:
    """The profile's session of the day's problem, if it started one."""
    sessions = await db.daily_sessions(LOCAL_GUILD_ID, day_number(day))
    return next((s for s in sessions if s.started_by == player.user_id), None)


async def generate_with_torch(
    scheduler: str, rng: random.Random, taken: Collection[str]
) -> Problem:
    """A generated problem for the day, from one torch worker started for it."""
    from bot.runner import RunnerPool, RunnerStartError

    print("Generating today's problem with torch…", flush=True)
    try:
        async with RunnerPool(size=1, plot=False, job_timeout=30.0) as pool:
            return await generator_on(pool)(scheduler, rng, taken)
    except RunnerStartError as exc:
        raise GenerationError(f"torch could not start: {exc}") from exc
