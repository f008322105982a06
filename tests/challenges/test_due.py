"""The problems a review serves: due entries found in the packs, or rebuilt as stored."""

from __future__ import annotations

from pathlib import Path

from bot.challenges.due import due_problems, problem_of
from bot.content import ContentLibrary, load_library
from bot.engine.problems import Problem
from bot.engine.review import DEFAULT_STEPS, ReviewEntry
from bot.storage import Database
from tests.content.test_loader import write_pack
from tests.engine.conftest import make_pack, make_problem
from tests.storage.seeding import ADA, BOB, CHANNEL, GUILD, T0, answer, seed

FIRST = DEFAULT_STEPS.intervals[0]


def library_of(tmp_path: Path, *problems: Problem) -> ContentLibrary:
    """A content library with one pack, `basics`, of these problems."""
    directory = tmp_path / "content"
    directory.mkdir(exist_ok=True)
    write_pack(
        directory, "basics", *(p.model_dump(mode="json", exclude_none=True) for p in problems)
    )
    return load_library(directory)


def entry(problem_id: str, problem_json: str | None = None) -> ReviewEntry:
    """A due entry of Bob's for the problem."""
    return ReviewEntry(BOB, problem_id, "basics", problem_json, 0, T0, T0, T0, 1, 0)


def test_a_shipped_problem_is_found_in_the_packs_as_it_is_now(tmp_path: Path) -> None:
    """The library's version wins over a stored copy, so corrections reach reviews."""
    corrected = Problem.model_validate(make_problem("p1", title="Corrected"))
    stored = Problem.model_validate(make_problem("p1", title="Old")).model_dump_json()
    library = library_of(tmp_path, corrected)
    assert problem_of(entry("p1", stored), library) == corrected


def test_a_problem_in_no_pack_is_rebuilt_from_its_copy(tmp_path: Path) -> None:
    """A generated problem comes back from the JSON the queue kept; without one, None."""
    generated = Problem.model_validate(make_problem("fresh-steplr-00000001", code="print(1)"))
    library = library_of(tmp_path, Problem.model_validate(make_problem("p1")))
    assert problem_of(entry(generated.id, generated.model_dump_json()), library) == generated
    assert problem_of(entry("gone"), library) is None
    assert problem_of(entry("broken", '{"id": "broken"}'), library) is None


async def test_due_problems_come_longest_overdue_first_and_skip_the_lost(
    db: Database, tmp_path: Path
) -> None:
    """Misses of p2, then a removed problem, then a generated one, then p1: all due ten
    minutes after the last; the removed one is named, not served; `limit` cuts the list."""
    await seed(db)
    p1, p2 = (Problem.model_validate(make_problem(i)) for i in ("p1", "p2"))
    generated = make_problem("fresh-steplr-00000002", answer="D", code="print(0.1)")
    fresh = make_pack(generated)
    library = library_of(tmp_path, p1, p2)
    misses = ("p2", "removed", generated["id"], "p1")
    session = await db.create_session(GUILD, CHANNEL, "fresh", list(misses), ADA, T0)
    await db.save_session_pack(session, fresh.model_dump_json())
    for n, problem_id in enumerate(misses):
        await answer(db, session, BOB, problem_id, points=0, at=T0 + n)

    due = await due_problems(db, library, BOB, T0 + 3 + FIRST)
    assert [p.id for p in due.problems] == ["p2", generated["id"], "p1"]
    assert due.problems[1] == fresh.problems[0]
    assert due.missing == ("removed",)
    assert due.queue.queued == 4

    first_two = await due_problems(db, library, BOB, T0 + 3 + FIRST, limit=2)
    assert [p.id for p in first_two.problems] == ["p2", generated["id"]]
    assert (await due_problems(db, library, BOB, T0 + FIRST)).problems == (p2,)
