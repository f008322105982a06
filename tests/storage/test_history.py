"""Tests for a player's games and results per mode (what `anneal profile` reads), and for
finding local profiles without creating them."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

from bot.engine.session import Attempt
from bot.storage import LOCAL_GUILD_ID, Database, SessionStatus

TODAY = date(1970, 1, 2)


async def two_games(db: Database) -> tuple[int, int, int]:
    """ada's finished game (p1 right on the 2nd try, p2 wrong twice) and her open game
    (p3 right); bob answers in the first game too. Returns ada's id and the two sessions."""
    ada = await db.local_user("ada")
    bob = await db.local_user("bob")
    first = await db.create_session(LOCAL_GUILD_ID, ada, "basics", ["p1", "p2"], ada, 1000.0)
    for attempt in (
        Attempt(ada, "p1", "A", False, 1, 0, 1001.0),
        Attempt(ada, "p1", "B", True, 2, 50, 1002.0),
        Attempt(ada, "p2", "A", False, 1, 0, 1003.0),
        Attempt(ada, "p2", "C", False, 2, 0, 1004.0),
        Attempt(bob, "p1", "B", True, 1, 100, 1005.0),
    ):
        await db.save_attempt(first, attempt)
    await db.end_session(first, SessionStatus.FINISHED, 1010.0)
    second = await db.create_session(LOCAL_GUILD_ID, ada, "fresh", ["p3", "p4"], ada, 2000.0)
    await db.save_attempt(second, Attempt(ada, "p3", "D", True, 1, 100, 2001.0))
    return ada, first, second


async def test_games_are_listed_latest_first_with_the_players_results(db: Database) -> None:
    """Per game: problems answered and solved, points; another player's answers not counted."""
    ada, first, second = await two_games(db)
    games = await db.games_started_by(LOCAL_GUILD_ID, ada)
    assert [g.session.id for g in games] == [second, first]
    latest, earlier = games
    assert (latest.answered, latest.correct, latest.points) == (1, 1, 100)
    assert latest.session.status is SessionStatus.OPEN
    assert (earlier.answered, earlier.correct, earlier.points) == (2, 1, 50)
    assert earlier.session.problem_ids == ("p1", "p2")
    assert {g.mode for g in games} == {"challenge"}
    assert [g.session.id for g in await db.games_started_by(LOCAL_GUILD_ID, ada, limit=1)] == [
        second
    ]


async def test_mode_totals_add_up_to_the_profile(db: Database) -> None:
    """The per-mode lines count problems as the kept standings do."""
    ada, _, _ = await two_games(db)
    (challenge,) = await db.mode_totals(LOCAL_GUILD_ID, ada)
    profile = await db.profile(LOCAL_GUILD_ID, ada, today=TODAY)
    assert challenge.mode == "challenge"
    assert (challenge.points, challenge.answered, challenge.correct) == (
        profile.points,
        profile.answered,
        profile.correct,
    )
    assert (challenge.points, challenge.answered, challenge.correct) == (150, 3, 2)


async def test_a_mode_column_once_added_splits_the_totals(db: Database, db_path: Path) -> None:
    """When a migration gives sessions a `mode`, the games and totals are read per mode."""
    ada, _, second = await two_games(db)
    with closing(sqlite3.connect(db_path)) as raw, raw:
        raw.execute("ALTER TABLE sessions ADD COLUMN mode TEXT")
        raw.execute("UPDATE sessions SET mode = 'practice' WHERE id = ?", (second,))
    totals = {t.mode: t for t in await db.mode_totals(LOCAL_GUILD_ID, ada)}
    assert set(totals) == {"challenge", "practice"}  # NULL stays a challenge
    assert (totals["practice"].answered, totals["practice"].points) == (1, 100)
    assert (totals["challenge"].answered, totals["challenge"].points) == (2, 50)
    games = await db.games_started_by(LOCAL_GUILD_ID, ada)
    assert [g.mode for g in games] == ["practice", "challenge"]


async def test_profiles_are_found_without_being_created(db: Database) -> None:
    """find_local_user ignores case and spaces like local_user, and creates nobody."""
    ada = await db.local_user("Ada")
    assert await db.find_local_user(" ada ") == ada
    assert await db.find_local_user("bob") is None
    await db.local_user("bob")
    assert await db.local_profile_names() == ["Ada", "bob"]
