"""Tests for the outgoing queue: lanes, order, coalescing, 429 retries, pacing, shutdown.

Calls are plain coroutines that record what ran; time is a FakeClock the queue sleeps on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from unittest.mock import Mock

import discord
import pytest

from bot.features.common.outgoing import (
    Outgoing,
    dm_lane,
    messages_lane,
    reactions_lane,
    retry_delay,
)
from tests.engine.conftest import FakeClock


def http_error(status: int, *, retry_after: float | None = None) -> discord.HTTPException:
    """The exception discord.py raises for a response with `status` (429: with Retry-After)."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    response = Mock(status=status, reason="Error", headers=headers)
    if status == 403:
        return discord.Forbidden(response, {"code": 50013, "message": "Missing Permissions"})
    return discord.HTTPException(response, {"code": 0, "message": "error"})


def recorder(log: list[str], name: str) -> Callable[[], Awaitable[str]]:
    """A call that appends `name` to `log` and returns it."""

    async def call() -> str:
        log.append(name)
        return name

    return call


def failing(errors: list[BaseException], log: list[str], name: str) -> Callable[[], Awaitable[str]]:
    """A call that raises the next of `errors` each time, then succeeds."""

    async def call() -> str:
        log.append(name)
        if errors:
            raise errors.pop(0)
        return name

    return call


@pytest.fixture
def clock() -> FakeClock:
    """The queue's clock and sleep."""
    return FakeClock()


@pytest.fixture
def queue(clock: FakeClock) -> Outgoing:
    """A queue with room for many calls a second, sleeping on the fake clock."""
    return Outgoing(per_second=1000.0, burst=100.0, clock=clock, sleep=clock.sleep)


async def settle() -> None:
    """Let every ready task run until none is left to start."""
    for _ in range(20):
        await asyncio.sleep(0)


async def test_submit_returns_at_once_and_the_lane_keeps_order(queue: Outgoing) -> None:
    """Nothing runs until the caller yields; then the lane's calls run in order."""
    ran: list[str] = []
    futures = [queue.submit(reactions_lane(1), recorder(ran, n)) for n in ("a", "b", "c")]
    assert ran == []  # submit never waits for Discord
    assert [await f for f in futures] == ["a", "b", "c"]
    assert ran == ["a", "b", "c"]


async def test_a_slow_lane_does_not_hold_up_another(queue: Outgoing) -> None:
    """A lane stuck on a call leaves the other lanes free."""
    ran: list[str] = []
    gate = asyncio.Event()

    async def stuck() -> None:
        await gate.wait()
        ran.append("stuck")

    queue.submit(reactions_lane(1), stuck)
    assert await queue.submit(dm_lane(7), recorder(ran, "dm")) == "dm"
    assert ran == ["dm"]
    gate.set()
    await queue.drain()
    assert ran == ["dm", "stuck"]


async def test_a_keyed_job_replaces_the_one_still_waiting(queue: Outgoing) -> None:
    """Three edits of one footer while the lane is busy: only the newest is sent."""
    ran: list[str] = []
    gate = asyncio.Event()
    queue.submit(messages_lane(1), gate.wait)
    first = queue.submit(messages_lane(1), recorder(ran, "edit 1"), key="footer")
    queue.submit(messages_lane(1), recorder(ran, "other"))
    queue.submit(messages_lane(1), recorder(ran, "edit 2"), key="footer")
    last = queue.submit(messages_lane(1), recorder(ran, "edit 3"), key="footer")
    assert first is last
    gate.set()
    await queue.drain()
    assert ran == ["edit 3", "other"]  # the edit kept its place in the lane


async def test_a_keyed_job_already_running_is_not_replaced(queue: Outgoing) -> None:
    """Once a keyed call has started, a newer one with its key runs after it."""
    ran: list[str] = []
    gate = asyncio.Event()

    async def slow_edit() -> None:
        await gate.wait()
        ran.append("edit 1")

    queue.submit(messages_lane(1), slow_edit, key="footer")
    await settle()
    queue.submit(messages_lane(1), recorder(ran, "edit 2"), key="footer")
    gate.set()
    await queue.drain()
    assert ran == ["edit 1", "edit 2"]


async def test_first_goes_ahead_of_the_waiting_jobs(queue: Outgoing) -> None:
    """`first=True` (a new problem's own reactions) jumps the lane's queue."""
    ran: list[str] = []
    gate = asyncio.Event()
    queue.submit(reactions_lane(1), gate.wait)
    queue.submit(reactions_lane(1), recorder(ran, "removal"))
    queue.submit(reactions_lane(1), recorder(ran, "own reactions"), first=True)
    gate.set()
    await queue.drain()
    assert ran == ["own reactions", "removal"]


async def test_a_429_waits_its_retry_after_then_runs_again(
    queue: Outgoing, clock: FakeClock
) -> None:
    """The call is retried only once the time Discord asked for has passed."""
    ran: list[str] = []
    errors: list[BaseException] = [http_error(429, retry_after=2.0)]
    future = queue.submit(reactions_lane(1), failing(errors, ran, "removal"))
    await settle()
    assert ran == ["removal"]
    clock.advance(1.9)
    await settle()
    assert ran == ["removal"]  # still waiting
    clock.advance(0.1)
    assert await future == "removal"
    assert ran == ["removal", "removal"]
    assert queue.stats.retried == 1


