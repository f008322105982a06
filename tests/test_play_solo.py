"""Tests for `anneal play --mode practice|review`: untimed runs with verdicts at once, a miss
that comes back in review once due, nothing due, q and Ctrl-C, and the game prompt left alone."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.engine.topics import Topics
from bot.play_solo import SoloRequest, play_solo
from bot.storage import Database, SessionMode
from tests.engine.conftest import FakeClock, make_pack, make_problem
from tests.play_fakes import CTRL_C, ScriptedReader, Step, Terminal, library_of

# Two StepLR problems (answers B then C, easiest first) and one of another scheduler.
PACK = make_pack(
    make_problem("s1", answer="B"),
    make_problem("s2", answer="C", level="intermediate"),
    make_problem("c1", answer="D", subject=["CosineAnnealingLR"], schedulers=["CosineAnnealingLR"]),
)
LIBRARY = library_of(PACK)
REVIEW_FIRST_STEP = 600.0  # the default review steps: a miss is due 10 minutes later


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """The terminal's database, with the default review steps."""
    async with await Database.open(tmp_path / "solo.db") as database:
        yield database


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock: nothing sleeps."""
    return FakeClock()


async def run_solo(
    db: Database, clock: FakeClock, mode: SessionMode, *script: Step, topic: str | None = None
) -> tuple[int, str]:
    """One `anneal play --mode ...` as the profile `tester`; its exit code and output."""
    out = io.StringIO()
    chosen = Topics(LIBRARY.packs).resolve(topic) if topic is not None else None
    request = SoloRequest("tester", mode, count=2, topic=chosen)
    reader = ScriptedReader(clock, *script)
    code = await play_solo(db, LIBRARY, request, reader, out, clock)
    return code, out.getvalue()


async def test_practice_miss_comes_back_in_review_once_due(db: Database, clock: FakeClock) -> None:
    """StepLR practice, right then wrong: verdicts with why-nots at once; the miss is due
    in review only after ten minutes, and review plays exactly it."""
    code, output = await run_solo(db, clock, SessionMode.PRACTICE, "B", "A", topic="steplr")
    assert code == 0
    assert "Practice: StepLR · 2 problems" in output
    assert "Problem s1" in output
    assert "Problem s2" in output
    assert "Problem c1" not in output
    assert "✅ Right!" in output
    assert "❌ Not A." in output
    assert "The answer is C) three" in output
    assert "  Not D: wrong" in output  # why each other option is wrong, at once
    assert "Practice: StepLR: 1/2 right" in output
    assert "1 missed problem comes back in `anneal play --mode review`" in output

    code, early = await run_solo(db, clock, SessionMode.REVIEW)
    assert code == 0
    assert "Nothing is due for review right now" in early
    assert "1 problem queued" in early

    clock.advance(REVIEW_FIRST_STEP + 1)
    code, review = await run_solo(db, clock, SessionMode.REVIEW, "C")
    assert code == 0
    assert "Review: what you missed · 1 problem" in review
    assert "Problem s2" in review
    assert "Problem s1" not in review
    assert "Review: what you missed: 1/1 right" in review


async def test_review_with_nothing_due_says_when_and_how_many(
    db: Database, clock: FakeClock
) -> None:
    """An empty queue says so; a queued miss says when it is due and how many wait."""
    _, empty = await run_solo(db, clock, SessionMode.REVIEW)
    assert "your queue is empty" in empty
    await run_solo(db, clock, SessionMode.PRACTICE, "A", "q", topic="StepLR")
    clock.advance(60)
    _, waiting = await run_solo(db, clock, SessionMode.REVIEW)
    # The miss was stored one typed second in, so 539 s remain: shown as 9 minutes.
    assert waiting.strip() == (
        "Nothing is due for review right now; the next is due in 9m; 1 problem queued."
    )


async def test_q_and_ctrl_c_end_the_run_with_its_answers_kept(
    db: Database, clock: FakeClock
) -> None:
    """`q` ends the run (exit 0), Ctrl-C too (exit 130); what was answered is summed up."""
    code, output = await run_solo(db, clock, SessionMode.PRACTICE, "B", "q", topic="StepLR")
    assert code == 0
    assert "Practice: StepLR: 1/1 right (of 2)" in output
    code, output = await run_solo(db, clock, SessionMode.PRACTICE, CTRL_C, topic="StepLR")
    assert code == 130
    assert "no problem answered this time" in output
    assert await db.open_sessions() == []
    user = await db.local_user("tester")
    assert len(await db.solo_recent(user)) == 1


async def test_a_practice_run_is_not_offered_as_the_game_to_continue(
    db: Database, clock: FakeClock
) -> None:
    """A practice run killed outright stays open in its own channel: `anneal play` starts
    its game without asking to continue it."""

    class Killed(BaseException):
        """The process dies between two reads."""

    class DyingReader(ScriptedReader):
        async def read_line(self, within: float | None) -> str | None:
            raise Killed

    request = SoloRequest("tester", SessionMode.PRACTICE, count=2)
    with pytest.raises(Killed):
        await play_solo(db, LIBRARY, request, DyingReader(clock), io.StringIO(), clock)
    assert len(await db.open_sessions([SessionMode.PRACTICE])) == 1
    terminal = Terminal(db, clock, LIBRARY)
    _, output = await terminal.play("B", "C", "D")
    assert "unfinished game" not in output
    assert "Tiny pack" in output
