"""Numbered SQL migrations (`migrations/NNNN_name.sql`), applied in order.

`PRAGMA user_version` holds the number of the last migration applied. Each migration
runs in its own transaction together with the version bump, so a failure leaves the
database at the previous version, never half-migrated.

A migration runs with foreign keys enforced (the pragma cannot change inside a
transaction); one that rebuilds a table must keep every reference valid as it goes.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

import aiosqlite

from bot.storage.errors import MigrationError, SchemaTooNew

log = logging.getLogger(__name__)

_FILENAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered migration file: its version, its name and its SQL."""

    version: int
    filename: str
    sql: str

    @property
    def statements(self) -> list[str]:
        """The script cut into single statements (sqlite3 executes one at a time)."""
        statements: list[str] = []
        pending = ""
        for line in self.sql.splitlines(keepends=True):
            pending += line
            # complete_statement knows about strings, comments and trigger bodies.
            if sqlite3.complete_statement(pending):
                statements.append(pending.strip())
                pending = ""
        if any(line.strip() and not line.strip().startswith("--") for line in pending.splitlines()):
            raise MigrationError(
                f"{self.filename} ends with an unfinished statement (missing ';'?)"
            )
        return statements


def load_migrations(folder: Traversable) -> tuple[Migration, ...]:
    """Read every `NNNN_name.sql` in `folder`; refuse gaps, duplicates and stray names."""
    found: list[Migration] = []
    for entry in folder.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = _FILENAME.fullmatch(entry.name)
        if match is None:
            raise MigrationError(f"migration {entry.name!r} is not named like 0001_name.sql")
        found.append(Migration(int(match["version"]), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(
            f"migrations must be numbered 1, 2, 3, ... with no gap; found {versions}"
        )
    return tuple(found)


@cache
def shipped_migrations() -> tuple[Migration, ...]:
    """The migrations packaged with this version of Anneal."""
    return load_migrations(resources.files("bot.storage").joinpath("migrations"))


def latest_version() -> int:
    """The schema version the shipped migrations lead to."""
    return len(shipped_migrations())


async def user_version(conn: aiosqlite.Connection) -> int:
    """The database's schema version (`PRAGMA user_version`)."""
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    assert row is not None  # PRAGMA user_version always answers
    return int(row[0])


async def migrate(
    conn: aiosqlite.Connection,
    *,
    target: int | None = None,
    migrations: Sequence[Migration] | None = None,
) -> int:
    """Apply the pending migrations up to `target` (default: all); return the new version.

    Raises SchemaTooNew, before changing anything, if the database is newer than the
    migrations known here.
    """
    migrations = shipped_migrations() if migrations is None else migrations
    known = len(migrations)
    target = known if target is None else target
    current = await user_version(conn)
    if current > known:
        raise SchemaTooNew(current, known)

    for migration in migrations[current:target]:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process (the bot and `anneal db` share the file) may have applied
            # it while this one waited for the write lock.
            if await user_version(conn) < migration.version:
                # Some take a while on a large database (5 builds the standings: about
                # a minute per million answers on a busy 2-core machine).
                log.info("applying database migration %s", migration.filename)
                for statement in migration.statements:
                    await conn.execute(statement)
                # user_version is part of the database header, so it commits (or rolls
                # back) with the migration itself. It takes no bound parameter.
                await conn.execute(f"PRAGMA user_version = {migration.version:d}")
            await conn.execute("COMMIT")
        except BaseException as exc:
            await conn.rollback()
            if isinstance(exc, sqlite3.Error):
                raise MigrationError(f"migration {migration.filename} failed: {exc}") from exc
            raise
    return await user_version(conn)
