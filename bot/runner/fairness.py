"""Who gets the next free worker: a bounded queue shared fairly by servers and their members.

A free worker goes to the server running the fewest jobs right now; between servers
running as many, to the one that has used the workers least lately (worker-seconds,
halving every `half_life` seconds), then to the one served longest ago. Within the
server the same rules pick the member; a member's own jobs keep their order. So two
members flooding the heaviest job hold one worker each at most while anyone else waits,
and a member sending an ordinary run goes ahead of their backlog: it waits only for the
first worker to come free. Nobody starves: usage decays, and a waiting server with no
job running beats every server that has one.

The bounds are counted when a job is pushed, before any await, so they hold however many
requests arrive in the same turn of the event loop. Plain Python: no asyncio, no workers;
the clock is injected.
"""

from __future__ import annotations

import collections
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

T = TypeVar("T")
Scope = Literal["pool", "server"]
# A server, or one member's direct messages (a DM is a server of one member).
ServerKey = tuple[Literal["guild", "direct"], int | None]
Clock = Callable[[], float]  # seconds, monotonic

MEMORY = 4096  # servers and members whose record is kept once they go idle


@dataclass(frozen=True)
class Requester:
    """Who asked for a job: the keys of the pool's fairness (None: nobody in particular)."""

    guild_id: int | None = None
    user_id: int | None = None

    @property
    def server(self) -> ServerKey:
        """The share this job is counted in: its server, or its member outside servers."""
        if self.guild_id is not None:
            return ("guild", self.guild_id)
        return ("direct", self.user_id)


ANYONE = Requester()  # callers with no server or member: `anneal run`, the generator


class QueueFull(Exception):
    """No room to wait: the whole queue, or this server's share of it, is full."""

    def __init__(self, scope: Scope) -> None:
        super().__init__(f"the {scope}'s queue is full")
        self.scope = scope


@dataclass
class _Record:
    """How much a server (or member) has used the workers lately, and when it was last served.

    Kept after the share goes idle, so that emptying its queue for a moment does not
    bring a heavy user back first in line.
    """

    usage: float = 0.0  # worker-seconds, decayed to `usage_at`
    usage_at: float = 0.0
    served_at: int = -1  # a tick; -1: never, which goes before anyone already served


@dataclass
class _Share(Generic[T]):
    """What one server (or one member) has waiting, each job with whether it is heavy."""

    record: _Record
    waiting: collections.deque[tuple[T, bool]] = field(default_factory=collections.deque)
    running: int = 0
    members: dict[int | None, _Share[T]] = field(default_factory=dict)

    @property
    def idle(self) -> bool:
        return self.running == 0 and not self.waiting and not self.members

    def next_allowed(self, heavy_allowed: bool) -> bool:
        """Whether this member's next job may start now (its own jobs keep their order)."""
        return bool(self.waiting) and (heavy_allowed or not self.waiting[0][1])


