"""Tests for `anneal play --mode race`: the race's scoring against a fake clock, one final
answer per problem, no hints, the time running out, and a paused race resumed as a race."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import LOCAL_GUILD_ID, Database, SessionMode
from tests.conftest import AnnealCli
from tests.engine.conftest import FakeClock
from tests.play_fakes import WAIT, Terminal, library_of
from tests.test_play import THREE

T = 20.0  # each problem's time in these races
RACE = SessionMode.RACE


def formula(taken: float) -> int:
    """The issue's race formula for a right answer `taken` seconds in."""
    return round(1000 * (1 - taken / (2 * T)))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """The terminal's database."""
    async with await Database.open(tmp_path / "race.db") as database:
        yield database


@pytest.fixture
def terminal(db: Database) -> Terminal:
    """`anneal play` over the three-problem pack `tiny` (answers B, C, D), on a fake clock
    where each typed line takes one second."""
    return Terminal(db, FakeClock(), library_of(THREE))


async def test_a_race_scores_speed_and_answers_in_a_row(terminal: Terminal, db: Database) -> None:
    """Three right answers a second in each: the formula plus +0, +100, +200, stored as a
    race in the profile's totals."""
    code, output = await terminal.play("B", "C", "D", mode=RACE, race_seconds=T)
    assert code == 0
    assert "A race: 3 problems, 20 s each, one answer each." in output
    assert "(A-D, q = quit)" in output
    assert "h = hint" not in output
    assert f"✅ Correct! +{formula(1.0):,} points ({formula(1.0)} for 1.0 s)" in output
    second = f"+{formula(1.0) + 100:,} points ({formula(1.0)} for 1.0 s, +100 for 2 in a row)"
    assert second in output
    user = await db.local_user("tester")
    (totals,) = await db.mode_totals(LOCAL_GUILD_ID, user)
    assert totals.mode is RACE
    assert totals.points == 3 * formula(1.0) + 100 + 200


async def test_a_wrong_answer_is_final_and_there_is_no_hint(terminal: Terminal) -> None:
    """h is refused; a wrong pick ends the problem at once and breaks the run."""
    _, output = await terminal.play("h", "A", "C", "D", mode=RACE, race_seconds=T)
    assert "There are no hints in a race" in output
    assert "❌ Not A. In a race that answer is final." in output
    # Problem 2 came right after the wrong pick; a run starts over there.
    assert f"✅ Correct! +{formula(1.0):,} points ({formula(1.0)} for 1.0 s)" in output
    assert "3 problems · playing as tester" in output


async def test_time_running_out_ends_the_run(terminal: Terminal) -> None:
    """No answer to problem 2 in its 20 s: problem 3's right answer has no streak bonus."""
    _, output = await terminal.play("B", WAIT, "D", mode=RACE, race_seconds=T)
    assert "Time is up!" in output
    assert "for 2 in a row" not in output


async def test_a_paused_race_resumes_as_a_race(terminal: Terminal, db: Database) -> None:
    """q after problem 1; the next `anneal play` continues the race: no hint offered, and
    the run of right answers goes on."""
    await terminal.play("B", "q", mode=RACE, race_seconds=T)
    stored = await terminal.open_game()
    assert stored.mode is RACE
    code, output = await terminal.play("", "C", "D")  # Enter: continue it
    assert code == 0
    assert "h = hint" not in output
    assert f"+{formula(1.0) + 100:,} points" in output


def test_anneal_play_mode_race_from_the_command_line(anneal_cli: AnnealCli) -> None:
    """`anneal play --mode race` with piped answers plays a race of the shipped content."""
    done = anneal_cli(
        "play",
        "--mode",
        "race",
        "--count",
        "2",
        "--seed",
        "1",
        input="A\nB\n",
        env={"DISCORD_TOKEN": ""},
    )
    assert done.returncode == 0, done.stderr
    assert "A race: 2 problems, 20 s each" in done.stdout
    assert "Your answer (A-D, q = quit): A\n" in done.stdout
