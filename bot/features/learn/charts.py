"""The charts of the cards' typical schedules, computed once by the runner and kept.

A chart depends only on the card's `typical.run`, so it is kept under the scheduler's
name and that text: an edited card gets a new chart, an unchanged one never costs a
runner job again. Two members asking for the same card at once share one job.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.content.cards import Card
from bot.runner import RunSpec, parse_run

ComputeChart = Callable[[RunSpec], Awaitable[bytes]]


class ChartCache:
    """PNG bytes of each card's typical schedule, in memory, keyed by card and run text."""

    def __init__(self) -> None:
        self._charts: dict[tuple[str, str], bytes] = {}
        self._pending: dict[tuple[str, str], asyncio.Task[bytes]] = {}

    def cached(self, card: Card) -> bytes | None:
        """The chart if it was computed already."""
        return self._charts.get(self._key(card))

    async def chart(self, card: Card, compute: ComputeChart) -> bytes:
        """The card's chart: kept, being computed for someone else, or computed now.

        A failure (the runner busy, say) is not kept: the next request tries again.
        """
        key = self._key(card)
        if key in self._charts:
            return self._charts[key]
        task = self._pending.get(key)
        if task is None:
            task = asyncio.ensure_future(compute(parse_run(card.typical.run)))
            self._pending[key] = task
            task.add_done_callback(lambda done: self._settle(key, done))
        # shield: one member giving up (a cancelled command) must not cancel the others' job
        return await asyncio.shield(task)

    def _settle(self, key: tuple[str, str], task: asyncio.Task[bytes]) -> None:
        self._pending.pop(key, None)
        if not task.cancelled() and task.exception() is None:
            self._charts[key] = task.result()

    @staticmethod
    def _key(card: Card) -> tuple[str, str]:
        return card.scheduler, card.typical.run