class FairQueue(Generic[T]):
    """Jobs waiting for a worker, per server and per member, with bounds on both."""

    def __init__(
        self,
        max_waiting: int,
        max_waiting_per_server: int,
        *,
        clock: Clock = time.monotonic,
        half_life: float = 60.0,
    ) -> None:
        if max_waiting < 0 or max_waiting_per_server < 0 or half_life <= 0:
            raise ValueError("the queue's bounds must be >= 0 and half_life > 0")
        self.max_waiting = max_waiting
        self.max_waiting_per_server = max_waiting_per_server
        self.half_life = half_life
        self._clock = clock
        self._servers: dict[ServerKey, _Share[T]] = {}
        self._records: collections.OrderedDict[object, _Record] = collections.OrderedDict()
        self._first: collections.deque[tuple[Requester, T, bool]] = collections.deque()
        self._waiting = 0
        self._ticks = itertools.count()

    @property
    def waiting(self) -> int:
        """Jobs waiting, retries included."""
        return self._waiting + len(self._first)

    def waiting_for(self, requester: Requester) -> int:
        """Jobs waiting in the requester's server."""
        server = self._servers.get(requester.server)
        return 0 if server is None else len(server.waiting)

    def running_for(self, requester: Requester) -> int:
        """Jobs holding a worker for the requester's server."""
        server = self._servers.get(requester.server)
        return 0 if server is None else server.running

    def usage_of(self, requester: Requester) -> float:
        """Worker-seconds the requester's server has used lately (decayed to now)."""
        record = self._records.get(requester.server)
        return 0.0 if record is None else self._usage(record)

    def push(self, requester: Requester, item: T, *, heavy: bool = False) -> None:
        """Queue `item`, or raise QueueFull if the pool's or the server's share is full."""
        if self.waiting >= self.max_waiting:
            raise QueueFull("pool")
        server = self._server(requester)
        if len(server.waiting) >= self.max_waiting_per_server:
            self._tidy(requester)
            raise QueueFull("server")
        server.waiting.append((item, heavy))
        self._member(server, requester).waiting.append((item, heavy))
        self._waiting += 1

    def push_first(self, requester: Requester, item: T, *, heavy: bool = False) -> None:
        """Queue `item` ahead of everyone, past the bounds: a job already admitted, retried."""
        self._first.append((requester, item, heavy))

    def pop(self, *, heavy_allowed: bool = True) -> tuple[Requester, T] | None:
        """The next job to give a free worker to, by the rules above; None if nobody waits.

        `heavy_allowed=False` passes over heavy jobs (the pool keeps a worker for light
        ones). The job returned counts as running (it holds the worker) until `finished`.
        """
        for index, (requester, item, heavy) in enumerate(self._first):
            if heavy_allowed or not heavy:
                del self._first[index]
                self.started(requester)
                return requester, item
        waiting = [
            (key, share)
            for key, share in self._servers.items()
            if any(m.next_allowed(heavy_allowed) for m in share.members.values())
        ]
        if not waiting:
            return None
        key, server = min(waiting, key=lambda pair: self._rank(pair[1]))
        members = [
            (uid, share)
            for uid, share in server.members.items()
            if share.next_allowed(heavy_allowed)
        ]
        user_id, member = min(members, key=lambda pair: self._rank(pair[1]))
        entry = member.waiting.popleft()
        server.waiting.remove(entry)
        item = entry[0]
        self._waiting -= 1
        requester = Requester(key[1] if key[0] == "guild" else None, user_id)
        self.started(requester)
        return requester, item

    def discard(self, requester: Requester, item: T) -> bool:
        """Take back a job that stopped waiting (cancelled, timed out); False if not queued."""
        for index, (_, queued, _heavy) in enumerate(self._first):
            if queued is item:
                del self._first[index]
                return True
        server = self._servers.get(requester.server)
        entry = next((e for e in server.waiting if e[0] is item), None) if server else None
        if server is None or entry is None:
            return False
        server.waiting.remove(entry)
        server.members[requester.user_id].waiting.remove(entry)
        self._waiting -= 1
        self._tidy(requester)
        return True

    def started(self, requester: Requester) -> None:
        """The requester's job now holds a worker (one it got without waiting)."""
        server = self._server(requester)
        member = self._member(server, requester)
        tick = next(self._ticks)
        for share in (server, member):
            share.running += 1
            share.record.served_at = tick

    def finished(self, requester: Requester, busy: float = 0.0) -> None:
        """The requester's job gave its worker back after holding it `busy` seconds."""
        server = self._servers[requester.server]
        member = server.members[requester.user_id]
        now = self._clock()
        for share in (server, member):
            share.running -= 1
            share.record.usage = self._usage(share.record, now) + busy
            share.record.usage_at = now
        self._tidy(requester)

    def drain(self) -> list[T]:
        """Every waiting job, removed, oldest first within each server (the pool is closing)."""
        items = [item for _, item, _heavy in self._first]
        self._first.clear()
        for server in self._servers.values():
            items.extend(item for item, _heavy in server.waiting)
            server.waiting.clear()
            for member in server.members.values():
                member.waiting.clear()
        self._waiting = 0
        return items

    def _rank(self, share: _Share[T]) -> tuple[int, float, int]:
        # Usage is compared in whole tenths of a worker-second, so shares that used next
        # to nothing still take turns by when they were last served.
        usage = round(self._usage(share.record), 1)
        return share.running, usage, share.record.served_at

    def _usage(self, record: _Record, now: float | None = None) -> float:
        elapsed = (self._clock() if now is None else now) - record.usage_at
        return record.usage * math.exp2(-max(0.0, elapsed) / self.half_life)

    def _server(self, requester: Requester) -> _Share[T]:
        server = self._servers.get(requester.server)
        if server is None:
            server = _Share(self._record(requester.server))
            self._servers[requester.server] = server
        return server

    def _member(self, server: _Share[T], requester: Requester) -> _Share[T]:
        member = server.members.get(requester.user_id)
        if member is None:
            member = _Share(self._record(requester))
            server.members[requester.user_id] = member
        return member

    def _record(self, key: object) -> _Record:
        record = self._records.get(key)
        if record is None:
            record = self._records[key] = _Record(usage_at=self._clock())
            while len(self._records) > MEMORY:
                self._records.popitem(last=False)
        self._records.move_to_end(key)
        return record

    def _tidy(self, requester: Requester) -> None:
        # Forget the shares with nothing waiting or running (their records stay), so
        # memory follows the activity of the moment, not every server ever seen.
        server = self._servers.get(requester.server)
        if server is None:
            return
        member = server.members.get(requester.user_id)
        if member is not None and member.idle:
            del server.members[requester.user_id]
        if server.idle:
            del self._servers[requester.server]
