"""Tests for bot.storage._connection: the pragmas every connection runs with."""

from __future__ import annotations

from pathlib import Path

from bot.storage._connection import BUSY_TIMEOUT_MS, connect


async def _pragma(path: Path, name: str) -> object:
    conn = await connect(path)
    try:
        async with conn.execute(f"PRAGMA {name}") as cursor:
            row = await cursor.fetchone()
    finally:
        await conn.close()
    assert row is not None
    return row[0]


async def test_journal_mode_is_wal(db_path: Path) -> None:
    """The database file is switched to write-ahead logging."""
    assert await _pragma(db_path, "journal_mode") == "wal"


async def test_synchronous_is_normal(db_path: Path) -> None:
    """Commits use synchronous=NORMAL (1), the WAL setting that survives a process crash."""
    assert await _pragma(db_path, "synchronous") == 1


async def test_foreign_keys_are_enforced(db_path: Path) -> None:
    """Foreign key enforcement, off by default in SQLite, is on."""
    assert await _pragma(db_path, "foreign_keys") == 1


async def test_busy_timeout_is_set(db_path: Path) -> None:
    """A locked database is waited for instead of failing at once."""
    assert await _pragma(db_path, "busy_timeout") == BUSY_TIMEOUT_MS


async def test_missing_parent_folders_are_created(tmp_path: Path) -> None:
    """Opening a path in folders that do not exist creates them and the file."""
    path = tmp_path / "a" / "b" / "anneal.db"
    await _pragma(path, "user_version")
    assert path.is_file()
