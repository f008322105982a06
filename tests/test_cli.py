"""Tests for the `anneal` command's top level: what it runs with and without a token."""

from __future__ import annotations

import asyncio
import logging
import shutil
import socket
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.engine.session import Attempt
from bot.runner.sandbox import modes_to_try
from bot.storage import Database
from tests.conftest import AnnealCli
from tests.e2e.fake_discord import FakeDiscord


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


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.torch  # the bot starts warming torch workers before it logs in
@pytest.mark.parametrize(
    ("api", "says"),
    [
        (
            "refused",
            "cannot reach Discord at 127.0.0.1 (connection refused): check the internet "
            "connection and ANNEAL_DISCORD_API",
        ),
        (
            "http://anneal-test.invalid/api/v10",
            "cannot reach Discord at anneal-test.invalid "
            "(the name anneal-test.invalid does not resolve)",
        ),
    ],
)
def test_bot_that_cannot_reach_discord_says_so_in_one_line(
    anneal_cli: AnnealCli, api: str, says: str
) -> None:
    """No route to Discord (a closed port, a name that does not resolve): one line saying
    what to check, exit 2, no traceback."""
    url = f"http://127.0.0.1:{closed_port()}/api/v10" if api == "refused" else api
    done = anneal_cli("bot", env={"DISCORD_TOKEN": "abc", "ANNEAL_DISCORD_API": url})
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1].startswith(f"anneal: {says}")


@pytest.mark.torch
async def test_bot_with_a_wrong_token_or_a_failing_discord_says_so(
    anneal_cli: AnnealCli, fake_discord: FakeDiscord
) -> None:
    """Discord refusing the token, then Discord failing (503): each one line, exit 2."""
    env = {"ANNEAL_DISCORD_API": fake_discord.api_base, "DISCORD_TOKEN": "not-the-token"}
    wrong = await anneal_cli.start("bot", env=env)
    output, _ = await asyncio.wait_for(wrong.communicate(), timeout=60)
    assert wrong.returncode == 2
    assert (
        output.decode().splitlines()[-1] == "anneal: Discord refused the token: check DISCORD_TOKEN"
    )

    fake_discord.inject_error("GET", "/users/@me", status=503, message="Service Unavailable")
    failing = await anneal_cli.start("bot", env={**env, "DISCORD_TOKEN": fake_discord.token})
    output, _ = await asyncio.wait_for(failing.communicate(), timeout=60)
    assert failing.returncode == 2
    last = output.decode().splitlines()[-1]
    assert last.startswith("anneal: Discord answered 503")
    assert "try again later" in last
    assert "Traceback" not in output.decode()


def test_missing_bubblewrap_is_an_info_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Without bwrap the runner says so at info level: in the bot's log (which logs info),
    not on every command line run (Python prints only warnings when nothing is set up)."""
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with caplog.at_level(logging.DEBUG, logger="anneal.runner"):
        assert modes_to_try("auto") == ["rlimits"]
    (notice,) = [r for r in caplog.records if "bubblewrap" in r.getMessage()]
    assert notice.levelno == logging.INFO


@pytest.mark.torch
def test_anneal_run_prints_the_rates_and_nothing_about_the_sandbox(anneal_cli: AnnealCli) -> None:
    """`anneal run` in a real process: the table on stdout, an empty stderr."""
    done = anneal_cli("run", "StepLR(step_size=1, gamma=0.5)", "--steps", "2")
    assert done.returncode == 0, done.stderr
    assert "0.025" in done.stdout
    assert done.stderr == ""
