"""Tests for bot.storage._daily: schedules, a day claimed before it is posted (by exactly one
of two databases on one file, like two processes), claims taken over after a lease, daily
sessions beside challenges, and streaks read from the attempts."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from bot.engine.daily_times import day_number
from bot.engine.streaks import Streak, streaks
from bot.storage import ChannelBusy, DailyChoiceRecord, Database, SessionMode, SessionStatus
from tests.storage.seeding import ADA, BOB, CHANNEL, CY, GUILD, T0, TODAY, answer, seed

DAY = day_number(TODAY)
LEASE = 120.0
CHOICE = DailyChoiceRecord("basics", "steplr-basics", "conceptual", ("StepLR",))


async def posted_day(
    db: Database, day: int, owner: str = "one", *, at: float = T0, channel: int = CHANNEL
) -> int:
    """Claim, choose and post the guild's `day` as `owner`; its daily session's id."""
    claim = await db.claim_daily(GUILD, day, owner, at, lease=LEASE)
    assert claim.ours
    await db.record_daily_choice(GUILD, day, owner, CHOICE)
    session_id = await db.create_session(
        GUILD, channel, "basics", ["steplr-basics"], ADA, at, mode=SessionMode.DAILY, daily_day=day
    )
    assert await db.mark_daily_posted(GUILD, day, owner, at, channel_id=channel, message_id=day)
    return session_id


async def test_a_schedule_is_set_turned_off_and_read_back(seeded: Database) -> None:
    """Setting records the admin and turns it on; off keeps the rest, and lists it no more."""
    schedule = await seeded.set_daily_schedule(
        GUILD, CHANNEL, 9 * 60, "Europe/Paris", since=T0, set_by=BOB, display_name="Bob"
    )
    assert (schedule.channel_id, schedule.minute, schedule.timezone) == (
        CHANNEL,
        540,
        "Europe/Paris",
    )
    assert schedule.enabled
    assert await seeded.daily_schedules() == [schedule]
    before = await seeded.disable_daily_schedule(GUILD)
    assert before == schedule
    after = await seeded.daily_schedule(GUILD)
    assert after is not None
    assert not after.enabled
    assert after.minute == 540
    assert await seeded.daily_schedules() == []
    assert await seeded.disable_daily_schedule(2) is None  # never set


async def test_the_first_claim_holds_the_day_and_a_second_owner_is_told(seeded: Database) -> None:
    """One owner claims; another is refused (the row shows who holds it); a posted day
    cannot be claimed by anyone, its holder included."""
    first = await seeded.claim_daily(GUILD, DAY, "one", T0, lease=LEASE)
    second = await seeded.claim_daily(GUILD, DAY, "two", T0 + 1, lease=LEASE)
    assert first.ours
    assert not second.ours
    assert second.record.claimed_by == "one"
    assert await seeded.claim_daily(GUILD, DAY, "one", T0 + 2, lease=LEASE)  # its own again
    await seeded.record_daily_choice(GUILD, DAY, "one", CHOICE)
    assert await seeded.mark_daily_posted(GUILD, DAY, "one", T0 + 3, message_id=9)
    again = await seeded.claim_daily(GUILD, DAY, "one", T0 + 4, lease=LEASE)
    assert not again.ours
    assert again.record.posted


async def test_a_claim_never_posted_is_taken_over_after_the_lease(seeded: Database) -> None:
    """A claim its holder never posted stays its own for the lease, then another may take
    it, keeping the problem chosen; the first holder can then no longer post."""
    await seeded.claim_daily(GUILD, DAY, "dead", T0, lease=LEASE)
    await seeded.record_daily_choice(GUILD, DAY, "dead", CHOICE)
    early = await seeded.claim_daily(GUILD, DAY, "alive", T0 + LEASE - 1, lease=LEASE)
    assert not early.ours
    late = await seeded.claim_daily(GUILD, DAY, "alive", T0 + LEASE, lease=LEASE)
    assert late.ours
    assert late.record.choice == CHOICE
    assert not await seeded.mark_daily_posted(GUILD, DAY, "dead", T0 + LEASE + 1)
    assert await seeded.mark_daily_posted(GUILD, DAY, "alive", T0 + LEASE + 1, message_id=1)


async def test_only_the_holder_chooses_and_a_first_choice_is_kept(seeded: Database) -> None:
    """A choice by someone not holding the claim is refused; a later holder's choice does
    not replace the one made before."""
    await seeded.claim_daily(GUILD, DAY, "one", T0, lease=LEASE)
    assert await seeded.record_daily_choice(GUILD, DAY, "two", CHOICE) is None
    kept = await seeded.record_daily_choice(GUILD, DAY, "one", CHOICE)
    assert kept is not None
    assert kept.choice == CHOICE
    other = DailyChoiceRecord("basics", "another", "debug", ("LinearLR",))
    again = await seeded.record_daily_choice(GUILD, DAY, "one", other)
    assert again is not None
    assert again.choice == CHOICE


async def test_a_generated_choice_keeps_its_problem(seeded: Database) -> None:
    """A generated problem's JSON is kept with the day, so the day can be played again."""
    generated = DailyChoiceRecord("fresh", "fresh-steplr-1", "predict_output", ("StepLR",), "{}")
    await seeded.claim_daily(GUILD, DAY, "one", T0, lease=LEASE)
    await seeded.record_daily_choice(GUILD, DAY, "one", generated)
    record = await seeded.daily_record(GUILD, DAY)
    assert record is not None
    assert record.choice == generated
    assert record.choice.generated


