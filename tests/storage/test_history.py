"""Tests for a player's games and results per mode (what `anneal profile` reads), and for
finding local profiles without creating them."""

from __future__ import annotations

from datetime import date

from bot.engine.session import Attempt
from bot.storage import LOCAL_GUILD_ID, Database, SessionMode, SessionStatus

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
    assert {g.session.mode for g in games} == {SessionMode.CHALLENGE}
    assert [g.session.id for g in await db.games_started_by(LOCAL_GUILD_ID, ada, limit=1)] == [
        second
    ]


async def test_mode_totals_add_up_to_the_profile(db: Database) -> None:
    """The per-mode lines count problems as the kept standings do."""
    ada, _, _ = await two_games(db)
    (challenge,) = await db.mode_totals(LOCAL_GUILD_ID, ada)
    profile = await db.profile(LOCAL_GUILD_ID, ada, today=TODAY)
    assert challenge.mode is SessionMode.CHALLENGE
    assert (challenge.points, challenge.answered, challenge.correct) == (
        profile.points,
        profile.answered,
        profile.correct,
    )
    assert (challenge.points, challenge.answered, challenge.correct) == (150, 3, 2)


async def test_practice_has_its_own_line_and_stays_out_of_the_standings(db: Database) -> None:
    """A practice game's answers make a line of their own; the profile's totals, which are
    the leaderboard's, leave them out."""
    ada, _, _ = await two_games(db)
    other = await db.create_session(
        LOCAL_GUILD_ID, ada - 100, "basics", ["p5"], ada, 3000.0, mode=SessionMode.PRACTICE
    )
    await db.save_attempt(other, Attempt(ada, "p5", "B", True, 1, 100, 3001.0))
    totals = await db.mode_totals(LOCAL_GUILD_ID, ada)
    assert [t.mode for t in totals] == [SessionMode.CHALLENGE, SessionMode.PRACTICE]
    assert (totals[1].answered, totals[1].points) == (1, 100)
    assert (totals[0].answered, totals[0].points) == (3, 150)
    assert (await db.profile(LOCAL_GUILD_ID, ada, today=TODAY)).points == 150
    games = await db.games_started_by(LOCAL_GUILD_ID, ada)
    assert [g.session.mode for g in games] == [
        SessionMode.PRACTICE,
        SessionMode.CHALLENGE,
        SessionMode.CHALLENGE,
    ]


async def test_profiles_are_found_without_being_created(db: Database) -> None:
    """find_local_user ignores case and spaces like local_user, and creates nobody."""
    ada = await db.local_user("Ada")
    assert await db.find_local_user(" ada ") == ada
    assert await db.find_local_user("bob") is None
    await db.local_user("bob")
    assert await db.local_profile_names() == ["Ada", "bob"]
