"""The layering of DESIGN.md, checked: the bot process never imports torch or matplotlib,
the engine, storage, runner language and the features' plain rules never import discord,
and the features are coupled only through `common/` and each other's plain modules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

FEATURES = Path(__file__).resolve().parents[1] / "bot" / "features"


def imported_after(statement: str) -> set[str]:
    """Top-level module names loaded by running `statement` in a fresh interpreter."""
    report = "import sys; print(' '.join({m.split('.')[0] for m in sys.modules}))"
    code = f"{statement}\n{report}"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return set(done.stdout.split())


def imports_of(path: Path) -> set[str]:
    """The modules `path` imports (`from a.b import c` counts as a.b and a.b.c)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def feature_of(module: str) -> str | None:
    """`run` for `bot.features.run.cog`; None outside the feature packages."""
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["bot", "features"] else None


def test_the_whole_bot_does_not_import_torch_or_matplotlib() -> None:
    """Building every cog loads neither torch nor matplotlib: torch lives in the workers,
    and matplotlib loads on the first chart the bot itself draws (`!stats`, in a thread)."""
    loaded = imported_after(
        "import bot.app, bot.cli, bot.features.challenge.cog, bot.features.run.cog, "
        "bot.features.stats.cog, bot.features.admin.cog, bot.features.help.cog, "
        "bot.features.practice.cog, bot.features.review.cog, bot.features.organiser.cog, "
        "bot.features.learn.cog, bot.features.daily.cog, "
        "bot.features.common.cog, bot.content.generator, bot.runner.pool"
    )
    assert "discord" in loaded  # the statement really imported the bot
    assert "torch" not in loaded
    assert "matplotlib" not in loaded


@pytest.mark.parametrize(
    "module",
    [
        "bot.engine.session",
        "bot.engine.solo",
        "bot.engine.topics",
        "bot.storage",
        "bot.challenges",
        "bot.challenges.daily_turns",
        "bot.engine.daily_choice",
        "bot.challenges.solo",
        "bot.challenges.practice",
        "bot.runner.language",
        "bot.play",
        "bot.play_start",
        "bot.play_profile",
        "bot.features.run.leaks",
        "bot.features.run.limits",
        "bot.features.run.schedules",
        "bot.features.run.request",
        "bot.features.run.variants",
        "bot.features.stats.weeks",
        "bot.features.stats.cooldowns",
        "bot.features.organiser.numbers",
        "bot.features.organiser.export",
        "bot.features.organiser.reading",
        "bot.features.organiser.charts",
    ],
)
def test_core_modules_do_not_import_discord(module: str) -> None:
    """The engine, storage, challenge manager, runner language and the features' plain
    rules are plain Python."""
    loaded = imported_after(f"import {module}")
    assert "bot" in loaded
    assert "discord" not in loaded
    assert "torch" not in loaded


@pytest.mark.parametrize(
    "path", sorted(FEATURES.rglob("*.py")), ids=lambda p: str(p.relative_to(FEATURES))
)
def test_features_import_neither_the_app_nor_another_features_cog(path: Path) -> None:
    """The app imports the features, never the reverse (no cycle); a feature uses another
    one's plain modules or `common/`, never its cog."""
    module = ".".join(path.relative_to(FEATURES.parents[1]).with_suffix("").parts)
    own = feature_of(module)
    imported = imports_of(path)
    assert "bot.app" not in imported
    foreign_cogs = {
        name for name in imported if name.endswith(".cog") and feature_of(name) not in (None, own)
    }
    assert not foreign_cogs, f"{module} imports {foreign_cogs}"
