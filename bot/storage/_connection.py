"""Opening the SQLite file with the settings every Anneal connection relies on.

Also the two SQL functions the totals need (the ISO week and the UTC day of a time),
registered on every connection, and the one place sqlite3's errors become StorageErrors.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from pathlib import Path

import aiosqlite

from bot.storage.errors import StorageBusy, StorageError, StorageFailed, StorageFull

log = logging.getLogger(__name__)

# How long a statement of a reading or migrating connection waits inside SQLite for
# another process (e.g. `anneal db` next to the running bot) to release its lock before
# failing with "database is locked". The writer has its own, retried, wait (_writer.py).
BUSY_TIMEOUT_MS = 5_000

DAY = 86_400
WEEK = 7 * DAY
# 1970-01-01 was a Thursday, so the first Monday 00:00 UTC came four days after the epoch.
FIRST_MONDAY = 4 * DAY

# Per-connection settings besides busy_timeout (journal_mode is per file: see `connect`).
# In WAL mode synchronous=NORMAL is safe against corruption; a power cut may lose the last
# commits, a crash of the bot process loses nothing. foreign_keys is off by default in
# SQLite and a no-op inside a transaction: set it here, once.
_PRAGMAS = (
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
)


def week_start(at: float) -> float:
    """The Monday 00:00 UTC that starts the ISO week holding `at` (unix seconds).

    The same arithmetic as the leaderboard's windows (bot/features/stats/weeks.py), so an
    attempt's week is exactly the window it is shown in; float `%` is exact.
    """
    return at - (at - FIRST_MONDAY) % WEEK


def day_number(at: float) -> int:
    """The UTC day holding `at`, as days since 1970-01-01 (for day streaks)."""
    return int(at // DAY)


_FUNCTIONS = (("anneal_week_start", week_start), ("anneal_day", day_number))


async def connect(path: Path) -> aiosqlite.Connection:
    """Open `path` (creating its folder) in WAL mode with foreign keys enforced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None stops sqlite3 from opening transactions implicitly: every
    # write in this package says BEGIN IMMEDIATE itself, so a transaction's extent is
    # visible in the code and the write lock is taken up front (no upgrade deadlock).
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        conn.row_factory = aiosqlite.Row
        # busy_timeout first, so the statements below wait for other processes' locks too.
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        for pragma in _PRAGMAS:
            await conn.execute(pragma)
        mode = await _enable_wal(conn)
        if mode != "wal":
            # e.g. some network filesystems; everything still works, with less concurrency.
            log.warning("SQLite refused WAL mode for %s (journal_mode=%s)", path, mode)
        for name, function in _FUNCTIONS:
            await conn.create_function(name, 1, function, deterministic=True)
    except BaseException:
        await conn.close()
        raise
    return conn


def connect_sync(path: Path, *, busy_timeout_ms: int) -> sqlite3.Connection:
    """A plain sqlite3 connection with the same settings, for the writer's own thread.

    The file must exist in WAL mode already (`connect` did it while migrating).
    """
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms:d}")
        for pragma in _PRAGMAS:
            conn.execute(pragma)
        for name, function in _FUNCTIONS:
            conn.create_function(name, 1, function, deterministic=True)
    except BaseException:
        conn.close()
        raise
    return conn


async def _enable_wal(conn: aiosqlite.Connection) -> str:
    """Switch to WAL and return the journal mode now in force.

    While another connection is switching the same new file, SQLite can answer "database
    is locked" at once, without calling the busy handler: retry for a few seconds.
    """
    give_up_at = time.monotonic() + 5.0
    while True:
        try:
            async with conn.execute("PRAGMA journal_mode = WAL") as cursor:
                row = await cursor.fetchone()
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or time.monotonic() > give_up_at:
                raise
            await asyncio.sleep(0.01)
        else:
            return "" if row is None else str(row[0]).lower()


def is_busy(exc: sqlite3.Error) -> bool:
    """Whether SQLite refused because another connection holds a lock (worth retrying)."""
    return _primary_code(exc) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def storage_error(exc: sqlite3.Error, *, writing: bool) -> StorageError:
    """The StorageError to raise for a sqlite3 error (chain it with `from exc`)."""
    code = _primary_code(exc)
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StorageBusy(writing=writing)
    if code == sqlite3.SQLITE_FULL:
        return StorageFull()
    return StorageFailed(writing=writing)


def log_failure(exc: sqlite3.Error, *, writing: bool) -> None:
    """Log a sqlite3 error once, where it becomes a StorageError.

    A busy or full database is an operating condition (a warning); anything else is a
    bug or a broken file, logged with its traceback because the member sees only a
    generic message.
    """
    code = _primary_code(exc)
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL):
        log.warning("database %s refused: %s", "write" if writing else "read", exc)
    else:
        log.error("database %s failed", "write" if writing else "read", exc_info=exc)


def _primary_code(exc: sqlite3.Error) -> int | None:
    # Extended codes (SQLITE_BUSY_SNAPSHOT, ...) keep the primary code in the low byte.
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF
