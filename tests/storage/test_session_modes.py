"""Session modes: practice and review are stored like challenges but never move a leaderboard."""

from __future__ import annotations

import pytest

from bot.storage import Database, SessionMode
from tests.storage.seeding import ADA, BOB, CHANNEL, GUILD, T0, TODAY, answer, start_session

DM_CHANNEL = 555


async def start_practice(db: Database, mode: SessionMode = SessionMode.PRACTICE) -> int:
    """Bob's solo session of p1, p2 in his DM channel, outside any server (guild 0)."""
    return await db.create_session(0, DM_CHANNEL, "basics", ["p1", "p2"], BOB, T0, mode=mode)


async def test_a_session_is_a_challenge_unless_told(seeded: Database) -> None:
    """Sessions created without a mode are challenges, and the mode is read back."""
    challenge = await seeded.session(await start_session(seeded))
    practice = await seeded.session(await start_practice(seeded))
    assert challenge is not None
    assert practice is not None
    assert (challenge.mode, practice.mode) == (SessionMode.CHALLENGE, SessionMode.PRACTICE)


@pytest.mark.parametrize("mode", [SessionMode.PRACTICE, SessionMode.REVIEW])
async def test_solo_modes_store_attempts_but_leave_the_standings(
    seeded: Database, mode: SessionMode
) -> None:
    """A solo answer is stored, adds nothing to any board, and the kept totals still agree."""
    challenge = await start_session(seeded)
    await answer(seeded, challenge, ADA, "p1", points=100, at=T0 + 5)
    solo = await start_practice(seeded, mode)
    await answer(seeded, solo, BOB, "p1", points=100, at=T0 + 6)

    assert len(await seeded.attempts_for_session(solo)) == 1
    assert [row.user_id for row in await seeded.leaderboard(GUILD)] == [ADA]
    assert await seeded.leaderboard(0) == []
    assert await seeded.leaderboard(0, since=T0 - 10, until=T0 + 10) == []  # from attempts
    assert (await seeded.profile(0, BOB, TODAY)).answered == 0
    report = await seeded.check_totals()
    assert report.ok, report


@pytest.mark.parametrize("mode", [SessionMode.DAILY, SessionMode.RACE])
async def test_daily_and_race_count_on_the_leaderboard(seeded: Database, mode: SessionMode) -> None:
    """The group modes score on the server's board like a challenge."""
    session = await seeded.create_session(GUILD, CHANNEL, "basics", ["p1"], ADA, T0, mode=mode)
    await answer(seeded, session, BOB, "p1", points=250, at=T0 + 1)
    assert [(row.user_id, row.points) for row in await seeded.leaderboard(GUILD)] == [(BOB, 250)]
    assert (await seeded.check_totals()).ok


async def test_open_sessions_are_asked_for_by_mode(seeded: Database) -> None:
    """A restarted challenge manager re-arms challenges only; each mode asks for its own."""
    challenge = await start_session(seeded)
    practice = await start_practice(seeded)
    assert [s.id for s in await seeded.open_sessions()] == [challenge]
    assert [s.id for s in await seeded.open_sessions([SessionMode.PRACTICE])] == [practice]
    both = await seeded.open_sessions([SessionMode.CHALLENGE, SessionMode.PRACTICE])
    assert [s.id for s in both] == [challenge, practice]
