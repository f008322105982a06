"""Tests for bot.features.digest.weekly: when digests are due, and the loop that posts each
week once (a FakeClock, a real database, a poster that records instead of Discord)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.features.digest.weekly import WeeklyDigests, covered_week, is_due, next_posting
from bot.storage import Database, DigestClaim, DigestSchedule
from tests.engine.conftest import FakeClock

GUILD, OTHER, UNSERVED = 1, 2, 3
CHANNEL = 100
ORGANISER = 10
DAY, WEEK = 86_400.0, 7 * 86_400.0
MONDAY = datetime(2025, 3, 10, tzinfo=UTC).timestamp()  # 00:00 UTC
STALE = 600.0


class Poster:
    """Records posts; serves the guilds given; can fail, or find an earlier post."""

    def __init__(self, served: set[int] | None = None) -> None:
        self.served = {GUILD, OTHER} if served is None else served
        self.posted: list[tuple[int, float, int]] = []
        self.failures: list[tuple[int, str]] = []
        self.fail_with: Exception | None = None
        self.already: int | None = None  # what `find` finds in the channel

    def serves(self, guild_id: int) -> bool:
        return guild_id in self.served

    async def find(self, schedule: DigestSchedule, claim: DigestClaim) -> int | None:
        return self.already

    async def post(self, schedule: DigestSchedule, claim: DigestClaim) -> int:
        await asyncio.sleep(0)  # posting awaits Discord: others may run meanwhile
        if self.fail_with is not None:
            raise self.fail_with
        self.posted.append((claim.guild_id, claim.week_start, claim.channel_id))
        return 9000 + len(self.posted)

    async def failed(self, schedule: DigestSchedule, claim: DigestClaim, error: Exception) -> None:
        self.failures.append((schedule.set_by, str(error)))


async def until(condition: Callable[[], bool]) -> None:
    """Yield to the loop until `condition` holds; fail rather than hang."""
    for _ in range(2000):
        if condition():
            return
        await asyncio.sleep(0.005)
    pytest.fail("condition never became true")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A database with GUILD, OTHER and UNSERVED recorded."""
    async with await Database.open(tmp_path / "anneal.db") as database:
        for guild in (GUILD, OTHER, UNSERVED):
            await database.upsert_guild(guild, f"guild {guild}", joined_at=MONDAY - 30 * DAY)
        yield database


def test_a_digest_covers_the_last_whole_week_and_is_due_from_monday() -> None:
    """Posted on Monday 00:00 (or later that week), it is about the Monday-to-Sunday before."""
    assert covered_week(MONDAY) == MONDAY - WEEK
    assert covered_week(MONDAY - 1) == MONDAY - 2 * WEEK  # still Sunday 23:59:59
    assert covered_week(MONDAY + 6 * DAY) == MONDAY - WEEK
    assert next_posting(MONDAY - 1) == MONDAY
    assert next_posting(MONDAY) == MONDAY + WEEK
    saturday = DigestSchedule(GUILD, CHANNEL, ORGANISER, MONDAY - 2 * DAY)
    wednesday = DigestSchedule(GUILD, CHANNEL, ORGANISER, MONDAY + 2 * DAY)
    assert is_due(saturday, MONDAY)
    assert not is_due(saturday, MONDAY - 1)  # its first Monday has not come yet
    assert not is_due(wednesday, MONDAY + 3 * DAY)  # set mid-week: from next Monday on
    assert is_due(wednesday, MONDAY + WEEK)


async def test_the_loop_posts_each_monday_once(db: Database) -> None:
    """Set on Saturday: nothing on Sunday, last week's digest at Monday 00:00, then the next
    week's a week later; days in between post nothing."""
    clock = FakeClock(MONDAY - 2 * DAY)
    await db.set_digest(GUILD, CHANNEL, set_by=ORGANISER, at=clock())
    poster = Poster()
    weekly = WeeklyDigests(db, poster, clock, clock.sleep)
    loop = asyncio.create_task(weekly.run())
    try:
        await until(lambda: weekly.rounds == 1)
        assert poster.posted == []
        clock.advance(2 * DAY)  # Monday 00:00
        await until(lambda: weekly.rounds == 2)
        assert poster.posted == [(GUILD, MONDAY - WEEK, CHANNEL)]
        for _ in range(6):
            clock.advance(DAY)
            await asyncio.sleep(0.01)
        assert weekly.rounds == 2  # it slept until the next Monday
        clock.advance(DAY)
        await until(lambda: weekly.rounds == 3)
    finally:
        loop.cancel()
    assert poster.posted == [(GUILD, MONDAY - WEEK, CHANNEL), (GUILD, MONDAY, CHANNEL)]
    post = await db.digest_post(GUILD, MONDAY - WEEK)
    assert post is not None
    assert (post.message_id, post.posted_at) == (9001, MONDAY)


