"""A small pool of read-only aiosqlite connections: reads never queue behind the writer.

In WAL mode a reader sees the last committed state and neither waits for the writer nor
holds it up, so `!profile` in a loop cannot delay an answer being stored. Each
connection runs `PRAGMA query_only`, so a read method that tried to write would fail
loudly instead of racing the writer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.storage._connection import connect

READERS = 3  # enough for a few commands at once; each is a thread and a file handle


class ReadPool:
    """Read-only connections to one file, lent out one at a time."""

    def __init__(self, connections: Sequence[aiosqlite.Connection]) -> None:
        if not connections:
            raise ValueError("a read pool needs at least one connection")
        self._all = tuple(connections)
        self._idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        for conn in connections:
            self._idle.put_nowait(conn)

    @classmethod
    async def open(
        cls, path: Path, size: int = READERS, *, first: aiosqlite.Connection | None = None
    ) -> ReadPool:
        """`size` read-only connections to `path`; `first` (already open) is made one of them."""
        if size < 1:
            raise ValueError("a read pool needs at least one connection")
        connections: list[aiosqlite.Connection] = []
        try:
            if first is not None:
                connections.append(first)
            while len(connections) < size:
                connections.append(await connect(path))
            for conn in connections:
                await conn.execute("PRAGMA query_only = ON")
        except BaseException:
            for conn in connections:
                await conn.close()
            raise
        return cls(connections)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[aiosqlite.Connection]:
        """An idle connection for the duration of the block (waits if all are lent)."""
        conn = await self._idle.get()
        try:
            yield conn
        finally:
            self._idle.put_nowait(conn)

    async def close(self) -> None:
        """Close every connection (waiting for the reads in progress)."""
        for _ in self._all:
            await self._idle.get()
        for conn in self._all:
            await conn.close()
