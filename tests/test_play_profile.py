"""Tests for `anneal profile`: a local profile's totals, badges, modes and recent games, and
the one-line errors when there is no such profile or no database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.engine.session import Attempt
from bot.play_profile import UnknownProfile, profile_text
from bot.storage import Database
from tests.conftest import AnnealCli
from tests.engine.conftest import FakeClock, make_pack, make_problem
from tests.play_fakes import Terminal, library_of

PACK = make_pack(make_problem("p1"), make_problem("p2", answer="C", level="intermediate"))


@pytest.fixture
async def terminal(tmp_path: Path) -> AsyncIterator[Terminal]:
    """`anneal play` of a two-problem pack (answers B, C) on a fake clock."""
    async with await Database.open(tmp_path / "play.db") as db:
        yield Terminal(db, FakeClock(), library_of(PACK))


def today(terminal: Terminal) -> date:
    """The fake clock's day (UTC), for the day streak."""
    return date.fromtimestamp(terminal.clock())


async def test_the_profile_shows_totals_badges_modes_and_games(terminal: Terminal) -> None:
    """A won game and a paused one: points, accuracy, the badge, the challenge line, both
    games (latest first) and how to continue the unfinished one."""
    await terminal.play("B", "C")
    await terminal.play("A", "q")
    text = await profile_text(
        terminal.db, terminal.library, "tester", today(terminal), continue_command="anneal play"
    )
    lines = text.splitlines()
    assert lines[0] == "tester · local profile (terminal)"
    assert lines[1] == "  200 points · 3 answered · 67% right · day streak 1"
    assert lines[2].startswith("  Badges: 🏅 Tiny Master (")
    assert lines[3:5] == ["  By mode:", "    challenge  200 points · 3 answered · 2 right (67%)"]
    assert lines[5] == "  Recent games:"
    assert lines[6].endswith("Tiny pack  1/2 answered · 0 right · 0 points · unfinished")
    assert lines[7].endswith("Tiny pack  2/2 answered · 2 right · 200 points · finished")
    assert lines[8] == "  Your unfinished game waits: `anneal play` continues it."


async def test_a_profile_with_no_answers_says_how_to_start(terminal: Terminal) -> None:
    """A profile that only quit at once: no totals, no badges, the first step."""
    await terminal.play("q")
    text = await profile_text(terminal.db, terminal.library, "tester", today(terminal))
    assert "No answers yet: `anneal play` starts with a short beginner set." in text
    assert "Badges: none yet" in text
    assert "By mode" not in text


async def test_an_unknown_profile_names_the_ones_there_are(terminal: Terminal) -> None:
    """Asking for a name nobody played under lists the profiles, and creates none."""
    await terminal.play("q")
    with pytest.raises(UnknownProfile, match=r"no local profile 'ada' \(the profiles here: tester"):
        await profile_text(terminal.db, terminal.library, "ada", today(terminal))
    assert await terminal.db.local_profile_names() == ["tester"]


def test_cli_profile_reads_the_database(anneal_cli: AnnealCli) -> None:
    """`anneal profile --name` in a real process: a paused game of basics, with its title
    and how to continue it."""

    async def pause_a_game() -> None:
        async with await Database.open(anneal_cli.database) as db:
            user = await db.local_user("cli")
            session = await db.create_session(0, user, "basics", ["p1", "p2"], user, 1000.0)
            await db.save_attempt(session, Attempt(user, "p1", "B", True, 1, 100, 1001.0))

    asyncio.run(pause_a_game())
    shown = anneal_cli("profile", "--name", "cli")
    assert shown.returncode == 0, shown.stderr
    assert "cli · local profile (terminal)" in shown.stdout
    assert "100 points · 1 answered · 100% right" in shown.stdout
    assert "Scheduler Basics  1/2 answered · 1 right · 100 points · unfinished" in shown.stdout
    assert "`anneal play --profile cli` continues it" in shown.stdout


def test_cli_profile_without_a_database_is_one_line(anneal_cli: AnnealCli) -> None:
    """No database yet: one line saying so and how to make one; nothing is created."""
    done = anneal_cli("profile")
    assert done.returncode == 2
    assert done.stderr.startswith("anneal: no games yet: there is no database at")
    assert len(done.stderr.splitlines()) == 1
    assert not anneal_cli.database.exists()
