"""Discord-like rate limits for the fake: per-route buckets, a global limit, added latency.

Off unless a test asks (``FakeDiscord(rate_limits=DISCORD_LIKE)``), so the fast tests keep
their speed. The answers look like Discord's: every limited route carries ``X-RateLimit-*``
headers (discord.py pre-emptively waits on them), and an exceeded bucket is a 429 whose body
has ``retry_after`` and ``global`` and whose headers carry ``Retry-After`` and ``Via``
(without ``Via`` discord.py would take the 429 for a Cloudflare ban and raise).
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .rest import json_response


@dataclass(frozen=True)
class BucketRule:
    """``limit`` requests per ``per`` seconds for each value of the route's major parameter.

    ``path`` is a regex over the path without ``/api/v10``; its group ``major`` (a channel
    id, as on Discord) splits the bucket, so each channel has its own allowance.
    """

    name: str  # sent as X-RateLimit-Bucket; routes with the same name share the bucket
    methods: frozenset[str]
    path: re.Pattern[str]
    limit: int
    per: float

    def major_of(self, method: str, path: str) -> str | None:
        """The bucket's major parameter for this request, or None if the rule does not apply."""
        if method not in self.methods:
            return None
        match = self.path.fullmatch(path)
        if match is None:
            return None
        return match.groupdict().get("major") or ""


def rule(name: str, methods: str, path: str, limit: int, per: float) -> BucketRule:
    """A BucketRule from plain strings: ``rule("messages", "POST", r"/channels/...", 5, 5)``."""
    return BucketRule(name, frozenset(methods.split()), re.compile(path), limit, per)


CHANNEL = r"/channels/(?P<major>\d+)"

#: What the QA measurements found on Discord (see /work/shared/NOTES.md).
DISCORD_BUCKETS = (
    rule("reactions", "PUT DELETE", CHANNEL + r"/messages/\d+/reactions(/.*)?", 1, 0.25),
    rule("messages", "POST", CHANNEL + r"/messages", 5, 5.0),
    rule("edits", "PATCH", CHANNEL + r"/messages/\d+", 5, 5.0),
    rule("deletes", "DELETE", CHANNEL + r"/messages/\d+", 5, 1.0),
)


@dataclass(frozen=True)
class RateLimits:
    """The buckets, the global allowance per second, and latency added to every API call."""

    buckets: tuple[BucketRule, ...] = DISCORD_BUCKETS
    global_per_second: int | None = 50
    latency: float = 0.05
    #: False: no X-RateLimit-* headers on successes, so a client learns of a limit only by
    #: its 429s (a cruder server than Discord, which a bot must survive as well).
    headers: bool = True


#: Discord's limits as measured: reactions 1/0.25 s and messages 5/5 s per channel,
#: edits 5/5 s, 50 requests/s in all, and 50 ms of latency.
DISCORD_LIKE = RateLimits()


@dataclass
class _Window:
    """One bucket's current window: when it resets (loop time) and what is left."""

    resets_at: float
    remaining: int


# Interaction callbacks and webhooks are not counted against the global limit on Discord.
GLOBAL_EXEMPT = re.compile(r"/(interactions|webhooks)/.*")


@dataclass
class RateLimiter:
    """Counts requests against the rules; answers a 429 when a bucket or the global is out."""

    limits: RateLimits
    windows: dict[tuple[str, str], _Window] = field(default_factory=dict)
    recent: deque[float] = field(default_factory=deque)  # start times in the last second
    limited: int = 0  # how many 429s were answered

    def check(
        self, method: str, path: str, now: float
    ) -> tuple[web.Response | None, dict[str, str]]:
        """(a 429 to answer instead, or None) and the rate-limit headers for the response."""
        per_second = self.limits.global_per_second
        counted = per_second is not None and not GLOBAL_EXEMPT.fullmatch(path)
        if counted:
            while self.recent and self.recent[0] <= now - 1.0:
                self.recent.popleft()
            if per_second is not None and len(self.recent) >= per_second:
                retry = max(0.001, self.recent[0] + 1.0 - now)
                return self._too_many(retry, {"X-RateLimit-Global": "true"}, scope="global"), {}
        headers: dict[str, str] = {}
        for bucket in self.limits.buckets:
            major = bucket.major_of(method, path)
            if major is None:
                continue
            window = self.windows.get((bucket.name, major))
            if window is None or now >= window.resets_at:
                window = _Window(now + bucket.per, bucket.limit)
                self.windows[(bucket.name, major)] = window
            reset_after = max(0.0, window.resets_at - now)
            headers = {
                "X-RateLimit-Limit": str(bucket.limit),
                "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
                "X-RateLimit-Reset-After": f"{reset_after:.3f}",
                "X-RateLimit-Bucket": bucket.name,
            }
            if window.remaining <= 0:
                headers["X-RateLimit-Remaining"] = "0"
                return self._too_many(reset_after, headers, scope="user"), headers
            window.remaining -= 1
            headers["X-RateLimit-Remaining"] = str(window.remaining)
            break
        if counted:
            self.recent.append(now)
        return None, headers if self.limits.headers else {}

    def _too_many(self, retry_after: float, headers: dict[str, str], *, scope: str) -> web.Response:
        self.limited += 1
        is_global = scope == "global"
        body: dict[str, Any] = {
            "message": "You are being rate limited.",
            "retry_after": round(retry_after, 3),
            "global": is_global,
        }
        extra = {
            **headers,
            "Retry-After": f"{retry_after:.3f}",
            "X-RateLimit-Scope": scope,
            "Via": "1.1 google",
        }
        return json_response(body, status=429, headers=extra)
