"""Answers, hints and read-back for live problems: what every mode answered by reactions
shares (challenges, daily problems).

Each answer is judged by the engine, written to SQLite, and only then acknowledged. Every
live problem's game has one lock: answers, hints and whatever reveals it take turns, so a
reaction that races the reveal is either counted or told the problem closed. After a
restart, reactions added while the bot was away are handed in as if they had just arrived
(`expect_replays`), and the reveal waits for them.
"""

from __future__ import annotations

import math

from bot.challenges.answers import save_answer
from bot.challenges.live import LiveChallenge, NoChallengeHere, ProblemClosed
from bot.challenges.resume import LATE_PICK
from bot.challenges.running import RunningChallenges
from bot.engine.problems import Problem
from bot.engine.session import AnswerOutcome, HintUse


class AnsweringChallenges(RunningChallenges):
    """Live problems that take answers and hints, and the reactions read back after a restart."""

    # -- looking things up --------------------------------------------------------------

    def knows_message(self, message_id: int) -> bool:
        """A problem message of a live challenge, open or already revealed."""
        return (
            message_id in self._by_message
            or message_id in self._late
            or any(message_id in live.closed_messages for live in self._by_channel.values())
        )

    def heard_on(self, message_id: int) -> frozenset[tuple[int, str]]:
        """Every (user, option letter or "hint") already taken on a problem message."""
        live = self._by_message.get(message_id)
        if live is not None and live.session.current is not None:
            return frozenset(live.session.heard(live.session.current.problem.id))
        return self._late.get(message_id, frozenset())

    def expect_replays(self, message_id: int, picks: list[tuple[int, str]], at: float) -> None:
        """Picks read back after a restart count as arrived `at`, however long handing them
        in takes; the problem is not revealed before they are in (or `replays_done`)."""
        for user_id, letter in picks:
            self._replays[(message_id, user_id, letter)] = at

    def replays_done(self, message_id: int) -> None:
        """The read-back of `message_id` is over: its problem may be revealed when due."""
        self._reading_back.pop(message_id, None)
        for key in [k for k in self._replays if k[0] == message_id]:
            del self._replays[key]  # handed on, but refused before it was judged

    def _holding(self, live: LiveChallenge) -> bool:
        message_id = live.message_id
        if message_id is None:
            return False
        if self._reading_back.get(message_id, -math.inf) > self.clock():
            return True
        return any(key[0] == message_id for key in self._replays)

    def unrevealed_problems(self, guild_id: int | None) -> list[Problem]:
        """Problems of the guild's live challenges not revealed yet (None: of every guild)."""
        return [
            problem
            for live in self._by_channel.values()
            if guild_id is None or live.guild_id == guild_id
            for problem in live.session.unrevealed
        ]

    # -- answers and hints --------------------------------------------------------------

    def _live_problem(self, message_id: int) -> LiveChallenge:
        live = self._by_message.get(message_id)
        if live is None:
            if message_id in self._late:
                raise ProblemClosed(LATE_PICK)
            raise ProblemClosed("That problem is closed; answer the current one.")
        return live

    async def answer(
        self,
        *,
        message_id: int,
        user_id: int,
        user_name: str,
        option: str,
        answered_at: float | None = None,
    ) -> AnswerOutcome:
        """Judge an answer to the problem posted as `message_id`, store it, then return it.

        `answered_at` is when the answer reached the bot (default: now). The deadline, the
        speed bonus and the double-tap guard use it, never the time the lock was free, so
        an answer queued behind others (or behind a busy database) is judged as it arrived.
        Raises DoubleTap for a pick within `double_tap` seconds of the previous counted one,
        AnswerNotSaved when storage fails (nothing is counted; the player may try again).
        """
        at = self.clock() if answered_at is None else answered_at
        live = self._live_problem(message_id)
        letter = option.strip().upper()
        # A pick read back after a restart counts as of the resume, however long handing
        # it in took; any other pick as of when it reached the bot.
        at = self._replays.pop((message_id, user_id, letter), at)
        # Claimed before waiting for the lock: a second tap that arrives while the first
        # is being stored must see it.
        previous = live.taps.claim(user_id, at)
        try:
            async with live.lock:
                if live.message_id != message_id:
                    raise ProblemClosed("That problem is closed; answer the current one.")
                outcome = live.session.judge(user_id, option, at=at)
                await save_answer(self.db, live.session_id, outcome.attempt, user_name)
                live.session.record(outcome.attempt)  # only once it is safely on disk
                self._after_change(live)
        except BaseException:
            live.taps.release(user_id, at, previous)
            raise
        return outcome

    async def check_hint(self, *, message_id: int | None, channel_id: int, user_id: int) -> str:
        """The hint, if this player may have it now; nothing is charged yet."""
        live = self._hint_target(message_id, channel_id)
        return live.session.check_hint(user_id)

    async def take_hint(
        self, *, message_id: int | None, channel_id: int, user_id: int, user_name: str
    ) -> tuple[str, bool]:
        """Charge for the hint and return it, with whether this was the first time."""
        live = self._hint_target(message_id, channel_id)
        async with live.lock:
            if message_id is not None and live.message_id != message_id:
                raise ProblemClosed("That problem is closed.")
            current = live.session.current
            if current is None:
                raise ProblemClosed("No problem is open right now.")
            first = not live.session.hinted(user_id)
            text = live.session.check_hint(user_id)
            if first:
                use = HintUse(user_id, current.problem.id, self.clock())
                await self.db.save_hint(live.session_id, use, display_name=user_name)
                live.session.hint(user_id)
                self._after_change(live)  # a new player may have joined: wait for them
        return text, first

    def _hint_target(self, message_id: int | None, channel_id: int) -> LiveChallenge:
        if message_id is not None:
            return self._live_problem(message_id)
        live = self._by_channel.get(channel_id)
        if live is None or live.session.current is None:
            raise NoChallengeHere("There is no open problem in this channel.")
        return live
