"""The fake's upload limit, met by a real discord.py client: 10 MiB of files per request."""

from __future__ import annotations

import io

import discord
import pytest

from tests.e2e.fake_discord import FakeDiscord, World, running_client
from tests.e2e.fake_discord.uploads import UPLOAD_LIMIT


def client() -> discord.Client:
    """A bare client that only connects; the test sends through its HTTP API."""
    return discord.Client(intents=discord.Intents.none())


async def test_files_within_the_limit_are_attached(
    discord_at_fake: FakeDiscord, world: World
) -> None:
    """Two files that together fit the limit arrive whole."""
    bot = client()
    async with running_client(bot, discord_at_fake):
        channel = await bot.fetch_channel(world.general.id)
        assert isinstance(channel, discord.TextChannel)
        half = b"x" * (UPLOAD_LIMIT // 2)
        files = [discord.File(io.BytesIO(half), "a.bin"), discord.File(io.BytesIO(half), "b.bin")]
        await channel.send("two halves", files=files)
    message = await discord_at_fake.wait_for_message(world.general.id)
    assert [len(a.data) for a in message.attachments] == [UPLOAD_LIMIT // 2] * 2


async def test_files_past_the_limit_are_refused_with_40005(
    discord_at_fake: FakeDiscord, world: World
) -> None:
    """One byte over the limit in all is a 413 Request entity too large; nothing is posted."""
    bot = client()
    async with running_client(bot, discord_at_fake):
        channel = await bot.fetch_channel(world.general.id)
        assert isinstance(channel, discord.TextChannel)
        half = b"x" * (UPLOAD_LIMIT // 2)
        files = [
            discord.File(io.BytesIO(half), "a.bin"),
            discord.File(io.BytesIO(half + b"!"), "b.bin"),
        ]
        with pytest.raises(discord.HTTPException) as refused:
            await channel.send("too much", files=files)
    assert (refused.value.status, refused.value.code) == (413, 40005)
    assert discord_at_fake.messages_in(world.general.id) == []
