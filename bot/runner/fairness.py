"""Who gets the next free worker: a bounded queue shared fairly by servers and their members.

A free worker goes to the server running the fewest jobs right now (ties: the one served
longest ago), and within that server to the member running the fewest (ties likewise);
a member's own jobs keep their order. So two members flooding the heaviest job hold one
worker each at most while anyone else is waiting, and a newcomer waits only for the
first worker to come free, not for the flood ahead of it. Nobody starves: a waiting
server with no job running beats every server that has one.

The bounds are counted when a job is pushed, before any await, so they hold however many
requests arrive in the same turn of the event loop. Plain Python: no asyncio, no workers.
"""

from __future__ import annotations

import collections
import itertools
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

T = TypeVar("T")
Scope = Literal["pool", "server"]
# A server, or one member's direct messages (a DM is a server of one member).
ServerKey = tuple[Literal["guild", "direct"], int | None]


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
MEMORY = 4096  # servers and members whose last service is remembered once they go idle


class QueueFull(Exception):
    """No room to wait: the whole queue, or this server's share of it, is full."""

    def __init__(self, scope: Scope) -> None:
        super().__init__(f"the {scope}'s queue is full")
        self.scope = scope


@dataclass
class _Share(Generic[T]):
    """What one server (or one member) has waiting and running, and when it was last served."""

    waiting: collections.deque[T] = field(default_factory=collections.deque)
    running: int = 0
    served_at: int = -1  # -1: never, which goes before anyone already served
    members: dict[int | None, _Share[T]] = field(default_factory=dict)

    @property
    def idle(self) -> bool:
        return self.running == 0 and not self.waiting and not self.members


class FairQueue(Generic[T]):
    """Jobs waiting for a worker, per server and per member, with bounds on both."""

    def __init__(self, max_waiting: int, max_waiting_per_server: int) -> None:
        if max_waiting < 0 or max_waiting_per_server < 0:
            raise ValueError("the queue's bounds must be >= 0")
        self.max_waiting = max_waiting
        self.max_waiting_per_server = max_waiting_per_server
        self._servers: dict[ServerKey, _Share[T]] = {}
        # When each recent server and member was last served, kept after they go idle:
        # a server that empties its queue for a moment must not come back first in line.
        self._last_served: collections.OrderedDict[object, int] = collections.OrderedDict()
        self._first: collections.deque[tuple[Requester, T]] = collections.deque()
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

    def push(self, requester: Requester, item: T) -> None:
        """Queue `item`, or raise QueueFull if the pool's or the server's share is full."""
        if self.waiting >= self.max_waiting:
            raise QueueFull("pool")
        server = self._server(requester)
        if len(server.waiting) >= self.max_waiting_per_server:
            self._tidy(requester)
            raise QueueFull("server")
        server.waiting.append(item)
        self._member(server, requester).waiting.append(item)
        self._waiting += 1

    def push_first(self, requester: Requester, item: T) -> None:
        """Queue `item` ahead of everyone, past the bounds: a job already admitted, retried."""
        self._first.append((requester, item))

    def pop(self) -> tuple[Requester, T] | None:
        """The next job to give a free worker to, by the rules above; None if nobody waits.

        The job returned counts as running (it holds the worker) until `finished`.
        """
        if self._first:
            requester, item = self._first.popleft()
            self.started(requester)
            return requester, item
        waiting = [(key, share) for key, share in self._servers.items() if share.waiting]
        if not waiting:
            return None
        key, server = min(waiting, key=lambda pair: (pair[1].running, pair[1].served_at))
        members = [(uid, share) for uid, share in server.members.items() if share.waiting]
        user_id, member = min(members, key=lambda pair: (pair[1].running, pair[1].served_at))
        item = member.waiting.popleft()
        server.waiting.remove(item)
        self._waiting -= 1
        requester = Requester(key[1] if key[0] == "guild" else None, user_id)
        self.started(requester)
        return requester, item

    def discard(self, requester: Requester, item: T) -> bool:
        """Take back a job that stopped waiting (cancelled, timed out); False if not queued."""
        for index, (_, queued) in enumerate(self._first):
            if queued is item:
                del self._first[index]
                return True
        server = self._servers.get(requester.server)
        if server is None or item not in server.waiting:
            return False
        server.waiting.remove(item)
        server.members[requester.user_id].waiting.remove(item)
        self._waiting -= 1
        self._tidy(requester)
        return True

    def started(self, requester: Requester) -> None:
        """The requester's job now holds a worker (one it got without waiting)."""
        server = self._server(requester)
        member = self._member(server, requester)
        server.running += 1
        member.running += 1
        server.served_at = member.served_at = tick = next(self._ticks)
        for key in (requester.server, requester):
            self._last_served[key] = tick
            self._last_served.move_to_end(key)
        while len(self._last_served) > MEMORY:
            self._last_served.popitem(last=False)

    def finished(self, requester: Requester) -> None:
        """The requester's job gave its worker back."""
        server = self._servers[requester.server]
        server.running -= 1
        server.members[requester.user_id].running -= 1
        self._tidy(requester)

    def drain(self) -> list[T]:
        """Every waiting job, removed, oldest first within each server (the pool is closing)."""
        items = [item for _, item in self._first]
        self._first.clear()
        for server in self._servers.values():
            items.extend(server.waiting)
            server.waiting.clear()
            for member in server.members.values():
                member.waiting.clear()
        self._waiting = 0
        return items

    def _server(self, requester: Requester) -> _Share[T]:
        server = self._servers.get(requester.server)
        if server is None:
            server = _Share(served_at=self._last_served.get(requester.server, -1))
            self._servers[requester.server] = server
        return server

    def _member(self, server: _Share[T], requester: Requester) -> _Share[T]:
        member = server.members.get(requester.user_id)
        if member is None:
            member = _Share(served_at=self._last_served.get(requester, -1))
            server.members[requester.user_id] = member
        return member

    def _tidy(self, requester: Requester) -> None:
        # Forget servers and members with nothing waiting or running, so memory follows
        # the activity of the moment, not every server the bot has ever seen.
        server = self._servers.get(requester.server)
        if server is None:
            return
        member = server.members.get(requester.user_id)
        if member is not None and member.idle:
            del server.members[requester.user_id]
        if server.idle:
            del self._servers[requester.server]
