"""The bot's database: sessions, attempts, hints, badges, leaderboards, statistics, settings.

One `Database` is one SQLite file in WAL mode: a writer thread that runs each write
method as one `BEGIN IMMEDIATE ... COMMIT` (several waiting writes share a commit), and
a few read-only connections that see the last commit and never wait for the writer.
What a write method acknowledges is on disk when it returns.

Times are unix seconds (float, UTC), passed in by the caller: this module never reads
the clock except for a guild's default `joined_at`. No sqlite3 error leaves this
package: the ones a user can meet are StorageErrors with a message fit to show.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import TracebackType
from typing import Self

from bot.engine.review import DEFAULT_STEPS, ReviewSteps
from bot.storage import _migrations
from bot.storage._attempts import AttemptQueries
from bot.storage._connection import connect, log_failure, storage_error
from bot.storage._daily import DailyQueries
from bot.storage._guilds import UNSET, GuildQueries
from bot.storage._history import HistoryQueries
from bot.storage._readers import READERS, ReadPool
from bot.storage._reminders import ReminderQueries
from bot.storage._reviews import ReviewQueries
from bot.storage._sessions import SessionQueries
from bot.storage._solo import SoloQueries
from bot.storage._standings import StandingQueries
from bot.storage._statistics import StatisticsQueries
from bot.storage._upkeep import UpkeepQueries
from bot.storage._writer import BUSY_WAIT, Writer
from bot.storage.errors import SchemaTooNew, StorageError, StorageFailed

__all__ = ["UNSET", "Database"]


class Database(
    GuildQueries,
    SessionQueries,
    AttemptQueries,
    StandingQueries,
    StatisticsQueries,
    HistoryQueries,
    SoloQueries,
    ReviewQueries,
    ReminderQueries,
    UpkeepQueries,
    DailyQueries,
):
    """Anneal's storage API over one SQLite file. Create it with `await Database.open(path)`."""

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        readers: int = READERS,
        busy_wait: float = BUSY_WAIT,
        review_steps: ReviewSteps = DEFAULT_STEPS,
    ) -> Self:
        """Connect to `path` (created if missing) and migrate it to the latest schema.

        `readers` read-only connections serve the reads; a write waits up to `busy_wait`
        seconds for a lock another process holds before raising StorageBusy. A miss enters
        the review queue, and a review moves it, by `review_steps` (the bot and the
        terminal pass settings.review_steps).
        """
        try:
            conn = await connect(path)
        except sqlite3.Error as exc:
            raise _cannot_open(path, exc) from exc
        try:
            await _migrations.migrate(conn)
        except SchemaTooNew as exc:
            await conn.close()
            raise SchemaTooNew(exc.found, exc.known, path) from None
        except BaseException:
            await conn.close()
            raise
        try:
            # The migrating connection becomes the first reader.
            pool = await ReadPool.open(path, readers, first=conn)
        except sqlite3.Error as exc:
            raise _cannot_open(path, exc) from exc
        try:
            writer = await Writer.start(path, busy_wait=busy_wait)
        except BaseException:
            await pool.close()
            raise
        return cls(writer, pool, path, review_steps=review_steps)

    async def close(self) -> None:
        """Finish the operations in progress and close every connection; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        try:
            await self._writer.close()
        finally:
            await self._readers.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def schema_version(self) -> int:
        """The number of the last migration applied (`PRAGMA user_version`)."""
        async with self._read() as conn:
            return await _migrations.user_version(conn)


def _cannot_open(path: Path, exc: sqlite3.Error) -> StorageError:
    log_failure(exc, writing=True)
    error = storage_error(exc, writing=True)
    if isinstance(error, StorageFailed):  # not busy, not full: say which file and why
        return StorageError(f"cannot open the database {path}: {exc}")
    return error
