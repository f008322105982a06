"""Tests for loading packs: the shipped content, and every broken file reported at once."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.content import ContentError, load_library
from bot.content.check import check_content
from bot.engine.problems import Kind
from bot.settings import SHIPPED_CONTENT_DIR
from tests.conftest import AnnealCli
from tests.engine.conftest import make_problem


def write_pack(directory: Path, pack_id: str, *problems: dict[str, Any]) -> Path:
    path = directory / f"{pack_id}.yaml"
    data = {
        "id": pack_id,
        "title": pack_id.title(),
        "description": "A pack for tests.",
        "badge": {"name": f"{pack_id} master", "emoji": "🏅"},
        "problems": list(problems),
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def pack_directory(tmp_path: Path, pack_id: str, *problems: dict[str, Any]) -> Path:
    """A new content directory in `tmp_path` holding one pack of these problems."""
    directory = tmp_path / "content"
    directory.mkdir()
    write_pack(directory, pack_id, *problems)
    return directory


def test_shipped_content_loads() -> None:
    """The packs that ship with Anneal load, and the first pack covers all five kinds."""
    library = load_library(SHIPPED_CONTENT_DIR)
    master = library.pack("lr-scheduler-master")
    assert master.badge.name == "Learning Rate Scheduler Master"
    assert len(master.problems) >= 15
    assert {p.kind for p in master.problems} == set(Kind)


def write_broken_packs(directory: Path) -> None:
    """`good.yaml` (problem `fine`), plus a pack with a wrong answer letter and a non-YAML file."""
    write_pack(directory, "good", make_problem("fine"))
    write_pack(directory, "bad-answer", make_problem("x", answer="E"))
    (directory / "not-yaml.yaml").write_text("id: [unclosed", encoding="utf-8")


def test_strict_loading_reports_every_broken_file(tmp_path: Path) -> None:
    """Strictly, two broken files give two named errors, not just the first."""
    write_broken_packs(tmp_path)
    with pytest.raises(ContentError) as caught:
        load_library(tmp_path, strict=True)
    text = "\n".join(caught.value.problems)
    assert "bad-answer.yaml: problem 'x' answer" in text
    assert "not-yaml.yaml: cannot read" in text
    assert "good.yaml" not in text


def test_broken_files_are_logged_and_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """At start-up each broken file is logged with its name and reason; the others load."""
    write_broken_packs(tmp_path)
    with caplog.at_level(logging.WARNING, logger="anneal.content"):
        library = load_library(tmp_path)
    assert list(library.packs) == ["good"]
    assert library.find_problem("fine") is not None
    skipped = [r.getMessage() for r in caplog.records if r.name == "anneal.content"]
    assert len(skipped) == 2
    assert any("bad-answer.yaml" in line and "answer" in line for line in skipped)
    assert any("not-yaml.yaml" in line and "cannot read" in line for line in skipped)
    assert any("bad-answer.yaml: problem 'x' answer" in line for line in library.skipped)


def test_nothing_valid_to_load_is_still_an_error(tmp_path: Path) -> None:
    """When every file is broken there is nothing to play: ContentError names each one."""
    write_pack(tmp_path, "bad-answer", make_problem("x", answer="E"))
    with pytest.raises(ContentError, match=r"bad-answer.yaml: problem 'x' answer"):
        load_library(tmp_path)


def test_problem_ids_are_unique_across_packs(tmp_path: Path) -> None:
    """The same problem id in two packs is refused strictly, naming both files."""
    write_pack(tmp_path, "one", make_problem("shared"))
    write_pack(tmp_path, "two", make_problem("shared"))
    with pytest.raises(ContentError, match=r"two.yaml: problem id 'shared' is also used in one"):
        load_library(tmp_path, strict=True)


def test_a_file_reusing_ids_is_skipped_whole(tmp_path: Path) -> None:
    """The later file that reuses a problem or pack id is left out, not half-loaded."""
    write_pack(tmp_path, "one", make_problem("shared"))
    write_pack(tmp_path, "two", make_problem("shared"), make_problem("own"))
    again = write_pack(tmp_path, "three", make_problem("third"))
    again.write_text(again.read_text(encoding="utf-8").replace("id: three", "id: one"), "utf-8")
    library = load_library(tmp_path)
    assert list(library.packs) == ["one"]
    assert library.find_problem("own") is None
    assert library.find_problem("third") is None
    assert any("pack id 'one' is also used by one.yaml" in line for line in library.skipped)


def test_content_check_still_fails_on_a_skipped_file(tmp_path: Path) -> None:
    """`anneal content check` fails naming the broken file that start-up would skip."""
    write_broken_packs(tmp_path)
    report = check_content(tmp_path)  # stops at loading: no torch is started
    assert not report.ok
    assert any(f.startswith("bad-answer.yaml: problem 'x' answer") for f in report.failures)


def test_anneal_play_starts_with_the_valid_packs(tmp_path: Path, anneal_cli: AnnealCli) -> None:
    """`anneal play --list` lists the shipped packs beside a broken one, naming it on stderr."""
    content = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT_DIR, content)
    (content / "broken.yaml").write_text("id: [unclosed", encoding="utf-8")
    done = anneal_cli("play", "--list", env={"ANNEAL_CONTENT_DIR": str(content)})
    assert done.returncode == 0, done.stderr
    assert "lr-scheduler-master" in done.stdout
    assert "broken.yaml" in done.stderr
    checked = anneal_cli("content", "check", str(content))
    assert checked.returncode == 1
    assert "broken.yaml: cannot read" in checked.stderr


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    """A wrong ANNEAL_CONTENT_DIR says which directory it looked in."""
    with pytest.raises(ContentError, match="content directory not found"):
        load_library(tmp_path / "nowhere")


def test_find_problem_by_id(tmp_path: Path) -> None:
    """Problems are found by id across packs (for `!run <problem-id>`)."""
    write_pack(tmp_path, "one", make_problem("alpha"))
    write_pack(tmp_path, "two", make_problem("beta"))
    library = load_library(tmp_path)
    found = library.find_problem("beta")
    assert found is not None
    assert found[0].id == "two"
    assert library.find_problem("gamma") is None


def test_a_problem_needs_a_subject(tmp_path: Path) -> None:
    """A problem without `subject:` is refused, naming the problem and the field."""
    untagged = make_problem("untagged")
    del untagged["subject"]
    stray = make_problem("stray", subject=["CyclicLR"])  # not among its schedulers
    write_pack(tmp_path, "tags", untagged, stray)
    with pytest.raises(ContentError) as caught:
        load_library(tmp_path)
    text = "\n".join(caught.value.problems)
    assert "tags.yaml: problem 'untagged' subject: Field required" in text
    assert "subject names CyclicLR, which `schedulers` lacks" in text


def test_every_shipped_problem_names_its_subject() -> None:
    """Each shipped problem teaches one or two schedulers, all of them in `schedulers`."""
    for _, problem in load_library(SHIPPED_CONTENT_DIR).problems():
        assert 1 <= len(problem.subject) <= 2
        assert set(problem.subject) <= set(problem.schedulers)
