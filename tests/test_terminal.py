"""Tests for LineReader: whole lines from a pipe, a timeout, and the end of input."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest

from bot.terminal import LineReader


@pytest.fixture
def pipe() -> Iterator[tuple[LineReader, int]]:
    read_end, write_end = os.pipe()
    yield LineReader(read_end), write_end
    os.close(read_end)
    with contextlib.suppress(OSError):
        os.close(write_end)


def test_lines_written_at_once_come_one_by_one(pipe: tuple[LineReader, int]) -> None:
    """Several lines in one write are returned one per call, without newlines."""
    reader, writer = pipe
    os.write(writer, b"A\r\nh\nB\n")
    assert [reader.read_line(1), reader.read_line(1), reader.read_line(1)] == ["A", "h", "B"]


def test_no_input_times_out(pipe: tuple[LineReader, int]) -> None:
    """With nothing to read, the reader gives up after the timeout and returns None."""
    reader, writer = pipe
    assert reader.read_line(0.05) is None
    os.write(writer, b"partial")
    assert reader.read_line(0.05) is None


def test_end_of_input(pipe: tuple[LineReader, int]) -> None:
    """A last line without newline is returned; then EOFError."""
    reader, writer = pipe
    os.write(writer, b"C")
    os.close(writer)
    assert reader.read_line(1) == "C"
    with pytest.raises(EOFError):
        reader.read_line(1)
