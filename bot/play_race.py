"""`anneal play --mode race`: a race against the clock for a local profile, scored as a
race in Discord is (bot/engine/race.py): one answer per problem, points for speed and for
answers right in a row, no hints. Pausing and resuming work as in any terminal game."""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine.problems import Pack, Problem
from bot.engine.race import RaceOutcome, RaceSession
from bot.engine.session import AnswerOutcome
from bot.play import Console, TerminalGame, store_game
from bot.play_text import format_time
from bot.storage import SessionMode


class RaceGame(TerminalGame):
    """A terminal game of a RaceSession: no hint offered, race points explained."""

    def answer_prompt(self, left: float) -> str:
        """The prompt offers no hint: a race has none."""
        return f"[{format_time(left)} left] Your answer (A-D, q = quit): "

    def feedback(self, outcome: AnswerOutcome) -> str:
        """Right with how the points came about, or wrong and final."""
        attempt = outcome.attempt
        if not attempt.correct:
            return f"  ❌ Not {attempt.option}. In a race that answer is final."
        text = f"  ✅ Correct! +{attempt.points:,} points"
        if isinstance(outcome, RaceOutcome):
            text += f" ({outcome.breakdown})"
        return text


async def start_race(
    console: Console,
    pack: Pack,
    problems: Sequence[Problem],
    *,
    seconds: float,
    keep_pack: bool = False,
) -> RaceGame:
    """A new race of `problems` from `pack`, `seconds` per problem, stored as the player's
    open session (mode race, so its points count apart in `anneal profile`)."""
    player = console.player
    session = RaceSession(
        pack, console.clock, problems=problems, seconds=seconds, entrants=[player.user_id]
    )
    session_id = await store_game(console, session, keep_pack=keep_pack, mode=SessionMode.RACE)
    return RaceGame(session, session_id, console)
