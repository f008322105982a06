"""`!stats export`: a server's attempts as CSV files that fit Discord's upload limit.

Rows arrive in batches and are written to a spooled temporary file (memory first, then
disk), so a big server's history is never held as one string. When it is done, the CSV
is sent as it is if it fits the limit, else gzip-compressed, and split into parts of whole
rows (each a complete .csv.gz with the header) if even that does not fit. Past
`max_parts` the export stops and says up to which answer it goes. Plain Python: the
gzip step costs real CPU on a big server, so the cog runs `finish` in a thread.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO

from bot.storage import ExportedAttempt

COLUMNS = (
    "session",
    "mode",
    "member_id",
    "display_name",
    "problem",
    "option",
    "correct",
    "attempt",
    "points",
    "answered_at",  # last: a line's time is what follows its last comma
)
MAX_PARTS = 5  # one message each; about 3 million attempts at the 10 MiB limit
SPOOL_BYTES = 4 * 1024 * 1024  # in memory up to this, then a temporary file
BLOCK_BYTES = 64 * 1024  # rows are compressed in blocks of about this much CSV
# Room left in each part for the rest of the request (the message, multipart framing).
REQUEST_SLACK = 64 * 1024
MIN_LIMIT = 16 * 1024
_GZIP_OVERHEAD = 32  # gzip header and trailer, rounded up
# Spreadsheets run a cell that starts with these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def iso_time(at: float) -> str:
    """A unix time as ISO 8601 in UTC, to the millisecond."""
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds")


def safe_text(text: str) -> str:
    """A member's text made safe for a spreadsheet: one line, never read as a formula."""
    one_line = " ".join(text.split())
    return "'" + one_line if one_line.startswith(_FORMULA_STARTS) else one_line


def csv_row(attempt: ExportedAttempt) -> list[str | int]:
    """The attempt as one CSV row, in the order of COLUMNS."""
    return [
        attempt.session_id,
        attempt.mode,
        attempt.user_id,
        safe_text(attempt.display_name),
        attempt.problem_id,
        attempt.option,
        int(attempt.correct),
        attempt.attempt_number,
        attempt.points,
        iso_time(attempt.answered_at),
    ]


@dataclass(frozen=True)
class ExportFile:
    """One attachment: its file name and bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Export:
    """What an export made: the files to send, and how much of the history they hold."""

    files: tuple[ExportFile, ...]
    rows: int  # attempts read
    rows_written: int  # attempts in the files (fewer only when it ran out of parts)
    compressed: bool
    last_written_at: str | None  # the ISO time of the last attempt in the files

    @property
    def complete(self) -> bool:
        """Whether every attempt read is in the files."""
        return self.rows_written == self.rows


class ExportBuilder:
    """Collects attempts as CSV; `finish` turns them into files of at most `limit` bytes."""

    def __init__(self, stem: str, *, limit: int, max_parts: int = MAX_PARTS) -> None:
        if limit < MIN_LIMIT:
            raise ValueError(f"an export part needs at least {MIN_LIMIT} bytes")
        self.stem = stem
        self.limit = limit
        self.max_parts = max_parts
        self.rows = 0
        # Kept open across add() calls and closed by finish()/close(): no `with` fits.
        self._spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
        self._text = io.TextIOWrapper(self._spool, encoding="utf-8", newline="")
        self._csv = csv.writer(self._text, lineterminator="\n")
        self._csv.writerow(COLUMNS)
        self._text.flush()
        self._header_bytes = self._spool.tell()

    @property
    def room(self) -> int:
        """The most bytes one file may have: the limit less room for the rest of the request."""
        return self.limit - min(REQUEST_SLACK, self.limit // 8)

    def add(self, attempts: Iterable[ExportedAttempt]) -> None:
        """Append attempts (a batch from storage) to the CSV."""
        for attempt in attempts:
            self._csv.writerow(csv_row(attempt))
            self.rows += 1

    def close(self) -> None:
        """Drop what was written (`finish` closes too; closing twice is harmless)."""
        self._text.close()

    def finish(self) -> Export:
        """The files: the CSV if it fits, else gzip parts. Closes the builder."""
        self._text.flush()
        size = self._spool.tell()
        self._spool.seek(0)
        try:
            if size <= self.room:
                data = self._spool.read()
                last = _time_of(data.rstrip(b"\n").rsplit(b"\n", 1)[-1]) if self.rows else None
                name = f"{self.stem}.csv"
                return Export((ExportFile(name, data),), self.rows, self.rows, False, last)
            return self._compressed()
        finally:
            self._text.close()

    def _compressed(self) -> Export:
        header = self._spool.readline()
        room = self.room
        block_bytes = min(BLOCK_BYTES, room // 8)
        parts: list[bytes] = []
        part = _GzipPart(header)
        written = 0
        last_line = b""
        block: list[bytes] = []
        block_size = 0

        def flush_block() -> bool:
            """Put the block in the current part or a new one; False when out of parts."""
            nonlocal part, written, last_line, block, block_size
            data = b"".join(block)
            if not part.fits(data, room):
                if len(parts) + 1 >= self.max_parts:
                    return False
                parts.append(part.close())
                part = _GzipPart(header)
            part.add(data)
            written += len(block)
            last_line = block[-1]
            block, block_size = [], 0
            return True

        for line in self._spool:
            block.append(line)
            block_size += len(line)
            if block_size >= block_bytes and not flush_block():
                block = []
                break
        if block:
            flush_block()
        parts.append(part.close())
        files: tuple[ExportFile, ...]
        if len(parts) == 1:
            files = (ExportFile(f"{self.stem}.csv.gz", parts[0]),)
        else:
            total = len(parts)
            files = tuple(
                ExportFile(f"{self.stem}-part{number}-of-{total}.csv.gz", data)
                for number, data in enumerate(parts, 1)
            )
        last = _time_of(last_line) if written else None
        return Export(files, self.rows, written, True, last)


class _GzipPart:
    """One .csv.gz being written, whose exact size is known after every block."""

    def __init__(self, header: bytes) -> None:
        self._compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # 31: a gzip container
        self._chunks: list[bytes] = []
        self.size = 0
        self.add(header)

    def fits(self, data: bytes, room: int) -> bool:
        """Whether `data` surely fits: deflate's worst case is the data plus a little."""
        worst = len(data) + len(data) // 1000 + 64
        return self.size + worst + _GZIP_OVERHEAD <= room

    def add(self, data: bytes) -> None:
        """Compress `data` and flush, so `size` is exact."""
        for chunk in (self._compressor.compress(data), self._compressor.flush(zlib.Z_SYNC_FLUSH)):
            self._chunks.append(chunk)
            self.size += len(chunk)

    def close(self) -> bytes:
        """The finished .csv.gz."""
        self._chunks.append(self._compressor.flush())
        return b"".join(self._chunks)


def _time_of(line: bytes) -> str:
    """The answered_at of a CSV line (its last field)."""
    return line.rstrip(b"\n").rsplit(b",", 1)[-1].decode()