async def test_the_reveal_is_claimed_once_and_taken_over_after_the_lease(seeded: Database) -> None:
    """One owner claims the reveal; another only once the lease passed unrevealed; after the
    reveal is recorded nobody can claim it."""
    await posted_day(seeded, DAY)
    assert await seeded.claim_daily_reveal(GUILD, DAY, "one", T0, lease=LEASE)
    assert not await seeded.claim_daily_reveal(GUILD, DAY, "two", T0 + 1, lease=LEASE)
    assert await seeded.claim_daily_reveal(GUILD, DAY, "two", T0 + LEASE, lease=LEASE)
    assert not await seeded.mark_daily_revealed(GUILD, DAY, "one", T0 + LEASE + 1)
    assert await seeded.mark_daily_revealed(GUILD, DAY, "two", T0 + LEASE + 1)
    assert not await seeded.claim_daily_reveal(GUILD, DAY, "one", T0 + 9 * LEASE, lease=LEASE)
    assert await seeded.unrevealed_days(GUILD, DAY + 1) == []


async def test_two_databases_on_one_file_claim_a_day_exactly_once(db_path: Path) -> None:
    """Two Database objects (two writers, as two bot processes have) race to claim the same
    20 days at once: each day is claimed by exactly one of them."""
    async with await Database.open(db_path) as one, await Database.open(db_path) as two:
        await seed(one)

        async def claim(db: Database, owner: str, day: int) -> tuple[int, str, bool]:
            claimed = await db.claim_daily(GUILD, day, owner, T0, lease=LEASE)
            return day, owner, claimed.ours

        races = [
            claim(db, owner, DAY + offset)
            for offset in range(20)
            for db, owner in ((one, "one"), (two, "two"))
        ]
        results = await asyncio.gather(*races)
    winners: dict[int, list[str]] = {}
    for day, owner, ours in results:
        if ours:
            winners.setdefault(day, []).append(owner)
    assert sorted(winners) == [DAY + offset for offset in range(20)]
    assert all(len(owners) == 1 for owners in winners.values())


async def test_a_daily_session_does_not_hold_its_channel(seeded: Database) -> None:
    """A challenge starts beside the daily problem open in the channel; a second daily there
    is busy; the channel's open session is the challenge."""
    daily = await posted_day(seeded, DAY)
    challenge = await seeded.create_session(GUILD, CHANNEL, "basics", ["p1"], ADA, T0)
    held = await seeded.open_session_in_channel(CHANNEL)
    assert held is not None
    assert held.id == challenge
    with pytest.raises(ChannelBusy) as busy:
        await seeded.create_session(
            GUILD, CHANNEL, "basics", ["p2"], ADA, T0, mode=SessionMode.DAILY, daily_day=DAY + 1
        )
    assert busy.value.session_id == daily
    [(stored, day)] = await seeded.open_daily_sessions()
    assert (stored.id, day) == (daily, DAY)
    assert [s.id for s in await seeded.daily_sessions(GUILD, DAY)] == [daily]


async def test_only_a_daily_session_plays_a_day(seeded: Database) -> None:
    """A challenge given a daily day is a mistake in the caller."""
    with pytest.raises(ValueError, match="only a daily session"):
        await seeded.create_session(GUILD, CHANNEL, "basics", ["p1"], ADA, T0, daily_day=DAY)


