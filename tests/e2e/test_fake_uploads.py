"""The fake's upload limit, met by a real discord.py client: 10 MiB of files per request."""

from __future__ import annotations

import io

import discord
import pytest

from tests.e2e.fake_discord import FakeDiscord, World, running_client
from tests.e2e.fake_discord.uploads import UPLOAD_LIMIT

HALF = UPLOAD_LIMIT // 2


async def send_files(fake: FakeDiscord, world: World, sizes: list[int]) -> None:
    """Post files of these sizes in one message to #general, as a bare discord.py client."""
    bot = discord.Client(intents=discord.Intents.none())
    async with running_client(bot, fake):
        channel = await bot.fetch_channel(world.general.id)
        assert isinstance(channel, discord.TextChannel)
        files = [
            discord.File(io.BytesIO(b"x" * size), f"file{n}.bin") for n, size in enumerate(sizes)
        ]
        await channel.send("files", files=files)


async def test_files_within_the_limit_are_attached(
    discord_at_fake: FakeDiscord, world: World
) -> None:
    """Two files that together fit the limit arrive whole."""
    await send_files(discord_at_fake, world, [HALF, HALF])

    message = await discord_at_fake.wait_for_message(world.general.id)
    assert [len(a.data) for a in message.attachments] == [HALF, HALF]


async def test_files_past_the_limit_are_refused_with_40005(
    discord_at_fake: FakeDiscord, world: World
) -> None:
    """One byte over the limit in all is a 413 Request entity too large; nothing is posted."""
    with pytest.raises(discord.HTTPException) as refused:
        await send_files(discord_at_fake, world, [HALF, HALF + 1])

    assert (refused.value.status, refused.value.code) == (413, 40005)
    assert discord_at_fake.messages_in(world.general.id) == []
