"""Tests for bot.storage.database: opening, closing and what survives a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.session import Attempt
from bot.storage import Database, StorageError
from tests.storage.seeding import BOB, CY, T0, seed, start_session


async def test_close_is_idempotent(db_path: Path) -> None:
    """Closing twice (e.g. `async with` after an explicit close) does not raise."""
    db = await Database.open(db_path)
    await db.close()
    await db.close()


async def test_open_session_and_attempts_survive_a_restart(db_path: Path) -> None:
    """Closing and reopening the file keeps the open session, its deadline and every attempt."""
    async with await Database.open(db_path) as db:
        await seed(db)
        session_id = await start_session(db)
        await db.set_current_problem(session_id, 0, T0, T0 + 60, message_id=42)
        first = Attempt(BOB, "p1", "C", False, 1, 0, T0 + 5)
        second = Attempt(BOB, "p1", "A", True, 2, 50, T0 + 9)
        await db.save_attempt(session_id, first)
        await db.save_attempt(session_id, second)
        before = await db.session(session_id)

    async with await Database.open(db_path) as db:
        assert await db.open_sessions() == [before]
        assert await db.attempts_for_session(session_id) == [first, second]


async def test_attempt_is_committed_when_save_attempt_returns(db_path: Path) -> None:
    """Another connection sees the attempt as soon as save_attempt returns (no lazy commit)."""
    async with await Database.open(db_path) as bot, await Database.open(db_path) as observer:
        await seed(bot)
        session_id = await start_session(bot)
        attempt = Attempt(CY, "p1", "D", True, 1, 100, T0 + 3)
        await bot.save_attempt(session_id, attempt)
        assert await observer.attempts_for_session(session_id) == [attempt]


async def test_a_file_that_is_not_a_database_is_a_clear_storage_error(tmp_path: Path) -> None:
    """Opening something that is not SQLite names the file and the reason, no sqlite3 error."""
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database" * 100)
    with pytest.raises(StorageError, match=r"cannot open the database .*notes\.db: file is not"):
        await Database.open(path)


async def test_a_folder_in_place_of_the_file_is_a_clear_storage_error(tmp_path: Path) -> None:
    """A path SQLite cannot open at all is reported the same way."""
    with pytest.raises(StorageError, match="cannot open the database"):
        await Database.open(tmp_path)
