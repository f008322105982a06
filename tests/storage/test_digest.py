"""Tests for bot.storage._digest: schedules, the claim of each week, and the week's reads."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.storage import DIGEST_MAX_ATTEMPTS, Database
from tests.storage.seeding import (
    ADA,
    BOB,
    CHANNEL,
    CY,
    DAY,
    GUILD,
    OTHER_CHANNEL,
    OTHER_GUILD,
    T0,
    answer,
    seed,
)

MONDAY = T0 - 12 * 3600  # T0 is Monday noon
WEEK = 7 * DAY


async def test_a_schedule_is_set_moved_listed_and_stopped(seeded: Database) -> None:
    """Setting again moves the digest (the old schedule is returned); stopping returns it."""
    db = seeded
    assert await db.set_digest(GUILD, CHANNEL, set_by=ADA, at=T0) is None
    await db.set_digest(OTHER_GUILD, OTHER_CHANNEL, set_by=BOB, at=T0)

    moved_from = await db.set_digest(GUILD, OTHER_CHANNEL, set_by=BOB, at=T0 + 1)

    assert moved_from is not None
    assert moved_from.channel_id == CHANNEL
    now = await db.digest_schedule(GUILD)
    assert now is not None
    assert (now.channel_id, now.set_by, now.set_at) == (
        OTHER_CHANNEL,
        BOB,
        T0 + 1,
    )
    assert [s.guild_id for s in await db.digest_schedules()] == [GUILD, OTHER_GUILD]
    stopped = await db.stop_digest(GUILD)
    assert stopped is not None
    assert stopped.channel_id == OTHER_CHANNEL
    assert await db.stop_digest(GUILD) is None
    assert await db.digest_schedule(GUILD) is None


async def test_a_week_is_claimed_once_and_never_after_it_is_posted(seeded: Database) -> None:
    """The first claim inserts the row; a fresh claim blocks others; a posted week is done."""
    db = seeded
    claim = await db.claim_digest(GUILD, MONDAY, CHANNEL, at=MONDAY + WEEK)
    assert claim is not None
    assert claim.attempts == 1
    assert await db.claim_digest(GUILD, MONDAY, CHANNEL, at=MONDAY + WEEK + 5) is None

    await db.finish_digest(GUILD, MONDAY, 9999, at=MONDAY + WEEK + 6)

    post = await db.digest_post(GUILD, MONDAY)
    assert post is not None
    assert (post.message_id, post.posted_at) == (9999, MONDAY + WEEK + 6)
    assert await db.claim_digest(GUILD, MONDAY, CHANNEL, at=MONDAY + 9 * WEEK) is None
    other_week = await db.claim_digest(GUILD, MONDAY + WEEK, CHANNEL, at=MONDAY + 2 * WEEK)
    assert other_week is not None
    assert await db.claim_digest(OTHER_GUILD, MONDAY, OTHER_CHANNEL, at=MONDAY + WEEK)


async def test_an_unfinished_claim_is_taken_over_when_stale(seeded: Database) -> None:
    """A claim without a post is claimed again once stale, in its first channel, a few times."""
    db = seeded
    first = MONDAY + WEEK
    await db.claim_digest(GUILD, MONDAY, CHANNEL, at=first)  # then its process died
    assert (
        await db.claim_digest(GUILD, MONDAY, OTHER_CHANNEL, at=first + 59, stale_after=60) is None
    )

    again = await db.claim_digest(GUILD, MONDAY, OTHER_CHANNEL, at=first + 61, stale_after=60)

    assert again is not None
    assert (again.attempts, again.channel_id) == (2, CHANNEL)
    at = first + 61
    for _ in range(DIGEST_MAX_ATTEMPTS - 2):
        await db.fail_digest(GUILD, MONDAY, "403 Missing Access")
        at += 61
        assert await db.claim_digest(GUILD, MONDAY, CHANNEL, at=at, stale_after=60) is not None
    post = await db.digest_post(GUILD, MONDAY)
    assert post is not None
    assert post.attempts == DIGEST_MAX_ATTEMPTS
    assert await db.claim_digest(GUILD, MONDAY, CHANNEL, at=at + 1000, stale_after=60) is None


async def test_two_processes_claiming_one_week_get_it_once(db_path: Path) -> None:
    """Two Database objects on one file (two bot processes) race for a week: one wins."""
    async with await Database.open(db_path) as first, await Database.open(db_path) as second:
        await seed(first)
        claims = await asyncio.gather(
            *(
                db.claim_digest(GUILD, MONDAY, CHANNEL, at=MONDAY + WEEK + n)
                for n, db in enumerate([first, second] * 5)
            )
        )

    assert sum(claim is not None for claim in claims) == 1


async def test_badges_and_first_tries_are_read_for_one_week(seeded: Database) -> None:
    """The week's badges and first tries: the week before and the week after are left out."""
    db = seeded
    for user, at in ((ADA, MONDAY - 1), (BOB, MONDAY), (CY, MONDAY + WEEK - 1)):
        await db.award_badge(GUILD, user, "Step Counter", "basics", at)
    await db.award_badge(GUILD, ADA, "Warm Start", "warmup", MONDAY + WEEK)
    session = await db.create_session(GUILD, CHANNEL, "basics", ["p1", "p2"], ADA, MONDAY - DAY)
    await answer(db, session, ADA, "p1", points=100, at=MONDAY - 10)
    await answer(db, session, BOB, "p1", points=0, at=MONDAY + 10)
    await answer(db, session, CY, "p2", points=100, at=MONDAY + 20)
    await answer(db, session, ADA, "p2", points=0, at=MONDAY + WEEK)

    badges = await db.badges_awarded_between(GUILD, MONDAY, MONDAY + WEEK)
    picks = await db.first_try_picks(GUILD, since=MONDAY, until=MONDAY + WEEK)

    assert [(b.user_id, b.pack_id) for b in badges] == [(BOB, "basics"), (CY, "basics")]
    assert [(p.problem_id, p.option, p.picks) for p in picks] == [("p1", "B", 1), ("p2", "A", 1)]
    assert len(await db.first_try_picks(GUILD)) == 4  # unbounded, as `!stats` reads it
