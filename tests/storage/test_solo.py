"""A member's practice in DMs, counted per mode, and the problems they answered alone lately."""

from __future__ import annotations

from bot.storage import Database, SessionMode, SessionStatus
from tests.storage.seeding import ADA, BOB, T0, answer, start_session

DM_ADA, DM_BOB = 501, 502


async def solo(
    db: Database, user_id: int, channel: int, problems: list[str], at: float, mode: SessionMode
) -> int:
    """A finished-later solo session of `problems` for `user_id` in their DM channel."""
    return await db.create_session(0, channel, "topic", problems, user_id, at, mode=mode)


async def test_dm_practice_is_counted_per_mode_outside_every_server(seeded: Database) -> None:
    """Bob's practice in DMs (guild 0): 3 problems, 2 right over two sessions, apart from his
    review; Ada's practice and his challenge answers are not his practice (`!profile`)."""
    first = await solo(seeded, BOB, DM_BOB, ["p1", "p2"], T0, SessionMode.PRACTICE)
    await answer(seeded, first, BOB, "p1", points=0, at=T0 + 1)  # wrong...
    await answer(seeded, first, BOB, "p1", points=10, at=T0 + 2, attempt_number=2)  # ...then right
    await answer(seeded, first, BOB, "p2", points=0, at=T0 + 3)
    await seeded.end_session(first, SessionStatus.FINISHED, T0 + 4)
    second = await solo(seeded, BOB, DM_BOB, ["p1"], T0 + 10, SessionMode.PRACTICE)
    await answer(seeded, second, BOB, "p1", points=0, at=T0 + 11)
    await seeded.end_session(second, SessionStatus.FINISHED, T0 + 12)
    review = await solo(seeded, BOB, DM_BOB, ["p3"], T0 + 20, SessionMode.REVIEW)
    await answer(seeded, review, BOB, "p3", points=0, at=T0 + 21)
    other = await solo(seeded, ADA, DM_ADA, ["p1"], T0, SessionMode.PRACTICE)
    await answer(seeded, other, ADA, "p1", points=0, at=T0 + 1)
    challenge = await start_session(seeded)
    await answer(seeded, challenge, BOB, "p1", points=100, at=T0 + 5)

    totals = {t.mode: (t.answered, t.correct) for t in await seeded.mode_totals(0, BOB)}
    assert totals == {SessionMode.PRACTICE: (3, 1), SessionMode.REVIEW: (1, 0)}


async def test_recent_lists_solo_problems_latest_first(seeded: Database) -> None:
    """p2 answered last comes first; a problem answered twice counts its latest answer;
    answers in challenges and other members' runs are not the member's practice."""
    session = await solo(seeded, BOB, DM_BOB, ["p1", "p2", "p3"], T0, SessionMode.PRACTICE)
    await answer(seeded, session, BOB, "p1", points=0, at=T0 + 1)
    await answer(seeded, session, BOB, "p3", points=0, at=T0 + 2)
    await seeded.end_session(session, SessionStatus.STOPPED, T0 + 3)
    review = await solo(seeded, BOB, DM_BOB, ["p1", "p2"], T0 + 10, SessionMode.REVIEW)
    await answer(seeded, review, BOB, "p2", points=10, at=T0 + 11)
    await answer(seeded, review, BOB, "p1", points=10, at=T0 + 12)
    challenge = await start_session(seeded)
    await answer(seeded, challenge, BOB, "p4", points=100, at=T0 + 20)

    assert await seeded.solo_recent(BOB) == ["p1", "p2", "p3"]
    assert await seeded.solo_recent(BOB, [SessionMode.PRACTICE]) == ["p3", "p1"]
    assert await seeded.solo_recent(BOB, limit=1) == ["p1"]
    assert await seeded.solo_recent(ADA) == []
