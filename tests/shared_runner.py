"""A warm RunnerPool on an event loop of its own, so tests on any loop can share its workers.

Starting a worker costs ~3 CPU-seconds (torch, matplotlib), so the suite starts one pool
for every test that only needs a working runner (`shared_runner` in tests/conftest.py).
Its own loop runs in a thread: tests whose loops come and go (function-scoped, or
`asyncio.run` inside `anneal run`) await its jobs through `run_coroutine_threadsafe`, and
its background work (replacing a killed worker) goes on between tests. It is the real
RunnerPool with the production worker; only where its coroutines run differs.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Coroutine, Sequence
from typing import Any, TypeVar

from bot.runner import Chart, Comparison, Requester, RunnerPool, RunResult, RunSpec

T = TypeVar("T")


class ThreadedRunnerPool(RunnerPool):
    """A RunnerPool whose coroutines run on its own loop thread; awaitable from any loop.

    It also counts the charts asked of it and who asked, so a test can say "nothing ran".
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.charts = 0
        self.requesters: list[Requester | None] = []
        self._home_loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._home_loop.run_forever, name="shared runner loop", daemon=True
        )
        self._thread.start()

    async def _at_home(self, job: Coroutine[Any, Any, T]) -> T:
        """Run `job` on the pool's loop; cancelling the caller cancels it there too."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(job, self._home_loop))

    def _call(self, job: Coroutine[Any, Any, T]) -> T:
        """Run `job` on the pool's loop from plain (synchronous) code, e.g. a fixture."""
        return asyncio.run_coroutine_threadsafe(job, self._home_loop).result()

    def start_now(self) -> None:
        """Start the workers from synchronous code; returns once they are warm."""
        self._call(super().start())

    async def start(self) -> None:
        """Start the workers (on the pool's loop)."""
        await self._at_home(super().start())

    async def close(self) -> None:
        """Stop the workers (on the pool's loop)."""
        await self._at_home(super().close())

    def stop(self) -> None:
        """Close the pool from synchronous code and end its loop thread."""
        self._call(super().close())
        self._home_loop.call_soon_threadsafe(self._home_loop.stop)
        self._thread.join(timeout=30)
        self._home_loop.close()

    async def wait_ready(self) -> bool:
        """Wait for the first worker (on the pool's loop)."""
        return await self._at_home(super().wait_ready())

    async def run(self, spec: RunSpec, *, requester: Requester | None = None) -> RunResult:
        """RunnerPool.run, on the pool's loop."""
        return await self._at_home(super().run(spec, requester=requester))

    async def chart(self, spec: RunSpec, *, requester: Requester | None = None) -> Chart:
        """RunnerPool.chart, on the pool's loop; counted."""
        self.charts += 1
        self.requesters.append(requester)
        return await self._at_home(super().chart(spec, requester=requester))

    async def compare(
        self, runs: Sequence[tuple[str, RunSpec]], *, requester: Requester | None = None
    ) -> Comparison:
        """RunnerPool.compare, on the pool's loop."""
        return await self._at_home(super().compare(runs, requester=requester))

    @contextlib.asynccontextmanager
    async def lent(self, *args: object, **kwargs: object) -> AsyncIterator[ThreadedRunnerPool]:
        """Stands in for `RunnerPool(...)` in `async with`: this pool, left open afterwards."""
        yield self
