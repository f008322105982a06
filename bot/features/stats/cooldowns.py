"""How often one member may ask for the standings: a few looks, then a short wait.

Plain Python with an injected clock (tested without Discord or sleeping). Each command
(`leaderboard`, `profile`, `badges`) has its own allowance per member, shared by its `!`
and slash forms, so looking at this week, last week and all time in a row is fine,
while a loop of `!profile` is held to one every 6 s, leaving the channel's message
budget (about 5 per 5 s) to the challenges.
"""

from __future__ import annotations

import collections
import math
from collections.abc import Callable
from typing import Final

Clock = Callable[[], float]  # seconds, like time.time

LOOKS: Final = 5  # calls of one command by one member ...
WINDOW: Final = 30.0  # ... in any window of this many seconds


class TooSoon(Exception):
    """A call refused by the cooldown; the message says when to try again and is fit to show.

    `repeated` is True when the member was already told during this wait, so a `!`
    command can stay silent instead of adding a refusal per message to a busy channel.
    """

    def __init__(self, message: str, retry_after: float, *, repeated: bool) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.repeated = repeated


def seconds(delay: float) -> str:
    """`7 s` for a wait, rounded up so "try again in 0 s" never happens."""
    return f"{max(1, math.ceil(delay))} s"


class ReadCooldown:
    """At most `looks` calls of each command per member in any `window` seconds."""

    def __init__(self, clock: Clock, *, looks: int = LOOKS, window: float = WINDOW) -> None:
        if looks < 1 or window <= 0:
            raise ValueError("need looks >= 1 and window > 0")
        self.looks = looks
        self.window = window
        self._clock = clock
        self._calls: dict[tuple[str, int], collections.deque[float]] = {}
        self._told: dict[tuple[str, int], float] = {}  # when each refused member was told

    def check(self, command: str, user_id: int, *, what: str) -> None:
        """Count a call of `command` by `user_id` now, or raise TooSoon (counting nothing).

        `what` names the command for the message ("the leaderboard").
        """
        now = self._clock()
        self._forget_before(now - self.window)
        key = (command, user_id)
        calls = self._calls.setdefault(key, collections.deque())
        if len(calls) < self.looks:
            calls.append(now)
            return
        # A look becomes free when the oldest one in the window leaves it.
        wait = calls[0] + self.window - now
        repeated = key in self._told
        self._told.setdefault(key, now)
        raise TooSoon(
            f"You've checked {what} {self.looks} times in the last {seconds(self.window)}: "
            f"try again in {seconds(wait)}.",
            wait,
            repeated=repeated,
        )

    def _forget_before(self, cutoff: float) -> None:
        # Drop what has left the window, so only recently active members take memory.
        for key in list(self._calls):
            calls = self._calls[key]
            while calls and calls[0] <= cutoff:
                calls.popleft()
            if len(calls) < self.looks:
                self._told.pop(key, None)
            if not calls:
                del self._calls[key]
