"""Seeing the SQL a `Database` runs, through SQLite's trace callback (for transaction counts)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.storage import Database


@asynccontextmanager
async def traced_statements(db: Database) -> AsyncIterator[list[str]]:
    """Every statement `db` sends to SQLite inside the block, in order (BEGIN, COMMIT too)."""
    statements: list[str] = []
    # The production Database has no tracing hook on purpose: reach its connection here.
    conn = db._conn
    await conn.set_trace_callback(statements.append)
    try:
        yield statements
    finally:
        # sqlite3 takes None to remove the callback; aiosqlite's annotation leaves it out.
        await conn.set_trace_callback(None)  # type: ignore[arg-type]


def transactions(statements: list[str]) -> int:
    """How many write transactions the traced statements began."""
    return sum(1 for statement in statements if statement.strip().upper().startswith("BEGIN"))
