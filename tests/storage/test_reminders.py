"""Review reminders in storage: opting in and out, who is due one, and the once-a-day claim."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.storage import Database, ReviewReminder
from tests.storage.seeding import ADA, BOB, CY, DAY, T0, answer, seed, start_session

TODAY = int(T0 // DAY)


async def miss(db: Database, user_id: int, at: float = T0) -> None:
    """The player misses p1 in a new challenge (it is due ten minutes later)."""
    session = await start_session(db, channel=1_000 + user_id, started_at=at)
    await answer(db, session, user_id, "p1", points=0, at=at)


async def test_reminders_are_off_until_asked_for(seeded: Database) -> None:
    """No row until the player chooses; on and off are stored, with the player's name."""
    assert await seeded.review_reminder(BOB) is None
    await seeded.set_review_reminders(77, True, display_name="newcomer")
    assert await seeded.review_reminder(77) == ReviewReminder(77, True, None)
    await seeded.set_review_reminders(77, False)
    assert await seeded.review_reminder(77) == ReviewReminder(77, False, None)


async def test_only_opted_in_players_with_something_due_are_reminded(seeded: Database) -> None:
    """Bob (on, due), Ada (on, nothing due yet), Cy (off, due): only Bob is to be reminded."""
    await miss(seeded, BOB)
    await miss(seeded, ADA, at=T0 + 3_000)
    await miss(seeded, CY)
    for player, enabled in ((BOB, True), (ADA, True), (CY, False)):
        await seeded.set_review_reminders(player, enabled)
    assert await seeded.players_to_remind(T0, TODAY) == []  # nothing due yet
    assert await seeded.players_to_remind(T0 + 600, TODAY) == [BOB]
    assert await seeded.players_to_remind(T0 + 3_600, TODAY) == [ADA, BOB]


async def test_a_day_is_claimed_once(seeded: Database) -> None:
    """The first claim of a day wins; a second (a restart, another process) does not; the
    next day can be claimed again."""
    await miss(seeded, BOB)
    await seeded.set_review_reminders(BOB, True)
    assert await seeded.claim_review_reminder(BOB, TODAY)
    assert not await seeded.claim_review_reminder(BOB, TODAY)
    assert await seeded.players_to_remind(T0 + DAY / 4, TODAY) == []
    assert await seeded.players_to_remind(T0 + DAY, TODAY + 1) == [BOB]
    assert await seeded.claim_review_reminder(BOB, TODAY + 1)
    assert (await seeded.review_reminder(BOB)) == ReviewReminder(BOB, True, TODAY + 1)


async def test_reminders_off_cannot_be_claimed(seeded: Database) -> None:
    """A player who turned reminders off (or never on) is never claimed."""
    assert not await seeded.claim_review_reminder(BOB, TODAY)
    await seeded.set_review_reminders(BOB, False)
    assert not await seeded.claim_review_reminder(BOB, TODAY)


async def test_two_processes_claiming_together_send_once(db_path: Path) -> None:
    """Two Database objects on one file (two bot processes) claim the same day at once,
    many times over: each day exactly one claim succeeds."""
    async with await Database.open(db_path) as first, await Database.open(db_path) as second:
        await seed(first)
        await first.set_review_reminders(BOB, True)
        for day in range(TODAY, TODAY + 20):
            claims = [db.claim_review_reminder(BOB, day) for db in (first, second, first, second)]
            results = await asyncio.gather(*claims)
            assert sorted(results) == [False, False, False, True], day


async def test_a_released_claim_can_be_claimed_again_that_day(seeded: Database) -> None:
    """A DM that failed for a passing reason gives its claim back, so a later check retries."""
    await seeded.set_review_reminders(BOB, True)
    assert await seeded.claim_review_reminder(BOB, TODAY)
    await seeded.release_review_reminder(BOB, TODAY)
    assert await seeded.claim_review_reminder(BOB, TODAY)
    assert not await seeded.claim_review_reminder(BOB, TODAY)


async def test_closed_dms_stop_reminders_and_are_told_once(seeded: Database) -> None:
    """An undeliverable reminder turns reminders off; the note is read once; turning them
    on again clears it."""
    await miss(seeded, BOB)
    await seeded.set_review_reminders(BOB, True)
    await seeded.review_reminders_undeliverable(BOB, T0 + 700)
    assert await seeded.review_reminder(BOB) == ReviewReminder(BOB, False, None, T0 + 700)
    assert await seeded.players_to_remind(T0 + 800, TODAY) == []
    assert await seeded.take_closed_dms_notice(BOB) == T0 + 700
    assert await seeded.take_closed_dms_notice(BOB) is None

    await seeded.review_reminders_undeliverable(BOB, T0 + 900)
    await seeded.set_review_reminders(BOB, True)
    assert await seeded.take_closed_dms_notice(BOB) is None
    assert await seeded.players_to_remind(T0 + 1_000, TODAY) == [BOB]
