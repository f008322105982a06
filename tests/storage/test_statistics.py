"""Tests for bot.storage._statistics: what `!stats` reads, on a real temporary database."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from bot.storage import Database, SessionMode, WeekActivity
from tests.storage.seeding import ADA, BOB, CHANNEL, CY, DAY, GUILD, OTHER_GUILD, T0, answer, seed

MONDAY = T0 - 12 * 3600  # T0 is Monday noon
WEEK = 7 * DAY


async def played(db: Database) -> dict[str, int]:
    """A challenge last week and a race this week in GUILD; practice in DMs; another server.

    Returns the session ids by name.
    """
    await seed(db)
    last = await db.create_session(GUILD, CHANNEL, "pack", ["p1", "p2"], ADA, MONDAY - WEEK)
    race = await db.create_session(
        GUILD, CHANNEL + 1, "pack", ["p1"], ADA, MONDAY, mode=SessionMode.RACE
    )
    practice = await db.create_session(0, 0, "pack", ["p1"], BOB, MONDAY, mode=SessionMode.PRACTICE)
    other = await db.create_session(OTHER_GUILD, 300, "pack", ["p1"], CY, MONDAY)
    await answer(db, last, ADA, "p1", points=0, at=MONDAY - WEEK + 10)  # B, wrong
    await answer(db, last, ADA, "p1", points=50, at=MONDAY - WEEK + 20, attempt_number=2)
    await answer(db, last, BOB, "p1", points=100, at=MONDAY - WEEK + 30)
    await answer(db, last, BOB, "p2", points=0, at=MONDAY - WEEK + 40)
    # Bob's second try at p2 comes after Monday 00:00: p2 counts in both weeks.
    await answer(db, last, BOB, "p2", points=50, at=MONDAY + 5, attempt_number=2)
    await answer(db, race, CY, "p1", points=0, at=MONDAY + DAY)
    await answer(db, practice, BOB, "p1", points=0, at=MONDAY + DAY)
    await answer(db, other, CY, "p1", points=0, at=MONDAY + DAY)
    return {"last": last, "race": race, "practice": practice, "other": other}


async def test_weekly_activity_counts_members_and_problems_per_week(db: Database) -> None:
    """Members who answered and problems they answered, per ISO week, in this server only."""
    await played(db)

    weeks = await db.weekly_activity(GUILD, MONDAY - 2 * WEEK, MONDAY + WEEK)

    assert weeks == [
        WeekActivity(MONDAY - WEEK, members=2, answered=3),  # Ada p1, Bob p1, Bob p2
        WeekActivity(MONDAY, members=2, answered=2),  # Bob p2 (second try), Cy p1
    ]
    assert await db.weekly_activity(GUILD, MONDAY + WEEK, MONDAY + 2 * WEEK) == []


async def test_weekly_activity_is_the_weekly_leaderboard_summed(db: Database) -> None:
    """The same kept standings as `!leaderboard week`: its rows, and their problems answered."""
    await played(db)

    for since in (MONDAY - WEEK, MONDAY):
        board = await db.leaderboard(GUILD, since, 100, since + WEEK)
        [week] = await db.weekly_activity(GUILD, since, since + WEEK)
        assert (week.members, week.answered) == (len(board), sum(r.answered for r in board))


async def test_first_tries_are_counted_per_option_and_verdict(db: Database) -> None:
    """Only attempt 1 counts; practice in DMs and the other server do not."""
    await played(db)

    picks = await db.first_try_picks(GUILD)

    assert [(p.problem_id, p.option, p.correct, p.picks) for p in picks] == [
        ("p1", "A", True, 1),  # Bob
        ("p1", "B", False, 2),  # Ada (her second try is not a first try), Cy in the race
        ("p2", "B", False, 1),  # Bob
    ]
    only_p2 = await db.first_try_picks(GUILD, "p2")
    assert [(p.problem_id, p.picks) for p in only_p2] == [("p2", 1)]
    assert await db.first_try_picks(GUILD, "never") == []


async def test_a_problem_outcome_counts_who_solved_it_per_session(db: Database) -> None:
    """p1 was played three times here (Ada and Bob last week, Cy in the race); two solved it."""
    await played(db)

    outcome = await db.problem_outcome(GUILD, "p1")

    assert (outcome.played, outcome.solved) == (3, 2)
    nothing = await db.problem_outcome(GUILD, "never")
    assert (nothing.played, nothing.solved) == (0, 0)


async def test_played_ids_and_generated_packs_are_the_servers_own(db: Database) -> None:
    """Ids with an attempt here, sorted; saved packs of this server's sessions only."""
    sessions = await played(db)
    await db.save_session_pack(sessions["race"], '{"problems": []}')
    await db.save_session_pack(sessions["other"], '{"problems": [1]}')

    assert await db.played_problem_ids(GUILD) == ["p1", "p2"]
    assert await db.played_problem_ids(OTHER_GUILD) == ["p1"]
    assert await db.generated_packs(GUILD) == ['{"problems": []}']


async def test_the_export_holds_every_attempt_in_order_in_batches(db: Database) -> None:
    """Every attempt of the server with its mode and name, by time, `batch` rows at a time."""
    sessions = await played(db)

    batches = [batch async for batch in db.export_attempts(GUILD, batch=2)]

    assert [len(batch) for batch in batches] == [2, 2, 2]
    rows = [row for batch in batches for row in batch]
    assert [row.answered_at for row in rows] == sorted(row.answered_at for row in rows)
    assert {row.session_id for row in rows} == {sessions["last"], sessions["race"]}
    first = rows[0]
    assert (first.mode, first.user_id, first.display_name, first.option) == (
        "challenge",
        ADA,
        "ada",
        "B",
    )
    assert (first.correct, first.attempt_number, first.points) == (False, 1, 0)
    assert rows[-1].mode == "race"


async def test_stopping_an_export_early_gives_its_connection_back(db_path: Path) -> None:
    """With one read connection, an export closed after its first batch frees it for others."""
    async with await Database.open(db_path, readers=1) as db:
        await played(db)
        batches = db.export_attempts(GUILD, batch=1)
        async with contextlib.aclosing(batches):
            async for _ in batches:
                break
        # A deadlock guard, not a timing check: the read must not wait for the export.
        assert await asyncio.wait_for(db.played_problem_ids(GUILD), timeout=30) == ["p1", "p2"]
