"""Line input with a deadline, for `anneal play` in a terminal or with answers piped in."""

from __future__ import annotations

import os
import select
import time


class LineReader:
    """Reads whole lines from a file descriptor, waiting at most a given time for each.

    It keeps its own buffer and reads the descriptor directly, because `select` cannot
    see lines that Python's buffered `sys.stdin` has already pulled out of a pipe.
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = b""
        self._eof = False

    @property
    def is_terminal(self) -> bool:
        """A person typing (their keys are echoed already), not a pipe or a file."""
        return os.isatty(self._fd)

    def read_line(self, timeout: float) -> str | None:
        """The next line without its newline; None on timeout; raises EOFError at the end."""
        deadline = time.monotonic() + max(timeout, 0.0)
        while b"\n" not in self._buffer:
            if self._eof:
                if self._buffer:
                    line, self._buffer = self._buffer, b""
                    return line.decode("utf-8", "replace")
                raise EOFError
            ready, _, _ = select.select([self._fd], [], [], max(deadline - time.monotonic(), 0.0))
            if not ready:
                return None
            chunk = os.read(self._fd, 4096)
            if not chunk:
                self._eof = True
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode("utf-8", "replace").rstrip("\r")
