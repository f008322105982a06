"""Fixtures of the end-to-end tests (the fake Discord itself is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.features.common.bot import AnnealBot
from tests.e2e.anneal import running_anneal
from tests.e2e.fake_discord import FakeDiscord, World
from tests.e2e.scores import NOW, seed_scores


@pytest.fixture
async def scored_bot(
    fake_discord: FakeDiscord, world: World, tmp_path: Path
) -> AsyncIterator[AnnealBot]:
    """Anneal on a database with scores from last week and this week; its clock at NOW."""
    database = tmp_path / "anneal.db"
    await seed_scores(database, world)
    async with running_anneal(fake_discord, database, clock=lambda: NOW) as running:
        yield running
