"""`anneal content stats`: how the packs cover schedulers, kinds and levels."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bot.content.loader import ContentLibrary
from bot.engine.problems import Kind, Level
from bot.runner import SCHEDULER_NAMES

# What a course needs at least (issue #5); shortfalls are flagged in the table.
MIN_PER_SCHEDULER = 3
MIN_PER_KIND = 10


@dataclass(frozen=True)
class Coverage:
    problems: int
    packs: int
    by_scheduler: Counter[str]
    by_kind: Counter[Kind]
    by_level: Counter[Level]
    by_pack: dict[str, int]

    @property
    def shortfalls(self) -> list[str]:
        short = [
            f"{name}: {self.by_scheduler[name]} problem(s), want {MIN_PER_SCHEDULER}"
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
    by_scheduler: Counter[str] = Counter()
    by_kind: Counter[Kind] = Counter()
    by_level: Counter[Level] = Counter()
    total = 0
    for _, problem in library.problems():
        total += 1
        by_scheduler.update(set(problem.schedulers))
        by_kind[problem.kind] += 1
        by_level[problem.level] += 1
    by_pack = {pack.id: len(pack.problems) for pack in library.packs.values()}
    return Coverage(total, len(library.packs), by_scheduler, by_kind, by_level, by_pack)


def render(cov: Coverage) -> str:
    lines = [f"{cov.problems} problems in {cov.packs} packs", ""]
    lines += _table("pack", cov.by_pack.items())
    lines += _table(
        "scheduler", ((n, cov.by_scheduler[n]) for n in SCHEDULER_NAMES), MIN_PER_SCHEDULER
    )
    lines += _table("kind", ((k.value, cov.by_kind[k]) for k in Kind), MIN_PER_KIND)
    lines += _table("level", ((lv.value, cov.by_level[lv]) for lv in Level))
    if cov.shortfalls:
        lines += ["Below target:", *(f"  {s}" for s in cov.shortfalls)]
    else:
        lines.append(
            f"Every scheduler has ≥{MIN_PER_SCHEDULER} problems and every kind ≥{MIN_PER_KIND}."
        )
    return "\n".join(lines)


def _table(title: str, rows: Iterable[tuple[str, int]], mark: int | None = None) -> list[str]:
    out = [f"{title:<28} problems"]
    for name, count in rows:
        flag = "  ← below target" if mark is not None and count < mark else ""
        out.append(f"  {name:<26} {count:>8}{flag}")
    out.append("")
    return out