async def test_rate_limited_is_retried_too(queue: Outgoing, clock: FakeClock) -> None:
    """discord.RateLimited (raised instead of sleeping on long limits) is a retry as well."""
    ran: list[str] = []
    errors: list[BaseException] = [discord.RateLimited(1.0)]
    future = queue.submit(reactions_lane(1), failing(errors, ran, "call"))
    await settle()
    clock.advance(1.0)
    assert await future == "call"


async def test_a_server_error_backs_off(queue: Outgoing, clock: FakeClock) -> None:
    """A 502 is retried after a short pause, longer each time."""
    ran: list[str] = []
    errors: list[BaseException] = [http_error(502), http_error(502)]
    future = queue.submit(dm_lane(1), failing(errors, ran, "dm"))
    await settle()
    clock.advance(0.5)
    await settle()
    assert len(ran) == 2
    clock.advance(0.5)
    await settle()
    assert len(ran) == 2  # the second pause is twice as long
    clock.advance(0.5)
    assert await future == "dm"


async def test_forbidden_is_not_retried(queue: Outgoing) -> None:
    """A 403 would fail again: the job fails at once with the error, and the lane goes on."""
    ran: list[str] = []
    failed = queue.submit(reactions_lane(1), failing([http_error(403)], ran, "removal"))
    after = queue.submit(reactions_lane(1), recorder(ran, "next"))
    with pytest.raises(discord.Forbidden):
        await failed
    assert await after == "next"
    assert queue.stats.failed == 1


async def test_a_job_gives_up_after_its_attempts(clock: FakeClock) -> None:
    """Five 429s in a row: the job fails with the last one rather than retry forever."""
    queue = Outgoing(attempts=3, clock=clock, sleep=clock.sleep)
    errors: list[BaseException] = [http_error(429, retry_after=0.5) for _ in range(5)]
    ran: list[str] = []
    future = queue.submit(reactions_lane(1), failing(errors, ran, "removal"))
    for _ in range(3):
        await settle()
        clock.advance(0.5)
    with pytest.raises(discord.HTTPException):
        await future
    assert len(ran) == 3


async def test_pacing_keeps_every_lane_under_the_global_rate(clock: FakeClock) -> None:
    """At 2 calls a second with a burst of 2, the fifth call waits for the clock."""
    queue = Outgoing(per_second=2.0, burst=2.0, clock=clock, sleep=clock.sleep)
    ran: list[str] = []
    for number in range(5):
        queue.submit(dm_lane(number), recorder(ran, f"dm {number}"))
    await settle()
    assert len(ran) == 2  # the burst
    clock.advance(0.5)
    await settle()
    assert len(ran) == 3
    clock.advance(1.0)
    await settle()
    assert len(ran) == 5


async def test_a_costly_job_takes_more_of_the_allowance(clock: FakeClock) -> None:
    """A job of two REST calls (open a DM, then send) counts as two."""
    queue = Outgoing(per_second=2.0, burst=2.0, clock=clock, sleep=clock.sleep)
    ran: list[str] = []
    queue.submit(dm_lane(1), recorder(ran, "dm"), cost=2)
    queue.submit(dm_lane(2), recorder(ran, "dm 2"))
    await settle()
    assert ran == ["dm"]
    clock.advance(0.5)
    await settle()
    assert ran == ["dm", "dm 2"]


async def test_close_drops_what_is_left_and_refuses_new_jobs(queue: Outgoing) -> None:
    """After the grace, waiting jobs are cancelled; later submits are cancelled at once."""
    gate = asyncio.Event()
    running = queue.submit(reactions_lane(1), gate.wait)
    waiting = queue.submit(reactions_lane(1), gate.wait)
    await queue.close(grace=0.01)
    assert running.cancelled()
    assert waiting.cancelled()
    assert queue.submit(reactions_lane(1), gate.wait).cancelled()
    assert queue.stats.dropped >= 2


async def test_a_full_lane_drops_its_oldest_waiting_job(clock: FakeClock) -> None:
    """A lane never grows without bound (e.g. Discord down for an hour)."""
    queue = Outgoing(max_waiting=2, clock=clock, sleep=clock.sleep)
    gate = asyncio.Event()
    queue.submit(reactions_lane(1), gate.wait)
    await settle()  # running, no longer waiting
    oldest = queue.submit(reactions_lane(1), gate.wait)
    queue.submit(reactions_lane(1), gate.wait)
    queue.submit(reactions_lane(1), gate.wait)
    assert oldest.cancelled()
    assert queue.waiting(reactions_lane(1)) == 2
    gate.set()
    await queue.drain()


def test_retry_delay_reads_the_error() -> None:
    """429 → Retry-After; 5xx → backoff; 4xx and bugs → no retry."""
    assert retry_delay(http_error(429, retry_after=1.5), 1) == 1.5
    assert retry_delay(http_error(429), 1) == 1.0  # no header: a safe second
    assert retry_delay(http_error(500), 3) == 2.0
    assert retry_delay(http_error(404), 1) is None
    assert retry_delay(ConnectionResetError(), 1) == 0.5
    assert retry_delay(ValueError("a bug"), 1) is None
