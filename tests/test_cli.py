"""Tests for the `anneal` command's top level: what it runs with and without a token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


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
