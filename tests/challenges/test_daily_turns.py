"""Tests for the daily turns on a FakeClock: a schedule a minute ahead posts once, each
day's answer comes just before the next problem, two processes on one database post a
day once, a claim left by a dead process is finished by another, a restart catches up
the missed day (once), and `now`, `off` and a new time do what admins expect."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.challenges import LiveChallenge
from bot.challenges.daily_turns import DailyOff, TurnResult
from bot.engine.daily_times import DailyTime, day_number
from bot.engine.pace import Progress
from bot.engine.session import OpenProblem
from bot.storage import Database, SessionStatus
from tests.challenges.daily_setup import (
    LEASE,
    Process,
    answered,
    at_utc,
    first_post,
    schedule,
)
from tests.challenges.fakes import BOB, CHANNEL, GUILD, FakeView, manager_for, start
from tests.engine.conftest import FakeClock

NINE = DailyTime(9, 0)  # 09:00 UTC
START = at_utc(2025, 3, 3, 8, 59)  # a minute before Monday's posting time
DAY = 86_400.0


@pytest.fixture
def clock() -> FakeClock:
    """The turns' clock, a minute before 09:00 UTC on 3 March 2025."""
    return FakeClock(START)


@contextlib.asynccontextmanager
async def looping(process: Process) -> AsyncIterator[asyncio.Task[None]]:
    """The process's turn loop running in the background; cancelled on exit."""
    task = asyncio.create_task(process.turns.run())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def next_round(process: Process, clock: FakeClock, seconds: float = 0) -> None:
    """Move the clock on, and wait for the loop to finish the round it woke for."""
    checked = process.turns.last_check
    clock.advance(seconds)
    async with asyncio.timeout(5):
        # The round waits on the database's threads, which the clock knows nothing of.
        while process.turns.last_check in (checked, None):  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_a_schedule_a_minute_ahead_posts_once_at_the_time(
    db: Database, clock: FakeClock
) -> None:
    """Set at 08:59 for 09:00: nothing at once; at 09:00 one problem, open until tomorrow's;
    later rounds that day post nothing more."""
    process = Process(db, clock, "one")
    await schedule(db, clock, NINE)
    assert await process.turns.check() == pytest.approx(60)
    assert process.posted_days == []
    clock.advance(60)
    assert await process.turns.check() == process.turns.idle  # nothing due before tomorrow
    assert len(process.view.problems) == 1
    assert process.view.problems[0].deadline == at_utc(2025, 3, 4, 9, 0)
    for _ in range(3):
        clock.advance(3600)
        await process.turns.check()
    assert len(process.view.problems) == 1
    record = await db.daily_record(GUILD, day_number(NINE.day_of(clock())))
    assert record is not None
    assert record.posted
    assert record.message_id is not None


async def test_the_loop_posts_each_day_after_revealing_the_day_before(
    db: Database, clock: FakeClock
) -> None:
    """Run for three days on the loop: three problems, and before the 2nd and 3rd the
    answer to the one before, each once; the problems differ."""
    process = Process(db, clock, "one")
    await schedule(db, clock, NINE)
    async with looping(process):
        await next_round(process, clock)
        for _ in range(3):
            await next_round(process, clock, DAY)
    posted = process.posted_days
    assert len(posted) == 3
    assert len(set(posted)) == 3
    assert [reveal.problem.id for reveal in process.view.reveals] == posted[:2]
    sessions = await db.open_daily_sessions()
    assert [stored.problem_ids[0] for stored, _ in sessions] == [posted[2]]


async def test_the_answer_is_posted_just_before_the_next_problem(
    db: Database, clock: FakeClock
) -> None:
    """At the second posting time the view sees the reveal of day 1, then day 2's problem."""
    events: list[str] = []
    process = Process(db, clock, "one")
    shown, revealed = process.view.show_problem, process.view.show_reveal

    async def show_problem(live: LiveChallenge, opened: OpenProblem, progress: Progress) -> int:
        events.append(f"problem {opened.problem.id}")
        return await shown(live, opened, progress)

    async def show_reveal(live: LiveChallenge, reveal: object) -> None:
        events.append(f"answer {reveal.problem.id}")  # type: ignore[attr-defined]
        await revealed(live, reveal)  # type: ignore[arg-type]

    process.view.show_problem = show_problem  # type: ignore[method-assign]
    process.view.show_reveal = show_reveal  # type: ignore[method-assign]
    await schedule(db, clock, NINE)
    clock.advance(60)
    await process.turns.check()
    clock.advance(DAY)
    await process.turns.check()
    first, second = process.posted_days
    assert events == [f"problem {first}", f"answer {first}", f"problem {second}"]