async def test_a_restart_catches_up_once_and_never_posts_again(db: Database) -> None:
    """Down over Monday 00:00, the bot posts at start-up; started again, it posts nothing."""
    await db.set_digest(GUILD, CHANNEL, set_by=ORGANISER, at=MONDAY - DAY)
    poster = Poster()
    clock = FakeClock(MONDAY + 3 * 3600)

    assert await WeeklyDigests(db, poster, clock, clock.sleep).post_due() is None
    clock.advance(60)
    assert await WeeklyDigests(db, poster, clock, clock.sleep).post_due() is None

    assert poster.posted == [(GUILD, MONDAY - WEEK, CHANNEL)]


async def test_two_processes_on_one_database_post_once(tmp_path: Path) -> None:
    """Two loops, each with its own connection to one file, both due at once: one post."""
    path = tmp_path / "shared.db"
    async with await Database.open(path) as first, await Database.open(path) as second:
        await first.upsert_guild(GUILD, "guild", joined_at=MONDAY - DAY)
        await first.set_digest(GUILD, CHANNEL, set_by=ORGANISER, at=MONDAY - DAY)
        posters = [Poster(), Poster()]
        clock = FakeClock(MONDAY)
        loops = [
            WeeklyDigests(db, p, clock, clock.sleep)
            for db, p in zip((first, second), posters, strict=True)
        ]
        await asyncio.gather(*(loop.post_due() for loop in loops))

    assert sum(len(p.posted) for p in posters) == 1


async def test_a_claim_left_unposted_is_finished_by_the_next_to_look(db: Database) -> None:
    """A process claimed the week and died: until the claim is stale others leave it (and
    say when to look again); then one posts it, unless it finds the dead one's post."""
    await db.set_digest(GUILD, CHANNEL, set_by=ORGANISER, at=MONDAY - DAY)
    await db.set_digest(OTHER, CHANNEL + 1, set_by=ORGANISER, at=MONDAY - DAY)
    for guild in (GUILD, OTHER):
        assert await db.claim_digest(guild, MONDAY - WEEK, CHANNEL, at=MONDAY) is not None
    poster = Poster()
    clock = FakeClock(MONDAY + 60)
    weekly = WeeklyDigests(db, poster, clock, clock.sleep, stale_after=STALE)

    assert await weekly.post_due() == MONDAY + STALE + 1
    assert poster.posted == []

    clock.advance(STALE)
    await weekly.post_due()
    assert poster.posted == [(GUILD, MONDAY - WEEK, CHANNEL), (OTHER, MONDAY - WEEK, CHANNEL)]


async def test_a_post_the_dead_process_made_is_recorded_not_repeated(db: Database) -> None:
    """The earlier claimer had posted before it died: its message is found and kept."""
    await db.set_digest(GUILD, CHANNEL, set_by=ORGANISER, at=MONDAY - DAY)
    await db.claim_digest(GUILD, MONDAY - WEEK, CHANNEL, at=MONDAY)
    poster = Poster()
    poster.already = 4242
    clock = FakeClock(MONDAY + STALE + 1)

    await WeeklyDigests(db, poster, clock, clock.sleep, stale_after=STALE).post_due()

    assert poster.posted == []
    post = await db.digest_post(GUILD, MONDAY - WEEK)
    assert post is not None
    assert post.message_id == 4242


async def test_a_failed_post_is_told_once_retried_and_given_up(db: Database) -> None:
    """Discord refuses: the organiser hears once, the claim is retried when stale, and the
    week is given up after its last attempt."""
    await db.set_digest(GUILD, CHANNEL, set_by=ORGANISER, at=MONDAY - DAY)
    poster = Poster(served={GUILD})
    poster.fail_with = RuntimeError("403 Missing Permissions")
    clock = FakeClock(MONDAY)
    weekly = WeeklyDigests(db, poster, clock, clock.sleep, stale_after=STALE)

    retries = []
    for _ in range(3):
        retries.append(await weekly.post_due())
        clock.advance(STALE + 1)

    assert retries == [MONDAY + STALE + 1, MONDAY + 2 * (STALE + 1), None]
    assert poster.failures == [(ORGANISER, "403 Missing Permissions")]
    post = await db.digest_post(GUILD, MONDAY - WEEK)
    assert post is not None
    assert (post.message_id, post.failure) == (None, "403 Missing Permissions")


async def test_only_served_guilds_with_a_schedule_get_one(db: Database) -> None:
    """A server of another process (shard) is left to it; a stopped digest posts nothing."""
    for guild in (GUILD, OTHER, UNSERVED):
        await db.set_digest(guild, CHANNEL, set_by=ORGANISER, at=MONDAY - DAY)
    await db.stop_digest(OTHER)
    poster = Poster()
    clock = FakeClock(MONDAY)

    await WeeklyDigests(db, poster, clock, clock.sleep).post_due()

    assert poster.posted == [(GUILD, MONDAY - WEEK, CHANNEL)]
