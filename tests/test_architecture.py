"""The layering of DESIGN.md, checked: the bot process never imports torch or matplotlib,
and the engine, storage and runner language never import discord."""

from __future__ import annotations

import subprocess
import sys

import pytest


def imported_after(statement: str) -> set[str]:
    """Top-level module names loaded by running `statement` in a fresh interpreter."""
    report = "import sys; print(' '.join({m.split('.')[0] for m in sys.modules}))"
    code = f"{statement}\n{report}"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return set(done.stdout.split())


def test_the_whole_bot_does_not_import_torch_or_matplotlib() -> None:
    """Building every cog loads neither torch nor matplotlib: they live in the workers."""
    loaded = imported_after(
        "import bot.app, bot.cli, bot.features.challenge.cog, bot.features.run.cog, "
        "bot.features.stats.cog, bot.features.admin.cog, bot.features.help.cog, "
        "bot.content.generator, bot.runner.pool"
    )
    assert "discord" in loaded  # the statement really imported the bot
    assert "torch" not in loaded
    assert "matplotlib" not in loaded


@pytest.mark.parametrize(
    "module",
    ["bot.engine.session", "bot.storage", "bot.challenges", "bot.runner.language", "bot.play"],
)
def test_core_modules_do_not_import_discord(module: str) -> None:
    """The engine, storage, challenge manager and runner language are plain Python."""
    loaded = imported_after(f"import {module}")
    assert "bot" in loaded
    assert "discord" not in loaded
    assert "torch" not in loaded
