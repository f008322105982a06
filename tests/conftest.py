"""Fixtures shared by the whole suite: the fake Discord of the end-to-end tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.e2e.fake_discord import FakeDiscord, World, point_discord_at, serving_default_world


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A started fake Discord with the default world; fails the test on missing routes."""
    async with serving_default_world() as server:
        yield server


@pytest.fixture
def discord_at_fake(fake_discord: FakeDiscord) -> Iterator[FakeDiscord]:
    """``fake_discord`` with discord.py's REST base and gateway URL pointed at it."""
    with point_discord_at(fake_discord):
        yield fake_discord


@pytest.fixture
def world(fake_discord: FakeDiscord) -> World:
    """The ids and objects of the default world (guild, channels, users, roles)."""
    assert fake_discord.world is not None
    return fake_discord.world
