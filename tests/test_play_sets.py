"""Tests for what `anneal play` deals with no pack named: a newcomer's beginner set from the
shipped packs, then intermediate problems they have not seen, each kept with its game."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.content import ContentLibrary, load_library
from bot.engine.problems import Level
from bot.settings import SHIPPED_CONTENT_DIR
from bot.storage import Database
from tests.engine.conftest import FakeClock
from tests.play_fakes import WAIT, Terminal


@pytest.fixture(scope="module")
def library() -> ContentLibrary:
    """The shipped packs."""
    return load_library(SHIPPED_CONTENT_DIR)


@pytest.fixture
async def terminal(tmp_path: Path, library: ContentLibrary) -> AsyncIterator[Terminal]:
    """`anneal play` over the shipped packs, on a fake clock and a fresh database."""
    async with await Database.open(tmp_path / "play.db") as db:
        yield Terminal(db, FakeClock(), library)


async def levels_of_open_game(terminal: Terminal) -> list[Level]:
    """The levels of the problems of the tester's open game, in play order."""
    stored = await terminal.open_game()
    found = [terminal.library.find_problem(pid) for pid in stored.problem_ids]
    return [hit[1].level for hit in found if hit is not None]


async def test_a_newcomer_gets_five_problems_beginner_then_intermediate(
    terminal: Terminal,
) -> None:
    """No pack named, nothing played: a beginner set, not a whole pack."""
    code, output = await terminal.play("q", pack_id=None, seed=1)
    assert code == 0
    assert "Beginner set · 5 problems · playing as tester" in output
    words = " ".join(output.split())  # the intro is wrapped to the screen
    assert "New here? A short beginner set: 5 problems (3 beginner → 2 intermediate)" in words
    assert "Problem 1/5 · " in output
    assert await levels_of_open_game(terminal) == [Level.BEGINNER] * 3 + [Level.INTERMEDIATE] * 2


async def test_after_the_beginner_set_come_intermediate_problems_not_seen(
    terminal: Terminal,
) -> None:
    """A finished beginner set (even with every problem timed out) leads to an intermediate
    set that says why and shows none of the problems met before."""
    await terminal.play(*[WAIT] * 5, pack_id=None, seed=2)
    first = await terminal.db.games_started_by(0, await terminal.db.local_user("tester"))
    seen = set(first[0].session.problem_ids)
    _, output = await terminal.play("q", pack_id=None, seed=3)
    assert "Intermediate set · 5 problems" in output
    words = " ".join(output.split())  # the intro is wrapped to the screen
    assert (
        "You finished the beginner set, so next come intermediate problems. "
        "Here are 5 intermediate problems you have not seen." in words
    )
    assert await levels_of_open_game(terminal) == [Level.INTERMEDIATE] * 5
    assert not seen & set((await terminal.open_game()).problem_ids)


async def test_a_stopped_beginner_set_is_not_finished(terminal: Terminal) -> None:
    """Closing a beginner set with `n` leaves the player a newcomer: another beginner set."""
    await terminal.play("q", pack_id=None, seed=4)
    _, output = await terminal.play("n", "q", pack_id=None, seed=5)
    assert "Beginner set · 5 problems" in output


async def test_a_set_resumes_from_the_problems_stored_with_it(terminal: Terminal) -> None:
    """The set is kept with its game, so a later `anneal play` continues the same problems."""
    await terminal.play(WAIT, "q", pack_id=None, seed=6)
    dealt = (await terminal.open_game()).problem_ids
    _, output = await terminal.play("", "q", pack_id=None, seed=7)
    assert "You have an unfinished game: Beginner set, 0 of 5 problems answered." in output
    assert "Continue problem 2/5? [Y/n]" in output
    assert (await terminal.open_game()).problem_ids == dealt
    assert await terminal.db.session_pack((await terminal.open_game()).id) is not None
