"""Line input for `anneal play`: whole lines with a deadline, from a terminal or a pipe, and
signals (Ctrl-C, the terminal closing) that stop a read at once."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Iterator, Sequence
from typing import Protocol

# Ctrl-C; the terminal window closing; `kill`: each stops the game at once, answers kept.
STOP_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGHUP, signal.SIGTERM)


class Interrupted(Exception):
    """A signal asked the game to stop now."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)

    @property
    def exit_code(self) -> int:
        """The shell's code for a process stopped by this signal: 130 for Ctrl-C."""
        return 128 + self.signum


class Reader(Protocol):
    """Where the game's lines come from (a LineReader, or a script in tests)."""

    @property
    def is_terminal(self) -> bool:
        """A person typing (their keys are echoed already), not a pipe or a file."""
        ...

    async def read_line(self, within: float | None) -> str | None:
        """The next line without its newline, or None after `within` seconds (None: no limit).

        Raises EOFError at the end of the input, Interrupted once a stop signal came.
        """
        ...

    def stopped_by(self) -> contextlib.AbstractContextManager[None]:
        """A block in which the stop signals interrupt the reads (and end the game)."""
        ...


class LineReader:
    """Reads whole lines from a file descriptor on the event loop, so a read can wait for a
    deadline and still end the moment a signal arrives (no thread stuck in a read).

    It keeps its own buffer and reads the descriptor directly, because Python's buffered
    `sys.stdin` may already hold lines that the descriptor no longer shows as readable.
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = b""
        self._eof = False
        self._signum: int | None = None
        self._waiter: asyncio.Future[None] | None = None

    @property
    def is_terminal(self) -> bool:
        """A person typing (their keys are echoed already), not a pipe or a file."""
        return os.isatty(self._fd)

    async def read_line(self, within: float | None) -> str | None:
        """The next line without its newline; None if none came `within` seconds (None: no
        limit); EOFError at the end; Interrupted once `interrupt` was called, even mid-wait."""
        loop = asyncio.get_running_loop()
        deadline = None if within is None else loop.time() + max(within, 0.0)
        while True:
            if self._signum is not None:
                raise Interrupted(self._signum)
            line = self._buffered_line()
            if line is not None:
                return line
            left = None if deadline is None else deadline - loop.time()
            if left is not None and left <= 0:
                return None
            if await self._readable(loop, left):
                self._fill()

    def interrupt(self, signum: int) -> None:
        """Stop the read in progress and every later one (called by the signal handler)."""
        self._signum = signum
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    @contextlib.contextmanager
    def stopped_by(self, signals: Sequence[signal.Signals] = STOP_SIGNALS) -> Iterator[None]:
        """While in the block, `signals` interrupt the reads instead of ending the process
        wherever it is: the read in progress stops, the game saves and says where it was."""
        loop = asyncio.get_running_loop()
        installed = []
        try:
            for signum in signals:
                loop.add_signal_handler(signum, self.interrupt, signum)
                installed.append(signum)
            yield
        finally:
            for signum in installed:
                loop.remove_signal_handler(signum)

    def _buffered_line(self) -> str | None:
        if b"\n" in self._buffer:
            line, _, self._buffer = self._buffer.partition(b"\n")
            return line.decode("utf-8", "replace").rstrip("\r")
        if not self._eof:
            return None
        if self._buffer:  # a last line without its newline
            line, self._buffer = self._buffer, b""
            return line.decode("utf-8", "replace").rstrip("\r")
        raise EOFError

    async def _readable(self, loop: asyncio.AbstractEventLoop, within: float | None) -> bool:
        """Wait until the descriptor has data (or its end), a signal, or `within` seconds."""
        waiter: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            if not waiter.done():
                waiter.set_result(None)

        try:
            loop.add_reader(self._fd, wake)
        except PermissionError:
            return True  # a regular file or /dev/null: always readable, epoll refuses them
        self._waiter = waiter
        try:
            async with asyncio.timeout(within):
                await waiter
        except TimeoutError:
            return False
        finally:
            self._waiter = None
            loop.remove_reader(self._fd)
        return self._signum is None

    def _fill(self) -> None:
        chunk = os.read(self._fd, 4096)  # the descriptor is readable: this does not block
        if not chunk:
            self._eof = True
        self._buffer += chunk
