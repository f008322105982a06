"""`anneal content stats`: how the packs cover subjects, schedulers, kinds and levels."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bot.content.loader import ContentLibrary
from bot.engine.problems import Kind, Level
from bot.runner import SCHEDULER_NAMES

# The 15 schedulers of torch.optim.lr_scheduler and SWALR (torch.optim.swa_utils): what
# the packs teach (SCHEDULER_NAMES holds SWALR too since `!run` runs it).
SUBJECT_NAMES: tuple[str, ...] = tuple(sorted({*SCHEDULER_NAMES, "SWALR"}))

# What a course needs at least; shortfalls are flagged in the table.
MIN_PER_SUBJECT = 6  # problems that teach a scheduler (issue #13)
MIN_PER_SCHEDULER = 3  # problems that mention it, as the subject or in an option (issue #5)
MIN_PER_KIND = 10


@dataclass(frozen=True)
class Coverage:
    """How many problems teach each scheduler, mention it, and fall in each kind and level."""

    problems: int
    packs: int
    by_subject: Counter[str]
    by_scheduler: Counter[str]
    by_kind: Counter[Kind]
    by_level: Counter[Level]
    by_pack: dict[str, int]

    @property
    def subject_shortfalls(self) -> list[str]:
        """The schedulers that fewer problems teach than a course needs."""
        return [
            f"{name}: the subject of {self.by_subject[name]} problem(s), want {MIN_PER_SUBJECT}"
            for name in SUBJECT_NAMES
            if self.by_subject[name] < MIN_PER_SUBJECT
        ]

    @property
    def shortfalls(self) -> list[str]:
        """The schedulers mentioned, and the kinds used, less often than a course needs."""
        short = [
            f"{name}: mentioned in {self.by_scheduler[name]} problem(s), want {MIN_PER_SCHEDULER}"
            for name in SCHEDULER_NAMES
            if self.by_scheduler[name] < MIN_PER_SCHEDULER
        ]
        short += [
            f"{kind.value}: {self.by_kind[kind]} problem(s), want {MIN_PER_KIND}"
            for kind in Kind
            if self.by_kind[kind] < MIN_PER_KIND
        ]
        return short


def coverage(library: ContentLibrary) -> Coverage:
    """Count the library's problems by subject, scheduler, kind, level and pack."""
    by_subject: Counter[str] = Counter()
    by_scheduler: Counter[str] = Counter()
    by_kind: Counter[Kind] = Counter()
    by_level: Counter[Level] = Counter()
    total = 0
    for _, problem in library.problems():
        total += 1
        by_subject.update(set(problem.subject))
        by_scheduler.update(set(problem.schedulers))
        by_kind[problem.kind] += 1
        by_level[problem.level] += 1
    by_pack = {pack.id: len(pack.problems) for pack in library.packs.values()}
    return Coverage(total, len(library.packs), by_subject, by_scheduler, by_kind, by_level, by_pack)


def render(cov: Coverage) -> str:
    """The coverage as the table `anneal content stats` prints."""
    lines = [f"{cov.problems} problems in {cov.packs} packs", ""]
    lines += _table("pack", "problems", cov.by_pack.items())
    lines += _subject_table(cov)
    lines += _table("kind", "problems", ((k.value, cov.by_kind[k]) for k in Kind), MIN_PER_KIND)
    lines += _table("level", "problems", ((lv.value, cov.by_level[lv]) for lv in Level))
    short = cov.subject_shortfalls + cov.shortfalls
    if short:
        lines += ["Below target:", *(f"  {s}" for s in short)]
    else:
        lines.append(
            f"Every scheduler is the subject of ≥{MIN_PER_SUBJECT} problems and mentioned in "
            f"≥{MIN_PER_SCHEDULER}; every kind has ≥{MIN_PER_KIND}."
        )
    return "\n".join(lines)


def _subject_table(cov: Coverage) -> list[str]:
    """One row per scheduler: problems that teach it, and problems that mention it at all."""
    out = [f"{'scheduler':<31} {'subject':>7} {'mentioned':>10}"]
    for name in SUBJECT_NAMES:
        flag = "  ← below target" if cov.by_subject[name] < MIN_PER_SUBJECT else ""
        out.append(f"  {name:<29} {cov.by_subject[name]:>7} {cov.by_scheduler[name]:>10}{flag}")
    out.append("")
    return out


def _table(
    title: str, unit: str, rows: Iterable[tuple[str, int]], mark: int | None = None
) -> list[str]:
    out = [f"{title:<28} {unit:>8}"]
    for name, count in rows:
        flag = "  ← below target" if mark is not None and count < mark else ""
        out.append(f"  {name:<26} {count:>8}{flag}")
    out.append("")
    return out
