"""Holding storage's writer thread from a test, so writes queue up behind it on cue."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.storage import Database

HANG_GUARD = 30  # seconds; only stops a broken test from hanging, never measures anything


@asynccontextmanager
async def writer_blocked(db: Database) -> AsyncIterator[None]:
    """Hold the writer's thread, so writes queue up behind it until the block ends."""
    started, release = threading.Event(), threading.Event()

    def hold(conn: sqlite3.Connection) -> None:
        started.set()
        release.wait(HANG_GUARD)

    holding = asyncio.ensure_future(db._writer.call(hold))
    await asyncio.to_thread(started.wait, HANG_GUARD)
    try:
        yield
    finally:
        release.set()
        await holding


async def queued(db: Database, count: int) -> None:
    """Wait (yielding to the loop) until `count` jobs wait in the writer's queue."""
    # The queue belongs to the writer's thread: there is no asyncio.Event to wait on, and
    # each job is queued within a loop turn or two of its task starting.
    while db._writer._jobs.qsize() < count:  # noqa: ASYNC110
        await asyncio.sleep(0)
