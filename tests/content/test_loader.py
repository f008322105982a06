"""Tests for loading packs: the shipped content, and every broken file reported at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.content import ContentError, load_library
from bot.engine.problems import Kind
from bot.settings import SHIPPED_CONTENT_DIR
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


def test_shipped_content_loads() -> None:
    """The packs that ship with Anneal load, and the first pack covers all five kinds."""
    library = load_library(SHIPPED_CONTENT_DIR)
    master = library.pack("lr-scheduler-master")
    assert master.badge.name == "Learning Rate Scheduler Master"
    assert len(master.problems) >= 15
    assert {p.kind for p in master.problems} == set(Kind)


def test_every_broken_file_is_reported(tmp_path: Path) -> None:
    """Two broken files give two named errors, not just the first."""
    write_pack(tmp_path, "good", make_problem("fine"))
    write_pack(tmp_path, "bad-answer", make_problem("x", answer="E"))
    (tmp_path / "not-yaml.yaml").write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_library(tmp_path)
    text = "\n".join(caught.value.problems)
    assert "bad-answer.yaml: problem 'x' answer" in text
    assert "not-yaml.yaml: cannot read" in text
    assert "good.yaml" not in text


def test_problem_ids_are_unique_across_packs(tmp_path: Path) -> None:
    """The same problem id in two packs is refused, naming both files."""
    write_pack(tmp_path, "one", make_problem("shared"))
    write_pack(tmp_path, "two", make_problem("shared"))
    with pytest.raises(ContentError, match=r"two.yaml: problem id 'shared' is also used in one"):
        load_library(tmp_path)


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
