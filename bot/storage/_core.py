"""What every query module shares: one aiosqlite connection, taken in turns, and transactions.

Every method of `Database` takes the connection for its whole duration (an asyncio lock),
so a coroutine never sees another one's half-finished transaction. Writes run in
`BEGIN IMMEDIATE ... COMMIT` and are committed before the method returns.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite


class Store:
    """One SQLite connection and its lock; the query classes of `Database` build on it."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self._closed = False
        self.path = path

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            yield self._conn

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[aiosqlite.Connection]:
        """One transaction: committed if the block finishes, rolled back if it raises."""
        async with self._lock:
            conn = self._conn
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                await conn.execute("COMMIT")
            except BaseException:
                await conn.rollback()
                raise


async def fetch_one(
    conn: aiosqlite.Connection, query: str, params: Sequence[Any] | dict[str, Any] = ()
) -> sqlite3.Row | None:
    """The first row of a query, or None."""
    async with conn.execute(query, params) as cursor:
        return await cursor.fetchone()
