"""A live challenge, how the manager shows it (`ChallengeView`), and what it refuses."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field
from typing import Protocol

from bot.engine.pace import Progress
from bot.engine.problems import Pack
from bot.engine.session import ChallengeError, ChallengeSession, OpenProblem, Reveal, Summary
from bot.storage import SessionStatus


class ChallengeRunning(ChallengeError):
    """A challenge is already running in the channel; `live` is that one."""

    def __init__(self, live: LiveChallenge) -> None:
        self.live = live
        super().__init__("A challenge is already running in this channel.")


class ChallengeNotAllowedHere(ChallengeError):
    """The guild allows challenges only in other channels."""


class UnknownPack(ChallengeError):
    """No pack has that id (or `fresh` cannot be generated now)."""


class NoChallengeHere(ChallengeError):
    """There is no challenge (or no open problem) in the channel."""


class ProblemClosed(ChallengeError):
    """The problem answered has been revealed; only the current one counts."""


class DoubleTap(ChallengeError):
    """A second pick came right after the player's previous one; it is ignored, not counted."""


class AnswerNotSaved(ChallengeError):
    """Storage failed (busy, locked, full): the answer was not counted; the player may retry."""


@dataclass
class TapGuard:
    """Ignores a pick that comes within `window` seconds of the player's previous counted one.

    Two letters tapped within milliseconds are a slip of the finger, not two guesses: only
    the first counts. A pick that was refused or failed to save does not block the next.
    """

    window: float = 1.5
    _last: dict[int, float] = field(default_factory=dict)  # user -> arrival of their last pick

    def claim(self, user_id: int, at: float) -> float | None:
        """Mark a pick that arrived `at`; returns the mark it replaces. Raises DoubleTap."""
        previous = self._last.get(user_id)
        if previous is not None and abs(at - previous) < self.window:
            raise DoubleTap("Only the first of two quick picks counts.")
        self._last[user_id] = at
        return previous

    def release(self, user_id: int, at: float, previous: float | None) -> None:
        """Undo `claim` for a pick that did not count (unless a later pick has claimed since)."""
        if self._last.get(user_id) != at:
            return
        if previous is None:
            del self._last[user_id]
        else:
            self._last[user_id] = previous


class NotYourChallenge(ChallengeError):
    """Only the member who started the challenge, or a moderator, may do that."""


@dataclass(frozen=True)
class ReadBack:
    """A problem message whose reactions, added while the bot was away, are to be read back.

    `late`: its deadline passed while the bot was away, so picks found there are late.
    """

    channel_id: int
    message_id: int
    late: bool


@dataclass(eq=False)
class LiveChallenge:
    """A challenge in play in one channel."""

    session_id: int
    guild_id: int
    channel_id: int
    started_by: int
    session: ChallengeSession
    message_id: int | None = None  # the open problem's message
    closed_messages: set[int] = field(default_factory=set)
    taps: TapGuard = field(default_factory=TapGuard)  # quick second picks on the open problem
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    timer: asyncio.Task[None] | None = None
    timer_due: float = math.inf
    progress: asyncio.Task[None] | None = None
    progress_shown_at: float = -math.inf

    @property
    def pack(self) -> Pack:
        """The pack being played."""
        return self.session.pack


class ChallengeView(Protocol):
    """How the manager shows things; the Discord cog implements it."""

    async def show_problem(
        self, live: LiveChallenge, opened: OpenProblem, progress: Progress
    ) -> int:
        """Post the problem; return its message id (answers arrive as reactions to it)."""
        ...

    async def show_progress(
        self, live: LiveChallenge, opened: OpenProblem, progress: Progress
    ) -> None:
        """Update who answered and who is still trying (at most once per progress interval)."""
        ...

    async def show_reveal(self, live: LiveChallenge, reveal: Reveal) -> None:
        """Show the answer, and who solved the problem on which attempt."""
        ...

    async def show_summary(
        self, live: LiveChallenge, summary: Summary, new_badges: list[int], status: SessionStatus
    ) -> None:
        """Show the scores at the end, with the players who just earned the badge."""
        ...

    async def show_notice(self, channel_id: int, text: str) -> None:
        """Tell a channel something about its challenge (resumed, expired, stopped)."""
        ...
