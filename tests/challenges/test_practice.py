"""Tests for bot.challenges.practice: which problems a practice run gets, in which order."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable, Collection
from pathlib import Path

import pytest

from bot.challenges.practice import PracticeSource
from bot.engine.problems import Pack
from bot.engine.topics import Topics, UnknownTopic
from bot.storage import Database, SessionMode, SessionStatus
from tests.engine.conftest import make_pack, make_problem

BOB, DM_BOB = 2, 902
LEVELS = ("beginner", "intermediate", "advanced", "expert")


def ladder() -> Pack:
    """Eight StepLR problems, two per level: b1 b2 (beginner), i1 i2, a1 a2, e1 e2."""
    return make_pack(
        *(make_problem(f"{level[0]}{n}", level=level) for level in LEVELS for n in (1, 2))
    )


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A database with Bob."""
    async with await Database.open(tmp_path / "practice.db") as database:
        await database.upsert_user(BOB, "bob")
        yield database


def source(db: Database, in_play: Callable[[], Collection[str]] = frozenset) -> PracticeSource:
    """StepLR practice over the ladder, with a seeded shuffle."""
    topics = Topics({"tiny": ladder()})
    topic = topics.resolve("StepLR")
    return PracticeSource(db, topics, topic, rng=random.Random(4), in_play=in_play)


async def practised(db: Database, problem_ids: list[str], at: float) -> None:
    """Bob answered these problems alone, in this order, from `at` on."""
    session = await db.create_session(
        0, DM_BOB, "StepLR", problem_ids, BOB, at, mode=SessionMode.PRACTICE
    )
    for n, problem_id in enumerate(problem_ids):
        await db.record_attempt(session, BOB, problem_id, "A", False, 1, 0, at + n)
    await db.end_session(session, SessionStatus.FINISHED, at + len(problem_ids))


async def test_the_easiest_level_comes_first(db: Database) -> None:
    """All eight: beginner, intermediate, advanced, expert, in that order of levels."""
    chosen = await source(db).pick(BOB, 20)
    assert [p.level.value for p in chosen.problems] == [level for level in LEVELS for _ in (1, 2)]
    assert chosen.label == "StepLR"
    assert chosen.generated is None


async def test_problems_never_practised_come_before_those_seen(db: Database) -> None:
    """Bob practised six of the eight: the two he never saw come first."""
    await practised(db, ["b1", "b2", "i1", "i2", "a1", "e1"], at=1000.0)
    chosen = await source(db).pick(BOB, 2)
    assert {p.id for p in chosen.problems} == {"a2", "e2"}


async def test_among_those_seen_the_longest_ago_come_first(db: Database) -> None:
    """All seen: the three answered longest ago are picked, then shown easiest first."""
    await practised(db, ["e1", "a2", "b1"], at=1000.0)
    await practised(db, ["b2", "i1", "i2", "a1", "e2"], at=2000.0)
    chosen = await source(db).pick(BOB, 3)
    assert [p.id for p in chosen.problems] == ["b1", "a2", "e1"]


async def test_problems_in_play_in_a_challenge_are_left_out(db: Database) -> None:
    """A problem a live challenge has not revealed is never practised meanwhile."""
    in_play = {"b1", "b2", "i1"}
    chosen = await source(db, in_play=lambda: in_play).pick(BOB, 20)
    assert len(chosen.problems) == 5
    assert not in_play & {p.id for p in chosen.problems}


async def test_a_topic_wholly_in_play_says_so(db: Database) -> None:
    """Every problem of the topic in a challenge: a clear refusal, not an empty run."""
    everything = {p.id for p in ladder().problems}
    with pytest.raises(UnknownTopic, match="in a challenge right now"):
        await source(db, in_play=lambda: everything).pick(BOB, 5)


async def test_fresh_problems_are_generated_and_kept_for_a_restart(db: Database) -> None:
    """`fresh` asks the generator for the count (at most 10) and keeps its pack."""
    asked: list[int] = []

    async def generate(count: int) -> Pack:
        asked.append(count)
        return make_pack(*(make_problem(f"gen-{n}") for n in range(count)))

    topics = Topics({"tiny": ladder()}, fresh=True)
    fresh = PracticeSource(db, topics, topics.resolve("fresh"), fresh=generate)
    chosen = await fresh.pick(BOB, 15)
    assert asked == [10]
    assert chosen.generated is not None
    assert [p.id for p in chosen.problems] == [p.id for p in chosen.generated.problems]


async def test_fresh_without_the_runner_is_refused(db: Database) -> None:
    """No generator: `fresh` says the torch workers are off."""
    topics = Topics({"tiny": ladder()}, fresh=True)
    with pytest.raises(UnknownTopic, match="torch workers"):
        await PracticeSource(db, topics, topics.resolve("fresh")).pick(BOB, 5)
