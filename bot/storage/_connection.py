"""Opening the SQLite file with the settings every Anneal connection relies on."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)

# How long a statement waits for another process (e.g. `anneal db` next to the running
# bot) to release its lock before failing with "database is locked".
BUSY_TIMEOUT_MS = 5_000


async def connect(path: Path) -> aiosqlite.Connection:
    """Open `path` (creating its folder) in WAL mode with foreign keys enforced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None stops sqlite3 from opening transactions implicitly: every
    # write in this package says BEGIN IMMEDIATE itself, so a transaction's extent is
    # visible in the code and the write lock is taken up front (no upgrade deadlock).
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        conn.row_factory = aiosqlite.Row
        # Set first, so the statements below wait for other processes' locks too.
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = await _enable_wal(conn)
        if mode != "wal":
            # e.g. some network filesystems; everything still works, with less concurrency.
            log.warning("SQLite refused WAL mode for %s (journal_mode=%s)", path, mode)
        # In WAL mode NORMAL is safe against corruption; a power cut may lose the last
        # commits, a crash of the bot process loses nothing.
        await conn.execute("PRAGMA synchronous = NORMAL")
        # Off by default in SQLite, and a no-op inside a transaction: set it here, once.
        await conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        await conn.close()
        raise
    return conn


async def _enable_wal(conn: aiosqlite.Connection) -> str:
    """Switch to WAL and return the journal mode now in force.

    While another connection is switching the same new file, SQLite can answer "database
    is locked" at once, without calling the busy handler: retry until the busy timeout.
    """
    give_up_at = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            async with conn.execute("PRAGMA journal_mode = WAL") as cursor:
                row = await cursor.fetchone()
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > give_up_at:
                raise
            await asyncio.sleep(0.01)
        else:
            return "" if row is None else str(row[0]).lower()
