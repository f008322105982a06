"""What every query module shares: the writer, the read connections, and small helpers.

Reads borrow one of a few read-only connections (`async with self._read() as conn`);
they see the last commit and never wait for a write. Writes hand a plain function of a
sqlite3 connection to the writer thread (`await self._write(body)`), which runs it
whole in one `BEGIN IMMEDIATE ... COMMIT` and returns once it is committed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.engine.review import DEFAULT_STEPS, ReviewSteps
from bot.storage._connection import log_failure, storage_error
from bot.storage._readers import ReadPool
from bot.storage._writer import Body, Writer
from bot.storage.errors import DatabaseClosed

T = TypeVar("T")
Params = Sequence[Any] | dict[str, Any]


class Store:
    """The writer and the read pool of one file; the query classes of `Database` build on it."""

    def __init__(
        self,
        writer: Writer,
        readers: ReadPool,
        path: Path,
        *,
        review_steps: ReviewSteps = DEFAULT_STEPS,
    ) -> None:
        self._writer = writer
        self._readers = readers
        self._closed = False
        self.path = path
        # Where a miss or a review moves a problem in the review queue: the caller's
        # ANNEAL_REVIEW_STEPS, passed in (storage reads no settings).
        self.review_steps = review_steps

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[aiosqlite.Connection]:
        """A read-only connection for the block; sqlite3 errors become StorageErrors."""
        if self._closed:
            raise DatabaseClosed(f"the database {self.path} is closed")
        async with self._readers.connection() as conn:
            try:
                yield conn
            except sqlite3.Error as exc:
                log_failure(exc, writing=False)
                raise storage_error(exc, writing=False) from exc

    async def _write(self, body: Body[T]) -> T:
        """Run `body` as one transaction on the writer; its result once committed."""
        if self._closed:
            raise DatabaseClosed(f"the database {self.path} is closed")
        return await self._writer.transaction(body)


async def fetch_one(
    conn: aiosqlite.Connection, query: str, params: Params = ()
) -> sqlite3.Row | None:
    """The first row of a query, or None (on a read connection)."""
    async with conn.execute(query, params) as cursor:
        return await cursor.fetchone()


def first_row(conn: sqlite3.Connection, query: str, params: Params = ()) -> sqlite3.Row | None:
    """The first row of a query, or None (inside a write's body)."""
    row: sqlite3.Row | None = conn.execute(query, params).fetchone()
    return row
