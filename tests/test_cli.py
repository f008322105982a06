"""Tests for the `anneal` command's top level: what it runs with and without a token."""

from __future__ import annotations

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