async def test_streaks_come_from_the_correct_answers_of_each_day(seeded: Database) -> None:
    """Ada solves days 1-3, Bob days 1 and 3 (missing 2), Cy answers day 3 wrong: with day 3
    revealed, Ada has 3, Bob 1 (best 1), Cy none; while day 3 is open Bob's miss of day 2
    still ended his run, and Cy has nothing."""
    for n in range(3):
        session_id = await posted_day(seeded, DAY + n, at=T0 + n * 86_400)
        at = T0 + n * 86_400 + 60
        await answer(seeded, session_id, ADA, "steplr-basics", points=100, at=at)
        if n != 1:
            await answer(seeded, session_id, BOB, "steplr-basics", points=50, at=at)
        if n == 2:
            await answer(seeded, session_id, CY, "steplr-basics", points=0, at=at)
        if n < 2:
            await seeded.end_session(session_id, SessionStatus.FINISHED, at + 1)
            await seeded.claim_daily_reveal(GUILD, DAY + n, "one", at, lease=LEASE)
            await seeded.mark_daily_revealed(GUILD, DAY + n, "one", at)
    open_now = await seeded.daily_streaks(GUILD)
    assert open_now == {ADA: Streak(3, 3, True), BOB: Streak(1, 1, True)}
    await seeded.claim_daily_reveal(GUILD, DAY + 2, "one", T0, lease=LEASE)
    await seeded.mark_daily_revealed(GUILD, DAY + 2, "one", T0)
    assert await seeded.daily_streaks(GUILD, BOB) == {BOB: Streak(1, 1, False)}
    assert await seeded.daily_streaks(GUILD, CY) == {}


async def test_in_the_terminal_the_latest_day_is_open_only_while_it_is_today(
    seeded: Database,
) -> None:
    """Days are never revealed in the terminal: with `today`, yesterday's problem unsolved
    ends the run once today has come."""
    first = await posted_day(seeded, DAY)
    await posted_day(seeded, DAY + 1, channel=CHANNEL + 1)
    await answer(seeded, first, ADA, "steplr-basics", points=100, at=T0 + 60)
    assert await seeded.daily_streaks(GUILD, ADA, today=DAY + 1) == {ADA: Streak(1, 1, False)}
    assert await seeded.daily_streaks(GUILD, ADA, today=DAY + 2) == {ADA: Streak(0, 1, False)}


async def test_streaks_counted_in_sql_equal_the_engines_rule(seeded: Database) -> None:
    """Over 25 random histories (days with gaps, members solving at random, the latest
    revealed or not), the streaks storage counts equal `streaks()` run on the same days,
    in a server and in the terminal's calendar; one member's, and those that may be
    going, are the same as in the whole."""
    rng = random.Random(11)
    for guild in range(100, 125):
        await seeded.upsert_guild(guild, f"server {guild}")
        days = sorted(rng.sample(range(DAY, DAY + 15), rng.randint(1, 10)))
        solves: list[tuple[int, int]] = []
        for n, day in enumerate(days):
            await seeded.claim_daily(guild, day, "one", T0, lease=LEASE)
            await seeded.record_daily_choice(guild, day, "one", CHOICE)
            session = await seeded.create_session(
                guild, guild, "basics", ["p"], ADA, T0, mode=SessionMode.DAILY, daily_day=day
            )
            await seeded.mark_daily_posted(guild, day, "one", T0, message_id=day)
            for user in (ADA, BOB, CY):
                if rng.random() < 0.7:
                    await answer(seeded, session, user, "p", points=100, at=T0 + n)
                    solves.append((day, user))
                elif rng.random() < 0.5:
                    await answer(seeded, session, user, "p", points=0, at=T0 + n)
            await seeded.end_session(session, SessionStatus.FINISHED, T0 + n)
        last_open = rng.random() < 0.5
        if not last_open:
            await seeded.claim_daily_reveal(guild, days[-1], "one", T0, lease=LEASE)
            await seeded.mark_daily_revealed(guild, days[-1], "one", T0)
        missed = {BOB} if rng.random() < 0.3 else set()
        stored = await seeded.daily_streaks(guild, missed=missed)
        assert stored == streaks(days, solves, last_open=last_open, missed=missed), guild
        going = await seeded.daily_streaks(guild, missed=missed, going_only=True)
        assert going.items() <= stored.items()
        assert {u for u, streak in stored.items() if streak.current} <= going.keys()
        for user in (ADA, BOB):
            assert await seeded.daily_streaks(guild, user, missed=missed) == (
                {user: stored[user]} if user in stored else {}
            )
        today = days[-1] + rng.randint(0, 2)
        calendar = list(range(days[0], today + 1))
        in_terminal = await seeded.daily_streaks(guild, today=today)
        assert in_terminal == streaks(calendar, solves, last_open=True), guild
