"""The one connection that writes: a thread of its own that runs whole transactions.

A write method hands the writer a plain function of a sqlite3 connection (its
transaction's body). The writer thread runs it between BEGIN IMMEDIATE and COMMIT and
only then settles the caller's future, so nothing is acknowledged before it is on disk.
Running the whole body in the thread costs one hand-off per transaction instead of one
per statement (aiosqlite's model), and lets the writer commit several waiting
transactions at once (group commit): each body runs inside its own SAVEPOINT, so one
that fails is undone alone, and each is atomic.

A write lock held by another process is waited for (SQLite's busy timeout), then retried
with growing, jittered pauses for a bounded time; after that the caller gets StorageBusy.
No sqlite3 error leaves the writer: they become StorageErrors (_connection.storage_error).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from bot.storage._connection import connect_sync, is_busy, log_failure, storage_error
from bot.storage.errors import DatabaseClosed, StorageFailed

log = logging.getLogger(__name__)

T = TypeVar("T")
Body = Callable[[sqlite3.Connection], T]

BUSY_WAIT = 5.0  # seconds a write keeps trying while another process holds the lock
MAX_BATCH = 64  # transactions committed together at most (bounds the wait behind a batch)
_FIRST_PAUSE = 0.01
_LONGEST_PAUSE = 0.5


@dataclass
class _Job(Generic[T]):
    body: Body[T]
    future: asyncio.Future[T]
    loop: asyncio.AbstractEventLoop
    in_transaction: bool  # False: run on its own, outside any transaction (pragmas)
    outbox: _Outbox

    def succeed(self, result: T) -> None:
        self.outbox.add(self, True, result)

    def fail(self, error: BaseException) -> None:
        self.outbox.add(self, False, error)


class _Outbox:
    """The outcomes of the jobs just run, delivered with one wake-up of each event loop.

    Only the writer thread adds and flushes, after each batch: waking the loop once per
    batch instead of once per answer matters when 50 channels answer at once.
    """

    def __init__(self) -> None:
        self._outcomes: list[tuple[_Job[Any], bool, Any]] = []

    def add(self, job: _Job[Any], ok: bool, value: Any) -> None:
        self._outcomes.append((job, ok, value))

    def flush(self) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Job[Any], bool, Any]]] = {}
        for outcome in self._outcomes:
            by_loop.setdefault(outcome[0].loop, []).append(outcome)
        self._outcomes = []
        for loop, outcomes in by_loop.items():
            # A closed loop (RuntimeError) means nobody is waiting any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, outcomes)


def _settle(outcomes: list[tuple[_Job[Any], bool, Any]]) -> None:
    for job, ok, value in outcomes:
        if job.future.done():  # the caller was cancelled meanwhile
            continue
        if ok:
            job.future.set_result(value)
        else:
            job.future.set_exception(value)


class Writer:
    """The writing connection of one `Database`; start it with `await Writer.start(path)`."""

    def __init__(self, path: Path, *, busy_wait: float = BUSY_WAIT, max_batch: int = MAX_BATCH):
        if busy_wait <= 0 or max_batch < 1:
            raise ValueError("need busy_wait > 0 and max_batch >= 1")
        self.path = path
        self.busy_wait = busy_wait
        self.max_batch = max_batch
        self._jobs: queue.SimpleQueue[_Job[Any] | None] = queue.SimpleQueue()
        self._outbox = _Outbox()
        self._closed = False
        self._connected = False  # set by the thread once its connection is open
        self._thread = threading.Thread(target=self._serve, name="anneal-db-writer", daemon=True)

    @classmethod
    async def start(
        cls, path: Path, *, busy_wait: float = BUSY_WAIT, max_batch: int = MAX_BATCH
    ) -> Writer:
        """Start the thread and open its connection (a StorageError if it cannot)."""
        writer = cls(path, busy_wait=busy_wait, max_batch=max_batch)
        writer._thread.start()
        try:
            await writer.call(lambda conn: None)  # settles once the connection is open
        except BaseException:
            await writer.close()
            raise
        return writer

    async def transaction(self, body: Body[T]) -> T:
        """Run `body` in a transaction; its result once committed, or what it raised."""
        return await self._submit(body, in_transaction=True)

    async def call(self, body: Body[T]) -> T:
        """Run `body` on the writer's connection outside any transaction (pragmas, tracing)."""
        return await self._submit(body, in_transaction=False)

    async def close(self) -> None:
        """Finish the queued work, close the connection and stop the thread; idempotent."""
        if self._closed:
            return
        if self._connected and self._thread.is_alive():
            try:
                # Refreshes the query planner's statistics; SQLite advises it before closing.
                await self.call(lambda conn: conn.execute("PRAGMA optimize"))
            except Exception as exc:  # closing anyway; a failed optimize loses nothing
                log.warning("PRAGMA optimize failed while closing %s: %s", self.path, exc)
        self._closed = True
        self._jobs.put(None)
        await asyncio.to_thread(self._thread.join)

    async def _submit(self, body: Body[T], *, in_transaction: bool) -> T:
        if self._closed:
            raise DatabaseClosed(f"the database {self.path} is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put(_Job(body, future, loop, in_transaction, self._outbox))
        # If the caller is cancelled now, the job still runs (and commits): an answer
        # handed to storage is never half-stored, only perhaps unacknowledged.
        return await future

    # ---------------------------------------------------------------- the thread

    def _serve(self) -> None:
        try:
            conn = connect_sync(self.path, busy_timeout_ms=self._busy_timeout_ms())
        except sqlite3.Error as exc:
            log_failure(exc, writing=True)
            self._refuse_all(exc)
            return
        self._connected = True
        try:
            self._serve_jobs(conn)
        finally:
            conn.close()
            self._refuse_late_jobs()

    def _serve_jobs(self, conn: sqlite3.Connection) -> None:
        held: _Job[Any] | None = None  # a non-transaction job that ended the last batch
        while True:
            job, held = (held, None) if held is not None else (self._jobs.get(), None)
            if job is None:
                return
            if not job.in_transaction:
                self._run_alone(conn, job)
                self._outbox.flush()
                continue
            # Every transaction already waiting joins this one's commit (group commit).
            batch, stopping = [job], False
            while len(batch) < self.max_batch:
                try:
                    waiting = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if waiting is None:
                    stopping = True
                    break
                if not waiting.in_transaction:
                    held = waiting
                    break
                batch.append(waiting)
            try:
                self._run_batch(conn, batch)
            except Exception as exc:  # a bug in the writer itself: keep serving the rest
                log.exception("the database writer failed a batch")
                _rollback_quietly(conn)
                # A job already settled keeps its first outcome (see _settle).
                self._fail_all(batch, exc if isinstance(exc, sqlite3.Error) else StorageFailed())
            self._outbox.flush()
            if stopping:
                return

    def _refuse_late_jobs(self) -> None:
        self._closed = True
        while True:
            try:
                late = self._jobs.get_nowait()
            except queue.Empty:
                return
            if late is not None:
                late.fail(DatabaseClosed(f"the database {self.path} is closed"))
                self._outbox.flush()

    def _run_alone(self, conn: sqlite3.Connection, job: _Job[Any]) -> None:
        try:
            result = job.body(conn)
        except sqlite3.Error as exc:
            log_failure(exc, writing=True)
            job.fail(_chained(exc))
        except BaseException as exc:
            job.fail(exc)
        else:
            job.succeed(result)

    def _run_batch(self, conn: sqlite3.Connection, batch: list[_Job[Any]]) -> None:
        try:
            self._retry_busy(conn, "BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            self._fail_all(batch, exc)
            return
        alone = len(batch) == 1
        ran: list[tuple[_Job[Any], object]] = []
        for index, job in enumerate(batch):
            try:
                if not alone:
                    conn.execute("SAVEPOINT job")
                result = job.body(conn)
                if not alone:
                    conn.execute("RELEASE job")
            except BaseException as exc:
                if not conn.in_transaction:
                    # SQLite rolled the whole transaction back itself (disk full, I/O
                    # error): the bodies run so far are undone as well.
                    self._fail_all([j for j, _ in ran] + batch[index:], exc)
                    return
                try:
                    if alone:
                        conn.execute("ROLLBACK")
                    else:
                        conn.execute("ROLLBACK TO job")
                        conn.execute("RELEASE job")
                except sqlite3.Error as undo:
                    _rollback_quietly(conn)
                    self._fail_all([j for j, _ in ran] + batch[index:], undo)
                    return
                if isinstance(exc, sqlite3.Error):
                    log_failure(exc, writing=True)
                    job.fail(_chained(exc))
                else:
                    job.fail(exc)
                if alone:
                    return
            else:
                ran.append((job, result))
        try:
            self._retry_busy(conn, "COMMIT")
        except sqlite3.Error as exc:
            _rollback_quietly(conn)
            self._fail_all([job for job, _ in ran], exc)
            return
        for job, result in ran:
            job.succeed(result)

    def _retry_busy(self, conn: sqlite3.Connection, statement: str) -> None:
        """Run BEGIN/COMMIT, retrying while another connection holds the lock."""
        give_up_at = time.monotonic() + self.busy_wait
        pause = _FIRST_PAUSE
        while True:
            try:
                conn.execute(statement)
                return
            except sqlite3.OperationalError as exc:
                if not is_busy(exc) or time.monotonic() + pause >= give_up_at:
                    raise
                log.info("database locked by another connection; retrying %s", statement)
            # Jitter, so two processes waiting for the same lock do not retry in step.
            time.sleep(pause * random.uniform(0.5, 1.5))
            pause = min(pause * 2, _LONGEST_PAUSE)

    def _busy_timeout_ms(self) -> int:
        # SQLite's own wait per try: short enough that the retries fit in busy_wait.
        return max(1, min(1_000, int(self.busy_wait * 1000 / 4)))

    def _fail_all(self, jobs: list[_Job[Any]], exc: BaseException) -> None:
        if isinstance(exc, sqlite3.Error):
            log_failure(exc, writing=True)
        for job in jobs:
            # Each caller gets its own exception object (they are raised in different tasks).
            job.fail(_chained(exc) if isinstance(exc, sqlite3.Error) else exc)

    def _refuse_all(self, exc: sqlite3.Error) -> None:
        while (job := self._jobs.get()) is not None:
            job.fail(_chained(exc))
            self._outbox.flush()
        self._closed = True


def _chained(exc: sqlite3.Error) -> BaseException:
    error = storage_error(exc, writing=True)
    error.__cause__ = exc
    return error


def _rollback_quietly(conn: sqlite3.Connection) -> None:
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error as exc:  # the connection is unusable; the next BEGIN will say so
        log.warning("ROLLBACK failed: %s", exc)
