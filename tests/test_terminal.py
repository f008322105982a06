"""Tests for LineReader: whole lines from a pipe, a wait that gives up, the end of input,
and a signal that stops a read at once."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.terminal import Interrupted, LineReader


@pytest.fixture
def pipe() -> Iterator[tuple[LineReader, int]]:
    """A reader on a pipe's read end, and the write end to type into."""
    read_end, write_end = os.pipe()
    yield LineReader(read_end), write_end
    os.close(read_end)
    with contextlib.suppress(OSError):
        os.close(write_end)


async def test_lines_written_at_once_come_one_by_one(pipe: tuple[LineReader, int]) -> None:
    """Several lines in one write are returned one per call, without newlines."""
    reader, writer = pipe
    os.write(writer, b"A\r\nh\nB\n")
    assert [await reader.read_line(1) for _ in range(3)] == ["A", "h", "B"]


async def test_a_line_typed_while_waiting_is_read(pipe: tuple[LineReader, int]) -> None:
    """A read waits for the line to come, in pieces."""
    reader, writer = pipe
    loop = asyncio.get_running_loop()
    loop.call_soon(os.write, writer, b"C")
    loop.call_later(0.01, os.write, writer, b"D\n")
    assert await reader.read_line(None) == "CD"


async def test_no_input_gives_up_after_the_wait(pipe: tuple[LineReader, int]) -> None:
    """With nothing (or half a line) to read, the reader returns None after its wait."""
    reader, writer = pipe
    assert await reader.read_line(0.02) is None
    os.write(writer, b"partial")
    assert await reader.read_line(0.02) is None
    assert await reader.read_line(0) is None


async def test_end_of_input(pipe: tuple[LineReader, int]) -> None:
    """A last line without newline is returned; then EOFError, every time."""
    reader, writer = pipe
    os.write(writer, b"C")
    os.close(writer)
    assert await reader.read_line(1) == "C"
    for _ in range(2):
        with pytest.raises(EOFError):
            await reader.read_line(1)


async def test_an_interrupt_stops_a_waiting_read_at_once(pipe: tuple[LineReader, int]) -> None:
    """A read with no time limit ends with Interrupted when interrupt() is called, and so
    does every later read, even with a line waiting."""
    reader, writer = pipe
    asyncio.get_running_loop().call_soon(reader.interrupt, signal.SIGINT)
    with pytest.raises(Interrupted) as stopped:
        await reader.read_line(None)
    assert stopped.value.exit_code == 130
    os.write(writer, b"B\n")
    with pytest.raises(Interrupted):
        await reader.read_line(1)


async def test_a_real_signal_interrupts_inside_stopped_by(pipe: tuple[LineReader, int]) -> None:
    """SIGINT sent to the process inside `stopped_by` interrupts the read instead of raising
    KeyboardInterrupt; outside the block Ctrl-C raises KeyboardInterrupt again."""
    reader, _ = pipe
    with reader.stopped_by():
        asyncio.get_running_loop().call_soon(os.kill, os.getpid(), signal.SIGINT)
        with pytest.raises(Interrupted):
            await reader.read_line(None)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


async def test_a_regular_file_is_read_too(tmp_path: Path) -> None:
    """Answers redirected from a file (which epoll refuses to watch) are read line by line."""
    answers = tmp_path / "answers.txt"
    answers.write_text("A\nq\n")
    fd = os.open(answers, os.O_RDONLY)
    try:
        reader = LineReader(fd)
        assert not reader.is_terminal
        assert [await reader.read_line(1), await reader.read_line(1)] == ["A", "q"]
        with pytest.raises(EOFError):
            await reader.read_line(1)
    finally:
        os.close(fd)
