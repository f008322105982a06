"""Load every pack file of a content directory, reporting every broken file at once.

At start-up a broken file is logged and skipped, so one bad edit never takes the bot (or
`anneal play`) down with it; `anneal content check` loads strictly and fails on it.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.engine.problems import Pack, Problem

PACK_SUFFIXES = (".yaml", ".yml")
MAX_GENERATED = 64
DEFAULT_PACK = "lr-scheduler-master"  # played when no pack is named
# The pack bot.content.generator makes on demand; it is in no file, and new every time.
FRESH_PACK_ID: Final = "fresh"

log = logging.getLogger("anneal.content")
Model = TypeVar("Model", bound=BaseModel)


class ContentError(Exception):
    """Content that cannot be used; `problems` lists each one as `file: where: what`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class ContentLibrary:
    """All packs of a content directory, with their problems findable by id."""

    packs: dict[str, Pack]
    sources: dict[str, Path]  # pack id -> the file it came from
    # Packs generated while running (`fresh`), newest last, so `!run <problem-id>` finds
    # their problems too. Bounded: old ones are forgotten.
    generated: deque[Pack] = field(default_factory=lambda: deque(maxlen=MAX_GENERATED))
    # What was wrong with each pack file left out at load time, as `file: where: what`.
    skipped: tuple[str, ...] = ()

    def pack(self, pack_id: str) -> Pack:
        """The pack with this id (KeyError if none)."""
        return self.packs[pack_id]

    def default_pack(self) -> Pack:
        """The pack to play when none is named: the master pack, else the first one."""
        return self.packs.get(DEFAULT_PACK) or next(iter(self.packs.values()))

    def remember_generated(self, pack: Pack) -> None:
        """Keep a generated pack, so its problems can be found by id for a while."""
        self.generated.append(pack)

    def find_problem(self, problem_id: str) -> tuple[Pack, Problem] | None:
        """The problem with this id and its pack, shipped or recently generated."""
        for pack in [*self.packs.values(), *reversed(self.generated)]:
            for problem in pack.problems:
                if problem.id == problem_id:
                    return pack, problem
        return None

    def problems(self) -> Iterator[tuple[Pack, Problem]]:
        """Every shipped problem with its pack, in pack order."""
        for pack in self.packs.values():
            for problem in pack.problems:
                yield pack, problem


def pack_files(directory: Path) -> list[Path]:
    """The pack files (*.yaml, *.yml) of a content directory, sorted by name."""
    return sorted(p for p in directory.iterdir() if p.suffix in PACK_SUFFIXES and p.is_file())


def load_library(directory: Path, *, strict: bool = False) -> ContentLibrary:
    """Load and validate every pack in `directory`, skipping (and logging) each broken file.

    A file is broken when it does not validate, or reuses a pack or problem id that an
    earlier file (by name) already has. With `strict`, any broken file raises ContentError
    naming every problem instead. Without it, ContentError is raised only when nothing is
    left to play: no directory, no pack files, or no valid pack.
    """
    if not directory.is_dir():
        raise ContentError([f"{directory}: content directory not found"])
    files = pack_files(directory)
    if not files:
        raise ContentError([f"{directory}: no pack files (*.yaml) found"])
    errors: list[str] = []
    packs: dict[str, Pack] = {}
    sources: dict[str, Path] = {}
    problem_homes: dict[str, Path] = {}
    for path in files:
        try:
            pack = load_pack(path)
            _check_ids_are_new(path, pack, sources, problem_homes)
        except ContentError as exc:
            errors.extend(exc.problems)
            if not strict:
                log.warning("skipped pack file %s: %s", path, "; ".join(exc.problems))
            continue
        packs[pack.id] = pack
        sources[pack.id] = path
        problem_homes.update(dict.fromkeys((problem.id for problem in pack.problems), path))
    if errors and (strict or not packs):
        raise ContentError(errors)
    return ContentLibrary(packs, sources, skipped=tuple(errors))


def _check_ids_are_new(
    path: Path, pack: Pack, sources: dict[str, Path], problem_homes: dict[str, Path]
) -> None:
    """ContentError if the pack's id or any problem id is already taken by an earlier file."""
    if pack.id in sources:
        raise ContentError(
            [f"{path.name}: pack id {pack.id!r} is also used by {sources[pack.id].name}"]
        )
    reused = [
        f"{path.name}: problem id {problem.id!r} is also used in {problem_homes[problem.id].name}"
        for problem in pack.problems
        if problem.id in problem_homes
    ]
    if reused:
        raise ContentError(reused)


def load_pack(path: Path) -> Pack:
    """One pack file, validated; ContentError names the file and every problem in it."""
    return load_model(path, Pack, "a pack file must be a mapping with id, title, ...")


def load_model(path: Path, model: type[Model], shape: str) -> Model:
    """One YAML file validated as `model`; ContentError names the file and every field wrong.

    `shape` says what the file should look like, for a file that is not a mapping.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ContentError([f"{path.name}: cannot read: {_first_line(exc)}"]) from exc
    if not isinstance(raw, dict):
        raise ContentError([f"{path.name}: {shape}"])
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ContentError(
            [f"{path.name}: {_where(raw, error['loc'])}: {error['msg']}" for error in exc.errors()]
        ) from exc


def _where(raw: dict[str, Any], loc: tuple[int | str, ...]) -> str:
    """Turn ('problems', 3, 'answer') into "problem 'steplr-basics' answer"."""
    if len(loc) >= 2 and loc[0] == "problems" and isinstance(loc[1], int):
        problems = raw.get("problems")
        name = f"#{loc[1] + 1}"
        if isinstance(problems, list) and loc[1] < len(problems):
            entry = problems[loc[1]]
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                name = repr(entry["id"])
        rest = ".".join(str(part) for part in loc[2:])
        return f"problem {name}" + (f" {rest}" if rest else "")
    return ".".join(str(part) for part in loc) or "pack"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
