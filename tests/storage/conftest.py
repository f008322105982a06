"""Fixtures for the storage tests: a real, migrated SQLite database in a temporary folder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import Database
from tests.storage.seeding import seed


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the database goes: a folder that does not exist yet, as opening must create it."""
    return tmp_path / "data" / "anneal.db"


@pytest.fixture
async def db(db_path: Path) -> AsyncIterator[Database]:
    """A freshly migrated, empty database."""
    async with await Database.open(db_path) as database:
        yield database


@pytest.fixture
async def seeded(db: Database) -> Database:
    """The database with the two guilds and three players of tests.storage.seeding."""
    await seed(db)
    return db
