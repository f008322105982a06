"""Serve a FakeDiscord for a test, point discord.py at it, and run a client against it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import TypeVar

import discord
import discord.gateway
import discord.http
import yarl

from .ratelimits import RateLimits
from .server import FakeDiscord

ClientT = TypeVar("ClientT", bound=discord.Client)


@contextlib.asynccontextmanager
async def serving_default_world() -> AsyncIterator[FakeDiscord]:
    """A started ``FakeDiscord.with_default_world()``, stopped on exit.

    On a clean exit it then fails if a route was missing or a handler crashed
    (``assert_clean``), so every test using it is checked for gaps in the fake.
    """
    server = FakeDiscord.with_default_world()
    async with server:
        yield server
    server.assert_clean()


@contextlib.asynccontextmanager
async def serving_study_groups(
    *, members: int = 20, rate_limits: RateLimits | None = None
) -> AsyncIterator[FakeDiscord]:
    """A started ``FakeDiscord.with_study_groups()``; stopped and checked on exit."""
    server = FakeDiscord.with_study_groups(members=members, rate_limits=rate_limits)
    async with server:
        yield server
    server.assert_clean()


@contextlib.contextmanager
def point_discord_at(server: FakeDiscord) -> Iterator[None]:
    """Patch ``Route.BASE`` and ``DiscordWebSocket.DEFAULT_GATEWAY``; restore them on exit."""
    route = discord.http.Route
    ws = discord.gateway.DiscordWebSocket
    old_base, old_gateway = route.BASE, ws.DEFAULT_GATEWAY
    route.BASE = server.api_base
    ws.DEFAULT_GATEWAY = yarl.URL(server.gateway_url)
    try:
        yield
    finally:
        route.BASE = old_base
        ws.DEFAULT_GATEWAY = old_gateway


@contextlib.asynccontextmanager
async def running_client(
    client: ClientT,
    server: FakeDiscord,
    *,
    timeout: float = 10.0,  # noqa: ASYNC109 - bounds start-up and shutdown separately
) -> AsyncIterator[ClientT]:
    """Log ``client`` in with the fake's token, connect, wait for on_ready; close on exit.

    discord.py must already point at ``server`` (``point_discord_at``), and the client
    should be built with a small ``guild_ready_timeout`` (e.g. 0.1) to start fast.
    """
    await client.login(server.token)
    task = asyncio.create_task(client.connect(reconnect=True), name="discord-connect")
    ready = asyncio.create_task(client.wait_until_ready(), name="discord-ready")
    try:
        done, _ = await asyncio.wait({task, ready}, timeout=timeout, return_when="FIRST_COMPLETED")
        if ready not in done:
            ready.cancel()
            if task in done:
                task.result()  # re-raise why the connection ended
                raise RuntimeError("the client stopped before it was ready")
            raise TimeoutError(f"the client was not ready after {timeout}s")
        yield client
    finally:
        ready.cancel()
        await client.close()
        with contextlib.suppress(asyncio.CancelledError, discord.ConnectionClosed):
            await asyncio.wait_for(task, timeout=timeout)
