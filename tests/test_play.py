"""Tests for `anneal play`: a whole game driven through piped answers, and what it stores."""

from __future__ import annotations

import io
import os
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.content import load_library
from bot.engine.problems import Pack, Problem
from bot.engine.scoring import HINT_COST, POINTS_BY_ATTEMPT
from bot.play import play_pack
from bot.settings import SHIPPED_CONTENT_DIR
from bot.storage import LOCAL_GUILD_ID, Database
from bot.terminal import LineReader
from tests.conftest import AnnealCli
from tests.engine.conftest import make_pack, make_problem

MASTER = "lr-scheduler-master"


def today() -> date:
    return datetime.now(UTC).date()


def wrong_letter(pack: Pack, index: int) -> str:
    problem = pack.problems[index]
    return next(letter for letter in problem.options if letter != problem.answer)


async def play_with_input(
    pack: Pack, db: Database, lines: list[str], *, close: bool = True, time_scale: float = 1.0
) -> str:
    read_end, write_end = os.pipe()
    os.write(write_end, "".join(f"{line}\n" for line in lines).encode())
    if close:
        os.close(write_end)
    out = io.StringIO()
    try:
        await play_pack(
            pack, db, "tester", LineReader(read_end), out, time.time, time_scale=time_scale
        )
    finally:
        os.close(read_end)
        if not close:
            os.close(write_end)
    return out.getvalue()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """The terminal's database, closed after the test (its threads stop with it)."""
    async with await Database.open(tmp_path / "play.db") as database:
        yield database


async def test_perfect_game_earns_the_badge_and_is_stored(db: Database) -> None:
    """Right answers all the way: full points, the badge announced, and every attempt saved."""
    pack = load_library(SHIPPED_CONTENT_DIR).pack(MASTER)
    output = await play_with_input(pack, db, [p.answer for p in pack.problems])
    assert f"You earned the badge “{pack.badge.name}”" in output
    assert f"{len(pack.problems)}/{len(pack.problems)} correct" in output
    user = await db.local_user("tester")
    profile = await db.profile(LOCAL_GUILD_ID, user, today=today())
    assert profile.correct == len(pack.problems)
    assert profile.points == POINTS_BY_ATTEMPT[0] * len(pack.problems)
    assert [b.badge for b in profile.badges] == [pack.badge.name]
    await db.close()


async def test_wrong_then_hint_then_right(db: Database) -> None:
    """A wrong pick leaves an attempt; the hint is shown and costs points; no badge is lost."""
    pack = make_pack(make_problem("only", answer="C", hint="Think of C."))
    output = await play_with_input(pack, db, ["A", "A", "h", "c"])
    assert "Not A. 1 attempt left." in output
    assert "You already tried A" in output
    assert "💡 Think of C." in output
    assert f"+{POINTS_BY_ATTEMPT[1] - HINT_COST} points" in output
    assert await db.open_sessions() == []  # the game closed its session
    await db.close()


async def test_used_up_attempts_reveal_the_answer(db: Database) -> None:
    """Two wrong picks end the problem and show the answer with every why-not."""
    pack = make_pack(make_problem("only", answer="B"))
    output = await play_with_input(pack, db, ["A", "C", "B"])
    assert "No attempts left." in output
    assert "The answer is B) two" in output
    assert output.count("Not ") >= 3  # "Not C." feedback plus a why-not per wrong option
    assert "needs every problem right" in output
    await db.close()


async def test_end_of_input_stops_and_keeps_answers(db: Database) -> None:
    """Input ending mid-game stops it; the answers given so far are in the database."""
    pack = load_library(SHIPPED_CONTENT_DIR).pack(MASTER)
    output = await play_with_input(pack, db, [pack.problems[0].answer, wrong_letter(pack, 1)])
    assert "Every answer you gave so far is saved." in output
    user = await db.local_user("tester")
    profile = await db.profile(LOCAL_GUILD_ID, user, today=today())
    assert profile.answered == 2
    assert profile.correct == 1
    await db.close()


async def test_a_miss_in_the_terminal_enters_the_review_queue(db: Database) -> None:
    """The terminal's wrong answer is queued for review, due one first step after it."""
    pack = make_pack(make_problem("p1", answer="C"), make_problem("p2", answer="B"))
    before = time.time()
    await play_with_input(pack, db, ["A", "C", "B"])
    [entry] = await db.review_entries(await db.local_user("tester"))
    assert (entry.problem_id, entry.pack_id, entry.problem_json) == ("p1", "tiny", None)
    assert entry.due_at is not None
    assert entry.due_at - entry.moved_at == db.review_steps.intervals[0]
    assert entry.moved_at >= before


async def test_a_missed_generated_problem_is_kept_for_review(db: Database) -> None:
    """A `fresh` pack is in no file: the terminal keeps it, so its misses can be shown later."""
    generated = make_problem("fresh-steplr-1a2b3c4d", answer="D", code="print(0.1)")
    pack = make_pack(generated).model_copy(update={"id": "fresh"})
    await play_with_input(pack, db, ["A", "B"])
    [entry] = await db.review_entries(await db.local_user("tester"))
    assert entry.problem_json is not None
    assert Problem.model_validate_json(entry.problem_json) == pack.problems[0]


async def test_time_limit_is_enforced(db: Database) -> None:
    """With no answer before the deadline the problem times out and is revealed."""
    pack = make_pack(make_problem("slow", time_limit=10))
    output = await play_with_input(pack, db, [], close=False, time_scale=0.01)
    assert "Time is up!" in output
    assert "The answer is B" in output
    await db.close()


def test_cli_plays_piped_answers(anneal_cli: AnnealCli) -> None:
    """`anneal play` in a real process, answers on stdin, results in ANNEAL_DATABASE."""
    pack = load_library(SHIPPED_CONTENT_DIR).pack(MASTER)
    answers = "".join(f"{p.answer}\n" for p in pack.problems)
    done = anneal_cli(
        "play", "--pack", MASTER, "--profile", "cli", input=answers, env={"DISCORD_TOKEN": ""}
    )
    assert done.returncode == 0, done.stderr
    assert f"Problem {len(pack.problems)}/{len(pack.problems)}" in done.stdout
    assert pack.badge.name in done.stdout
    assert anneal_cli.database.exists()


def test_cli_unknown_pack_is_one_clear_line(anneal_cli: AnnealCli) -> None:
    """An unknown pack id names the packs there are, without a traceback."""
    done = anneal_cli("play", "--pack", "nope")
    assert done.returncode == 2
    assert "there is no pack 'nope'" in done.stderr
    assert MASTER in done.stderr
    assert "Traceback" not in done.stderr
