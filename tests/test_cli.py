"""Tests for the `anneal` command's top level: what it runs with and without a token."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from bot.engine.session import Attempt
from bot.storage import Database


def anneal(
    tmp_path: Path, *args: str, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "ANNEAL_DATABASE": str(tmp_path / "cli.db"), **env}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )


def test_without_token_it_says_so_and_plays_in_the_terminal(tmp_path: Path) -> None:
    """No DISCORD_TOKEN: the main command explains and starts terminal play."""
    done = anneal(tmp_path, stdin="q\n", DISCORD_TOKEN="")
    assert done.returncode == 0, done.stderr
    assert "No DISCORD_TOKEN is configured" in done.stdout
    assert "Problem 1/" in done.stdout


def test_bot_without_token_is_a_clear_error(tmp_path: Path) -> None:
    """`anneal bot` needs a token and says where to put it."""
    done = anneal(tmp_path, "bot", DISCORD_TOKEN="")
    assert done.returncode == 2
    assert "DISCORD_TOKEN is not set" in done.stderr


def test_play_list_shows_the_packs(tmp_path: Path) -> None:
    """`anneal play --list` lists every pack with its size."""
    done = anneal(tmp_path, "play", "--list")
    assert done.returncode == 0
    assert "lr-scheduler-master" in done.stdout


def test_content_check_of_a_missing_directory(tmp_path: Path) -> None:
    """Checking a directory that does not exist fails with a readable reason."""
    done = anneal(tmp_path, "content", "check", str(tmp_path / "missing"))
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


def test_db_check_of_a_healthy_database(tmp_path: Path) -> None:
    """`anneal db check` says the standings match the answers, and exits 0."""
    _database_with_answers(tmp_path / "cli.db")
    done = anneal(tmp_path, "db", "check")
    assert done.returncode == 0, done.stderr
    assert "match the 3 answers" in done.stdout


def test_db_check_names_each_difference_and_repair_fixes_it(tmp_path: Path) -> None:
    """Standings edited behind storage's back: check exits 1 naming the row; --repair
    rebuilds them, and a check afterwards passes."""
    path = tmp_path / "cli.db"
    _database_with_answers(path)
    with closing(sqlite3.connect(path)) as raw, raw:
        raw.execute("UPDATE standing_totals SET points = 999 WHERE user_id = 11")
        raw.execute("DELETE FROM active_days WHERE user_id = 10")

    done = anneal(tmp_path, "db", "check")
    assert done.returncode == 1
    assert "guild 1, user 11, all time: kept points=999" in done.stderr
    assert "the answers give points=100" in done.stderr
    assert "guild 1, user 11, week of 1969-12-29: kept points=999" in done.stderr
    assert "guild 1, user 10, active day 1970-01-01: missing" in done.stderr
    assert "--repair" in done.stderr

    repaired = anneal(tmp_path, "db", "check", "--repair")
    assert repaired.returncode == 0, repaired.stderr
    assert "now match" in repaired.stdout
    assert anneal(tmp_path, "db", "check").returncode == 0


def test_db_check_without_a_database(tmp_path: Path) -> None:
    """Checking a database file that does not exist is a clear error, and creates nothing."""
    done = anneal(tmp_path, "db", "check")
    assert done.returncode == 2
    assert "there is no database at" in done.stderr
    assert not (tmp_path / "cli.db").exists()
