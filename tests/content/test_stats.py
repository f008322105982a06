"""Tests for `anneal content stats`: coverage counts and the targets of a full course."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.content import load_library
from bot.content.stats import MIN_PER_SUBJECT, SUBJECT_NAMES, coverage, render
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
    assert len(cov.subject_shortfalls) == len(SUBJECT_NAMES)
    assert "Below target:" in render(cov)


def test_subjects_are_counted_apart_from_the_options(tmp_path: Path) -> None:
    """A scheduler named only among the options is mentioned, not taught."""
    write_pack(
        tmp_path,
        "subjects",
        make_problem("cyclic", schedulers=["CyclicLR", "OneCycleLR"], subject=["CyclicLR"]),
        make_problem(
            "both", schedulers=["SequentialLR", "LinearLR"], subject=["SequentialLR", "LinearLR"]
        ),
        make_problem("swa", schedulers=["SWALR"], subject=["SWALR"]),
    )
    cov = coverage(load_library(tmp_path))
    assert cov.by_subject["CyclicLR"] == 1
    assert cov.by_subject["OneCycleLR"] == 0
    assert cov.by_scheduler["OneCycleLR"] == 1
    assert cov.by_subject["LinearLR"] == cov.by_subject["SequentialLR"] == 1
    assert cov.by_subject["SWALR"] == 1
    table = render(cov)
    assert "SWALR" in table
    assert f"OneCycleLR: the subject of 0 problem(s), want {MIN_PER_SUBJECT}" in table


def test_the_subject_table_lists_all_sixteen_schedulers() -> None:
    """SWALR is a subject beside the 15 schedulers of torch.optim.lr_scheduler."""
    assert set(SUBJECT_NAMES) == {*SCHEDULER_NAMES, "SWALR"}
    assert len(SUBJECT_NAMES) == 16


def test_shipped_content_is_a_full_course() -> None:
    """The shipped packs reach every target: 130+ problems, 5+ packs, each of the 16
    schedulers the subject of 6+, 3 mentioning each scheduler, 10 of each kind."""
    cov = coverage(load_library(SHIPPED_CONTENT_DIR))
    assert cov.problems >= 130
    assert cov.packs >= 5
    assert cov.shortfalls == []
    assert sum(cov.by_subject.values()) >= cov.problems  # every problem teaches something
    # Issue 13: SWALR beside the 15 of lr_scheduler, each taught (not just offered) by 6+.
    taught = {name: cov.by_subject[name] for name in SUBJECT_NAMES}
    assert len(taught) == 16
    assert {name: count for name, count in taught.items() if count < 6} == {}
    assert MIN_PER_SUBJECT >= 6
    assert cov.subject_shortfalls == []


def test_cli_prints_subjects(capsys: pytest.CaptureFixture[str]) -> None:
    """`anneal content stats DIR` prints the subject column for the shipped packs."""
    assert main(["content", "stats", str(SHIPPED_CONTENT_DIR)]) == 0
    out = capsys.readouterr().out
    assert "subject" in out
    assert "mentioned" in out
