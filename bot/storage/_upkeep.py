"""Looking after the kept standings: compare them with the attempts, or rebuild them.

`anneal db check` runs `check_totals` (on a read connection: the bot keeps answering
meanwhile); `anneal db check --repair` runs `rebuild_totals`, one write transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from bot.storage import _totals
from bot.storage._core import Store, fetch_one
from bot.storage.models import TotalsMismatch, TotalsReport

_KEY_WIDTH = {"standing_totals": 4, "active_days": 3}


class UpkeepQueries(Store):
    """Checking the kept standings against the attempts, and rebuilding them."""

    async def check_totals(self) -> TotalsReport:
        """Every kept total and active day that differs from a recomputation from attempts."""
        async with self._read() as conn:
            totals = await conn.execute_fetchall(_totals.TOTALS_DIFFERENCES)
            days = await conn.execute_fetchall(_totals.DAYS_DIFFERENCES)
            counts = await fetch_one(
                conn,
                """
                SELECT (SELECT COUNT(*) FROM attempts) AS attempts,
                       (SELECT COUNT(*) FROM standing_totals) AS total_rows,
                       (SELECT COUNT(*) FROM active_days) AS active_days
                """,
            )
        assert counts is not None  # a SELECT without FROM returns one row
        mismatches = _mismatches("standing_totals", totals) + _mismatches("active_days", days)
        return TotalsReport(
            attempts=counts["attempts"],
            total_rows=counts["total_rows"],
            active_days=counts["active_days"],
            mismatches=tuple(mismatches),
        )

    async def rebuild_totals(self) -> tuple[int, int]:
        """Recompute every kept total and active day from the attempts, in one transaction.

        Returns the number of total rows and active days written.
        """
        return await self._write(_totals.rebuild)


def _mismatches(table: str, rows: Iterable[sqlite3.Row]) -> list[TotalsMismatch]:
    """Pair up the differing rows of each side by key (side, key..., values...)."""
    width = _KEY_WIDTH[table]
    sides: dict[tuple[Any, ...], dict[str, tuple[Any, ...]]] = {}
    for row in rows:
        values = tuple(row)
        key, rest = values[1 : 1 + width], values[1 + width :]
        sides.setdefault(key, {})[str(values[0])] = rest
    return [
        TotalsMismatch(table, key, found.get("stored"), found.get("expected"))
        for key, found in sorted(sides.items(), key=lambda item: repr(item[0]))
    ]
