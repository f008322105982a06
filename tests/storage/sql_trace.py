"""Seeing the SQL a `Database` writes, through SQLite's trace callback (for transaction counts)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.storage import Database


@asynccontextmanager
async def traced_statements(db: Database) -> AsyncIterator[list[str]]:
    """Every statement `db`'s writer sends to SQLite inside the block (BEGIN, COMMIT too)."""
    statements: list[str] = []
    # The production Database has no tracing hook on purpose: reach its writer here. The
    # callback runs on the writer's thread; list.append is atomic.
    writer = db._writer
    await writer.call(lambda conn: conn.set_trace_callback(statements.append))
    try:
        yield statements
    finally:
        await writer.call(lambda conn: conn.set_trace_callback(None))


def transactions(statements: list[str]) -> int:
    """How many write transactions the traced statements began."""
    return sum(1 for statement in statements if statement.strip().upper().startswith("BEGIN"))
