"""Tests for the `anneal` command's top level: what it runs with and without a token."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

from bot.engine.session import Attempt
from bot.storage import Database
from tests.conftest import AnnealCli


def test_without_token_it_says_so_and_plays_in_the_terminal(anneal_cli: AnnealCli) -> None:
    """No DISCORD_TOKEN: the main command explains and starts terminal play."""
    done = anneal_cli(input="q\n", env={"DISCORD_TOKEN": ""})
    assert done.returncode == 0, done.stderr
    assert "No DISCORD_TOKEN is configured" in done.stdout
    assert "Problem 1/" in done.stdout


def test_bot_without_token_is_a_clear_error(anneal_cli: AnnealCli) -> None:
    """`anneal bot` needs a token and says where to put it."""
    done = anneal_cli("bot", env={"DISCORD_TOKEN": ""})
    assert done.returncode == 2
    assert "DISCORD_TOKEN is not set" in done.stderr


def test_play_list_shows_the_packs(anneal_cli: AnnealCli) -> None:
    """`anneal play --list` lists every pack with its size."""
    done = anneal_cli("play", "--list")
    assert done.returncode == 0
    assert "lr-scheduler-master" in done.stdout


def test_content_check_of_a_missing_directory(anneal_cli: AnnealCli) -> None:
    """Checking a directory that does not exist fails with a readable reason."""
    done = anneal_cli("content", "check", str(anneal_cli.workdir / "missing"))
    assert done.returncode == 1
    assert "content directory not found" in done.stderr


def _database_with_answers(path: Path) -> None:
    """A database with one guild where two members answered (built through storage)."""

    async def build() -> None:
        async with await Database.open(path) as db:
            await db.upsert_guild(1, "Study group")
            await db.upsert_user(10, "ada")
            session = await db.create_session(1, 100, "basics", ["p1", "p2"], 10, 1000.0)
            await db.save_attempt(session, Attempt(10, "p1", "B", False, 1, 0, 1010.0))
            await db.save_attempt(session, Attempt(10, "p1", "A", True, 2, 50, 1020.0))
            await db.save_attempt(
                session, Attempt(11, "p2", "A", True, 1, 100, 1030.0), display_name="bob"
            )

    asyncio.run(build())


def test_db_check_of_a_healthy_database(anneal_cli: AnnealCli) -> None:
    """`anneal db check` says the standings match the answers, and exits 0."""
    _database_with_answers(anneal_cli.database)
    done = anneal_cli("db", "check")
    assert done.returncode == 0, done.stderr
    assert "match the 3 answers" in done.stdout


def test_db_check_names_each_difference_and_repair_fixes_it(anneal_cli: AnnealCli) -> None:
    """Standings edited behind storage's back: check exits 1 naming the row; --repair
    rebuilds them, and a check afterwards passes."""
    path = anneal_cli.database
    _database_with_answers(path)
    with closing(sqlite3.connect(path)) as raw, raw:
        raw.execute("UPDATE standing_totals SET points = 999 WHERE user_id = 11")
        raw.execute("DELETE FROM active_days WHERE user_id = 10")

    done = anneal_cli("db", "check")
    assert done.returncode == 1
    assert "guild 1, user 11, all time: kept points=999" in done.stderr
    assert "the answers give points=100" in done.stderr
    assert "guild 1, user 11, week of 1969-12-29: kept points=999" in done.stderr
    assert "guild 1, user 10, active day 1970-01-01: missing" in done.stderr
    assert "--repair" in done.stderr

    repaired = anneal_cli("db", "check", "--repair")
    assert repaired.returncode == 0, repaired.stderr
    assert "now match" in repaired.stdout
    assert anneal_cli("db", "check").returncode == 0


def test_db_check_without_a_database(anneal_cli: AnnealCli) -> None:
    """Checking a database file that does not exist is a clear error, and creates nothing."""
    done = anneal_cli("db", "check")
    assert done.returncode == 2
    assert "there is no database at" in done.stderr
    assert not anneal_cli.database.exists()
