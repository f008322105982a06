"""How often `!run` may start: one job per user, a per-user cooldown, a per-guild rate.

Plain Python with an injected clock, so every rule is tested without Discord or torch.
"""

from __future__ import annotations

import collections
import math
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Final

Clock = Callable[[], float]  # seconds, like time.time

USER_COOLDOWN: Final = 10.0  # seconds between one person's runs
GUILD_RUNS: Final = 20  # runs a server may start ...
GUILD_WINDOW: Final = 60.0  # ... in any window of this many seconds


class LimitReached(Exception):
    """A run refused by a limit; the message says when to try again and is fit to show."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds; None when it depends on another run


def seconds(delay: float) -> str:
    """`7 s` for a wait, rounded up so "try again in 0 s" never happens."""
    return f"{max(1, math.ceil(delay))} s"


class Cooldown:
    """At most one run per `per` seconds for each key (a user id)."""

    def __init__(self, per: float, clock: Clock) -> None:
        if per < 0:
            raise ValueError("per must be >= 0")
        self.per = per
        self._clock = clock
        self._last: dict[int, float] = {}

    def retry_after(self, key: int) -> float:
        """Seconds until `key` may run again; 0 when it may run now."""
        last = self._last.get(key)
        if last is None:
            return 0.0
        return max(0.0, last + self.per - self._clock())

    def record(self, key: int) -> float:
        """Note a run by `key` now; returns its time stamp (for `forget`)."""
        now = self._clock()
        # Drop the users whose cooldown is over, so the dict holds only recent runners.
        expired = [k for k, at in self._last.items() if at + self.per <= now]
        for k in expired:
            del self._last[k]
        self._last[key] = now
        return now

    def forget(self, key: int, stamp: float) -> None:
        """Undo `record` (the run never happened), unless a later run replaced it."""
        if self._last.get(key) == stamp:
            del self._last[key]


class RateLimit:
    """At most `limit` runs in any `window` seconds for each key (a guild id)."""

    def __init__(self, limit: int, window: float, clock: Clock) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("need limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._runs: dict[int, collections.deque[float]] = {}

    def retry_after(self, key: int) -> float:
        """Seconds until `key` may run again; 0 when it is under its limit now."""
        runs = self._recent(key)
        if len(runs) < self.limit:
            return 0.0
        # A slot frees up when the oldest run in the window leaves it.
        return max(0.0, runs[0] + self.window - self._clock())

    def record(self, key: int) -> float:
        """Note a run in `key` now; returns its time stamp (for `forget`)."""
        now = self._clock()
        self._runs.setdefault(key, collections.deque()).append(now)
        return now

    def forget(self, key: int, stamp: float) -> None:
        """Undo one `record` (the run never happened)."""
        runs = self._runs.get(key)
        if runs is not None and stamp in runs:
            runs.remove(stamp)

    def _recent(self, key: int) -> collections.deque[float]:
        runs = self._runs.get(key)
        if runs is None:
            return collections.deque()
        cutoff = self._clock() - self.window
        while runs and runs[0] <= cutoff:
            runs.popleft()
        if not runs:
            del self._runs[key]  # keep no entry for a guild that went quiet
        return runs


@dataclass
class Admission:
    """A run that passed every limit. Leave its `with` block when the run is over."""

    limits: RunLimits
    user_id: int
    guild_id: int | None
    user_stamp: float
    guild_stamp: float | None
    _done: bool = False

    def refund(self) -> None:
        """The run never reached a worker (the runner was busy): give back its quota."""
        self.limits.cooldown.forget(self.user_id, self.user_stamp)
        if self.guild_id is not None and self.guild_stamp is not None:
            self.limits.guild_rate.forget(self.guild_id, self.guild_stamp)

    def release(self) -> None:
        """The run is over (answered or failed): the user may start another one."""
        if not self._done:
            self._done = True
            self.limits.running.discard(self.user_id)

    def __enter__(self) -> Admission:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


class RunLimits:
    """Every limit on starting a run, checked in one place, in the order a user meets them."""

    def __init__(
        self,
        clock: Clock,
        *,
        user_cooldown: float = USER_COOLDOWN,
        guild_runs: int = GUILD_RUNS,
        guild_window: float = GUILD_WINDOW,
    ) -> None:
        self.cooldown = Cooldown(user_cooldown, clock)
        self.guild_rate = RateLimit(guild_runs, guild_window, clock)
        self.running: set[int] = set()  # users with a run in progress

    def admit(self, user_id: int, guild_id: int | None) -> Admission:
        """Start a run for `user_id` (in `guild_id`, None in DMs) or raise LimitReached.

        Nothing is recorded when a limit refuses, so a refusal never extends a wait.
        """
        if user_id in self.running:
            raise LimitReached(
                "Your previous run is still going; wait for its chart, then try again."
            )
        wait = self.cooldown.retry_after(user_id)
        if wait > 0:
            per = seconds(self.cooldown.per)
            raise LimitReached(
                f"One run every {per} per person, please: try again in {seconds(wait)}.",
                wait,
            )
        if guild_id is not None:
            wait = self.guild_rate.retry_after(guild_id)
            if wait > 0:
                rate = self.guild_rate
                raise LimitReached(
                    f"This server has started {rate.limit} runs in the last "
                    f"{seconds(rate.window)}, the most it may: try again in {seconds(wait)}.",
                    wait,
                )
        guild_stamp = None if guild_id is None else self.guild_rate.record(guild_id)
        user_stamp = self.cooldown.record(user_id)
        self.running.add(user_id)
        return Admission(self, user_id, guild_id, user_stamp, guild_stamp)
