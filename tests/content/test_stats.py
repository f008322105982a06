"""Tests for `anneal content stats`: coverage counts and the targets of a full course."""

from __future__ import annotations

from pathlib import Path

from bot.content import load_library
from bot.content.stats import coverage, render
from bot.engine.problems import Kind
from bot.runner import SCHEDULER_NAMES
from bot.settings import SHIPPED_CONTENT_DIR
from tests.content.test_loader import write_pack
from tests.engine.conftest import make_problem


def test_counts_and_shortfalls_of_a_small_pack(tmp_path: Path) -> None:
    """A two-problem pack is counted exactly and flagged below every target."""
    write_pack(
        tmp_path,
        "small",
        make_problem("one", schedulers=["StepLR", "StepLR"]),
        make_problem("two", kind="debug", schedulers=["StepLR", "LinearLR"]),
    )
    cov = coverage(load_library(tmp_path))
    assert cov.problems == 2
    assert cov.by_scheduler["StepLR"] == 2  # a name listed twice in one problem counts once
    assert cov.by_kind[Kind.DEBUG] == 1
    assert len(cov.shortfalls) == len(SCHEDULER_NAMES) + len(Kind)
    assert "Below target:" in render(cov)


def test_shipped_content_is_a_full_course() -> None:
    """The shipped packs reach every target: 75+ problems, 5+ packs, 3 a scheduler, 10 a kind."""
    cov = coverage(load_library(SHIPPED_CONTENT_DIR))
    assert cov.problems >= 75
    assert cov.packs >= 5
    assert cov.shortfalls == []
