"""Today's daily problem of a server (or of the terminal, guild 0): chosen once, by the
engine's rule (bot/engine/daily_choice.py), and kept in the day's claimed row.

The choice is made only by the holder of the day's claim and stored before anything is
posted, so a process that takes a claim over (or the terminal, later the same day) plays
the same problem. A generated problem is kept as its JSON, since it is in no pack file.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import date

from bot.content import ContentLibrary
from bot.content.generator import GenerationError, Runner, fresh_pack, generate_problem
from bot.content.generator.templates import TEMPLATES
from bot.engine.daily_choice import NO_REPEAT_DAYS, ShownDaily, choose_daily
from bot.engine.daily_times import day_from_number, day_number
from bot.engine.problems import Kind, Pack, Problem
from bot.runner import RunError
from bot.storage import DailyChoiceRecord, DailyClaim, DailyRecord, Database

log = logging.getLogger("anneal.daily")

# Makes one predict-the-output problem teaching the named scheduler, with an id not in
# the given ones (torch in a worker; tests pass a fake).
GenerateProblem = Callable[[str, random.Random, Collection[str]], Awaitable[Problem]]
#: The schedulers the generator has a template for.
GENERATABLE: frozenset[str] = frozenset(template.name for template in TEMPLATES)


@dataclass(frozen=True)
class DailyProblem:
    """A day's problem and the pack it is played from (a generated one has its own)."""

    pack: Pack
    problem: Problem
    generated: bool = False

    def record(self) -> DailyChoiceRecord:
        """How the day's row keeps it."""
        return DailyChoiceRecord(
            pack_id=self.pack.id,
            problem_id=self.problem.id,
            kind=self.problem.kind.value,
            subject=tuple(self.problem.subject),
            problem_json=self.problem.model_dump_json() if self.generated else None,
        )


def generator_on(runner: Runner) -> GenerateProblem:
    """Generating with `runner`'s torch workers, for the scheduler the rule names."""
    templates = {template.name: template for template in TEMPLATES}

    async def generate(scheduler: str, rng: random.Random, taken: Collection[str]) -> Problem:
        return await generate_problem(runner, rng, templates[scheduler], taken)

    return generate


class DailyPicker:
    """Chooses a day's problem from the shipped packs, or has one generated."""

    def __init__(self, library: ContentLibrary, generate: GenerateProblem | None = None) -> None:
        self.library = library
        self.generate = generate  # None: shipped problems only (torch is off)

    async def choose(self, db: Database, guild_id: int, day: date) -> DailyProblem:
        """The problem the rule picks for the server's `day`, given its past daily problems.

        The random choices are seeded with the server and the day: asked again, it picks
        the same. A generated problem that cannot be made gives way to a shipped one.
        """
        history = await db.daily_history(guild_id, day_number(day) - NO_REPEAT_DAYS)
        shown = [_shown(record) for record in history if record.choice is not None]
        candidates = [(pack.id, problem) for pack, problem in self.library.problems()]
        rng = random.Random(f"daily:{guild_id}:{day.isoformat()}")
        generatable = GENERATABLE if self.generate is not None else frozenset()
        choice = choose_daily(candidates, shown, day, rng, generatable=generatable)
        if choice.generate is not None and self.generate is not None:
            taken = {entry.problem_id for entry in shown}
            try:
                problem = await self.generate(choice.generate, rng, taken)
            except (GenerationError, RunError) as exc:
                log.warning(
                    "daily problem of %d: generating failed (%s); a shipped one", guild_id, exc
                )
            else:
                return DailyProblem(fresh_pack([problem]), problem, generated=True)
            choice = choose_daily(candidates, shown, day, rng)
        assert choice.problem is not None
        assert choice.pack_id is not None
        return DailyProblem(self.library.pack(choice.pack_id), choice.problem)

    def problem_of(self, choice: DailyChoiceRecord) -> DailyProblem | None:
        """A chosen day's problem again: a generated one from its JSON, a shipped one from
        its pack (None if the packs no longer have it)."""
        if choice.problem_json is not None:
            problem = Problem.model_validate_json(choice.problem_json)
            return DailyProblem(fresh_pack([problem]), problem, generated=True)
        pack = self.library.packs.get(choice.pack_id)
        found = (
            next((p for p in pack.problems if p.id == choice.problem_id), None) if pack else None
        )
        return None if pack is None or found is None else DailyProblem(pack, found)

    async def for_claim(self, db: Database, claim: DailyClaim, owner: str) -> DailyProblem | None:
        """The claimed day's problem: the one chosen before (by an earlier holder), else a
        new choice kept in the row first. None if the claim was lost meanwhile, or the
        problem chosen before is gone from the packs."""
        record = claim.record
        if record.choice is not None:
            return self.problem_of(record.choice)
        daily = await self.choose(db, record.guild_id, day_from_number(record.day))
        kept = await db.record_daily_choice(record.guild_id, record.day, owner, daily.record())
        if kept is None or kept.choice is None:
            return None
        return daily if kept.choice == daily.record() else self.problem_of(kept.choice)


def _shown(record: DailyRecord) -> ShownDaily:
    choice = record.choice
    assert choice is not None  # only chosen days are history
    return ShownDaily(
        day=day_from_number(record.day),
        problem_id=choice.problem_id,
        kind=Kind(choice.kind),
        subject=choice.subject,
        generated=choice.generated,
    )
