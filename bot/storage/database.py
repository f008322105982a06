"""The bot's database: sessions, attempts, hints, badges, leaderboards and guild settings.

One `Database` owns one aiosqlite connection. Every method takes the connection for
its whole duration (an asyncio lock), so a coroutine never sees another one's
half-finished transaction. Writes run in `BEGIN IMMEDIATE ... COMMIT` and are committed
before the method returns: what the bot acknowledges is on disk.

Times are unix seconds (float, UTC), passed in by the caller: this module never reads
the clock except for a guild's default `joined_at`.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Self

from bot.storage import _migrations
from bot.storage._attempts import AttemptQueries
from bot.storage._connection import connect
from bot.storage._guilds import UNSET, GuildQueries
from bot.storage._sessions import SessionQueries
from bot.storage._standings import StandingQueries
from bot.storage.errors import SchemaTooNew

__all__ = ["UNSET", "Database"]


class Database(GuildQueries, SessionQueries, AttemptQueries, StandingQueries):
    """Anneal's storage API over one SQLite file. Create it with `await Database.open(path)`."""

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    async def open(cls, path: Path) -> Self:
        """Connect to `path` (created if missing) and migrate it to the latest schema."""
        conn = await connect(path)
        try:
            await _migrations.migrate(conn)
        except SchemaTooNew as exc:
            await conn.close()
            raise SchemaTooNew(exc.found, exc.known, path) from None
        except BaseException:
            await conn.close()
            raise
        return cls(conn, path)

    async def close(self) -> None:
        """Close the connection (waiting for the operation in progress); safe to call twice."""
        async with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                # Refreshes the query planner's statistics; SQLite advises it before closing.
                await self._conn.execute("PRAGMA optimize")
            finally:
                await self._conn.close()

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