async def test_two_processes_on_one_database_post_a_day_once(
    tmp_path: Path, clock: FakeClock
) -> None:
    """Two processes (two Database objects on one file, two owners) check at the same
    instant, day after day: every day is posted by exactly one, and revealed once."""
    path = tmp_path / "shared.db"
    async with await Database.open(path) as one_db, await Database.open(path) as two_db:
        await one_db.upsert_guild(GUILD, "Study group")
        one, two = Process(one_db, clock, "one"), Process(two_db, clock, "two")
        await schedule(one_db, clock, NINE)
        for _ in range(4):
            clock.advance(DAY)
            await asyncio.gather(one.turns.check(), two.turns.check())
        posts = one.posted_days + two.posted_days
        reveals = [r.problem.id for r in one.view.reveals + two.view.reveals]
        [(open_now, _)] = await one_db.open_daily_sessions()
    assert len(posts) == len(set(posts)) == 4
    # Each day's answer once, the last day's still to come.
    assert sorted(reveals) == sorted(set(posts) - {open_now.problem_ids[0]})


async def test_a_day_claimed_by_a_process_that_died_is_posted_by_another_after_the_lease(
    db: Database, clock: FakeClock
) -> None:
    """A process claims 09:00's day, chooses its problem and dies before posting: another
    waits for the lease, then posts that same problem, once."""
    await schedule(db, clock, NINE)
    clock.advance(60)
    dead = Process(db, clock, "dead")
    day = day_number(NINE.turn(clock()))
    claim = await db.claim_daily(GUILD, day, "dead", clock(), lease=LEASE)
    chosen = await dead.turns.picker.for_claim(db, claim, "dead")
    assert chosen is not None
    alive = Process(db, clock, "alive")
    assert await alive.turns.check() == pytest.approx(LEASE)  # it looks again at the lease
    assert alive.posted_days == []
    clock.advance(LEASE)
    await alive.turns.check()
    assert alive.posted_days == [chosen.problem.id]
    clock.advance(LEASE)
    await alive.turns.check()
    assert alive.posted_days == [chosen.problem.id]


async def test_a_post_that_failed_is_retried_with_the_same_session(
    db: Database, clock: FakeClock
) -> None:
    """Discord refuses the post: the session stays, unposted; the next round posts that
    session's problem, and only one daily session exists for the day."""
    process = Process(db, clock, "one")
    posting = process.view.show_problem
    failures = [RuntimeError("Discord is down")]

    async def flaky(live: LiveChallenge, opened: OpenProblem, progress: Progress) -> int:
        if failures:
            raise failures.pop()
        return await posting(live, opened, progress)

    process.view.show_problem = flaky  # type: ignore[method-assign]
    await schedule(db, clock, NINE)
    clock.advance(60)
    assert await process.turns.check() == pytest.approx(process.turns.retry)
    assert process.posted_days == []
    clock.advance(process.turns.retry)
    await process.turns.check()
    assert len(process.posted_days) == 1
    day = day_number(NINE.turn(clock()))
    [session] = await db.daily_sessions(GUILD, day)
    assert session.message_id is not None


async def test_a_restart_catches_up_the_missed_day_at_once_and_only_once(
    db: Database, clock: FakeClock
) -> None:
    """Down from Monday 10:00 to Wednesday 09:30: the restarted process reveals Monday's
    problem and posts Wednesday's at once (Tuesday's never comes), and then no more."""
    before = Process(db, clock, "before")
    await schedule(db, clock, NINE)
    clock.advance(60)
    await before.turns.check()
    await answered(before, BOB)
    await before.problems.close()
    clock.advance(2 * DAY + 30 * 60)
    after = Process(db, clock, "after")
    assert await after.problems.resume_all(lambda guild: True) != []
    await after.turns.check()
    assert [r.problem.id for r in after.view.reveals] == before.posted_days
    assert after.view.reveals[0].solved_by_attempt == {1: [BOB]}
    assert len(after.posted_days) == 1
    wednesday = NINE.turn(clock())
    assert await db.daily_record(GUILD, day_number(wednesday) - 1) is None  # Tuesday
    for _ in range(3):
        clock.advance(600)
        await after.turns.check()
    assert len(after.posted_days) == 1
    assert len(after.view.reveals) == 1


