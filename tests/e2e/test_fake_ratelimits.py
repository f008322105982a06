"""The fake's rate limits: Discord-shaped 429s and headers, per-channel buckets, the global
limit, latency, and a real discord.py client living with them."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator
from urllib.parse import quote

import aiohttp
import discord
import pytest

from tests.e2e.fake_discord import (
    DISCORD_LIKE,
    FakeDiscord,
    FakeMessage,
    RateLimits,
    point_discord_at,
    running_client,
)

EMOJI = "🇦"


async def served(limits: RateLimits) -> FakeDiscord:
    """A started default world behind `limits` (the caller stops it)."""
    return await FakeDiscord.with_default_world(rate_limits=limits).start()


@pytest.fixture
async def limited() -> AsyncIterator[FakeDiscord]:
    """The default world behind Discord's buckets, 20 times slower to refill (so a slow
    machine cannot refill one between two calls), without latency."""
    slow = tuple(dataclasses.replace(b, per=b.per * 20) for b in DISCORD_LIKE.buckets)
    server = await served(RateLimits(buckets=slow, latency=0.0))
    yield server
    await server.stop()
    server.assert_clean()


async def post(server: FakeDiscord, text: str = "hello") -> FakeMessage:
    """A message by bob in #general for the bot to react to."""
    assert server.world is not None
    return await server.user_sends_message(server.world.general.id, server.world.member, text)


def reaction_url(server: FakeDiscord, message: FakeMessage) -> str:
    """The bot's own reaction route for `message`."""
    path = f"/channels/{message.channel_id}/messages/{message.id}/reactions/{quote(EMOJI)}/@me"
    return server.api_base + path


async def test_a_bucket_answers_429_the_way_discord_does(limited: FakeDiscord) -> None:
    """Two reactions at once in one channel: the first passes with X-RateLimit headers, the
    second is a 429 with retry_after, Retry-After and Via (so discord.py retries it)."""
    message = await post(limited)
    headers = {"Authorization": f"Bot {limited.token}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.put(reaction_url(limited, message)) as first:
            assert first.status == 204
            assert first.headers["X-RateLimit-Bucket"] == "reactions"
            assert first.headers["X-RateLimit-Limit"] == "1"
            assert first.headers["X-RateLimit-Remaining"] == "0"
            assert 0 < float(first.headers["X-RateLimit-Reset-After"]) <= 5.0
        async with http.put(reaction_url(limited, message)) as second:
            assert second.status == 429
            body = await second.json()
            assert second.headers["Via"]
            assert second.headers["X-RateLimit-Scope"] == "user"
            assert 0 < body["retry_after"] <= 5.0
            assert float(second.headers["Retry-After"]) == pytest.approx(body["retry_after"], 0.01)
            assert body["global"] is False
    assert limited.rate_limited == 1


async def test_each_channel_has_its_own_bucket(limited: FakeDiscord) -> None:
    """A reaction in #challenges is not held up by one just made in #general."""
    assert limited.world is not None
    here = await post(limited)
    there = await limited.user_sends_message(
        limited.world.challenges.id, limited.world.member, "hi"
    )
    headers = {"Authorization": f"Bot {limited.token}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        for message in (here, there):
            async with http.put(reaction_url(limited, message)) as response:
                assert response.status == 204
    assert limited.rate_limited == 0


async def test_the_global_limit_covers_every_route() -> None:
    """Past the global allowance any route is a global 429; interaction callbacks are not
    counted, as on Discord."""
    server = await served(RateLimits(buckets=(), global_per_second=3, latency=0.0))
    try:
        headers = {"Authorization": f"Bot {server.token}"}
        async with aiohttp.ClientSession(headers=headers) as http:
            statuses = []
            for _ in range(4):
                async with http.get(server.api_base + "/users/@me") as response:
                    statuses.append(response.status)
                    if response.status == 429:
                        body = await response.json()
                        assert body["global"] is True
                        assert response.headers["X-RateLimit-Global"] == "true"
            assert statuses == [200, 200, 200, 429]
    finally:
        await server.stop()


async def test_latency_is_added_to_every_call() -> None:
    """Each API call takes at least the configured latency."""
    server = await served(RateLimits(buckets=(), global_per_second=None, latency=0.05))
    try:
        headers = {"Authorization": f"Bot {server.token}"}
        async with aiohttp.ClientSession(headers=headers) as http:
            started = time.perf_counter()
            async with http.get(server.api_base + "/users/@me") as response:
                assert response.status == 200
            assert time.perf_counter() - started >= 0.05
    finally:
        await server.stop()


@pytest.mark.parametrize("headers", [True, False], ids=["with headers", "429s only"])
async def test_discord_py_lives_with_the_limits(headers: bool) -> None:
    """Five reactions in a row by discord.py: with X-RateLimit headers it waits on its own
    and meets no 429; without them it meets 429s and retries each (Via) until it passes."""
    server = await served(RateLimits(latency=0.0, headers=headers))
    try:
        message = await post(server)
        emojis = ["🇦", "🇧", "🇨", "🇩", "💡"]
        with point_discord_at(server):
            intents = discord.Intents.none()
            intents.guilds = True
            client = discord.Client(intents=intents, guild_ready_timeout=0.1)
            async with running_client(client, server):
                channel = client.get_partial_messageable(message.channel_id)
                partial = channel.get_partial_message(message.id)
                for emoji in emojis:
                    await partial.add_reaction(emoji)
        assert server.bot_user.id in message.reactions.get("💡", [])
        if headers:
            assert server.rate_limited == 0
        else:
            assert server.rate_limited > 0
    finally:
        await server.stop()


def test_discord_like_is_what_the_notes_measured() -> None:
    """Reactions 1/0.25 s, messages 5/5 s, 50 requests/s, 50 ms: the numbers of the issue."""
    buckets = {b.name: (b.limit, b.per) for b in DISCORD_LIKE.buckets}
    assert buckets["reactions"] == (1, 0.25)
    assert buckets["messages"] == (5, 5.0)
    assert DISCORD_LIKE.global_per_second == 50
    assert DISCORD_LIKE.latency == 0.05
