"""Fixtures of the ChallengeManager tests: the clock its timers sleep on, and a database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import Database
from tests.challenges.fakes import GUILD, SCALE
from tests.engine.conftest import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    """The manager's clock; its timers sleep on it."""
    return FakeClock()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A database with the study group, its timers scaled by SCALE."""
    database = await Database.open(tmp_path / "m.db")
    await database.upsert_guild(GUILD, "Study group")
    await database.update_guild_settings(GUILD, timer_scale=SCALE)
    yield database
    await database.close()