async def test_now_posts_todays_problem_before_its_time_and_the_time_posts_nothing_more(
    db: Database, clock: FakeClock
) -> None:
    """`now` at 08:59 posts today's; 09:00 finds it out; `now` again says it is out."""
    process = Process(db, clock, "one")
    await schedule(db, clock, NINE)
    turn = await process.turns.post_now(GUILD)
    assert turn.result is TurnResult.POSTED
    assert process.view.problems[0].deadline == at_utc(2025, 3, 4, 9, 0)
    clock.advance(60)
    await process.turns.check()
    again = await process.turns.post_now(GUILD)
    assert again.result is TurnResult.DONE
    assert turn.record is not None
    assert again.record == turn.record
    assert len(process.posted_days) == 1


async def test_now_without_a_schedule_is_refused(db: Database, clock: FakeClock) -> None:
    """No schedule (or one turned off): `now` says daily problems are off."""
    process = Process(db, clock, "one")
    with pytest.raises(DailyOff):
        await process.turns.post_now(GUILD)
    await schedule(db, clock, NINE)
    await db.disable_daily_schedule(GUILD)
    with pytest.raises(DailyOff):
        await process.turns.post_now(GUILD)


async def test_off_leaves_todays_problem_open_until_its_time_then_reveals_it(
    db: Database, clock: FakeClock
) -> None:
    """Turned off after Monday's post: Tuesday 09:00 reveals Monday's problem, posts none."""
    process = await first_post(db, clock, NINE)
    await db.disable_daily_schedule(GUILD)
    clock.advance(DAY - 60)
    await process.turns.check()
    assert process.view.reveals == []
    clock.advance(60)
    await process.turns.check()
    assert [r.problem.id for r in process.view.reveals] == process.posted_days
    assert len(process.posted_days) == 1
    assert await db.open_daily_sessions() == []


async def test_a_new_time_moves_the_open_problems_close_and_the_next_post(
    db: Database, clock: FakeClock
) -> None:
    """At 10:00 the time moves from 09:00 to 18:00: Monday's problem now closes Tuesday
    18:00, and Tuesday 09:00 posts nothing; Tuesday 18:00 does."""
    process = await first_post(db, clock, NINE)
    clock.advance(3600)
    await schedule(db, clock, DailyTime(18, 0))
    await process.turns.rescheduled(GUILD)
    live = process.problems.live_in(GUILD)
    assert live is not None
    assert live.session.current is not None
    assert live.session.current.deadline == at_utc(2025, 3, 4, 18, 0)
    assert process.view.progress  # the post was edited to show it
    clock.advance(DAY - 3600)  # Tuesday 09:00
    await process.turns.check()
    assert len(process.posted_days) == 1
    clock.advance(9 * 3600)  # Tuesday 18:00
    await process.turns.check()
    assert len(process.posted_days) == 2


async def test_a_daily_problem_does_not_stop_a_challenge_in_its_channel(
    db: Database, clock: FakeClock
) -> None:
    """The daily problem open in the channel; a challenge starts and plays there."""
    await first_post(db, clock, NINE)
    manager = manager_for(db, FakeView(), clock)
    live = await start(manager, channel=CHANNEL)
    assert live.message_id is not None
    stored = await db.session(live.session_id)
    assert stored is not None
    assert stored.status is SessionStatus.OPEN
    await manager.close()


async def test_now_before_the_time_after_a_missed_day_leaves_the_missed_day_alone(
    db: Database, clock: FakeClock
) -> None:
    """The bot was down at Monday's time; on Tuesday at 08:00 `now` posts Tuesday's: the
    round at 08:00, whose turn is still Monday's, posts nothing and fails nothing."""
    process = Process(db, clock, "one")
    await schedule(db, clock, NINE)
    clock.advance(DAY - 3600)  # Tuesday 07:59, Monday's 09:00 missed
    await process.turns.post_now(GUILD)
    assert await process.turns.check() == process.turns.idle  # not a retry: nothing failed
    clock.advance(3600)  # Tuesday 09:00: out already
    await process.turns.check()
    assert len(process.posted_days) == 1
    assert await db.daily_record(GUILD, day_number(NINE.day_of(clock())) - 1) is None  # Monday
