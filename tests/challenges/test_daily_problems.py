"""Tests for the live daily problems: answered like a challenge problem (attempts, the
hint, no speed bonus), never revealed early, revealed with every stored answer whichever
process took it, streaks over simulated days in a zone far from UTC, and generated days."""

from __future__ import annotations

import random
from collections.abc import Collection
from datetime import timedelta

import pytest

from bot.challenges import ProblemClosed
from bot.engine.daily_times import DailyTime, day_number
from bot.engine.problems import Problem
from bot.engine.session import NoAttemptsLeft
from bot.engine.streaks import Streak
from bot.storage import Database
from tests.challenges.daily_setup import Process, answered, at_utc, first_post, schedule
from tests.challenges.fakes import ALICE, BOB, GUILD
from tests.engine.conftest import FakeClock, make_problem

# 09:00 in Los Angeles is 17:00 UTC (PST): a day's problem is answered past UTC midnight.
LOS_ANGELES = DailyTime(9, 0, "America/Los_Angeles")
HOUR = 3600.0
CAROL = 5
DAY = 24 * HOUR


@pytest.fixture
def clock() -> FakeClock:
    """A minute before 09:00 in Los Angeles on Monday 3 March 2025."""
    return FakeClock(at_utc(2025, 3, 3, 16, 59))


async def test_answers_count_like_a_challenges_and_nobody_is_waited_for(
    db: Database, clock: FakeClock
) -> None:
    """Two attempts each, the points of a challenge without the speed bonus; everyone done
    reveals nothing: the daily problem stays open until the next one."""
    process = await first_post(db, clock, LOS_ANGELES)
    await db.update_guild_settings(GUILD, speed_bonus=True)
    await answered(process, BOB, "A")
    await answered(process, CAROL, "A")
    clock.advance(2)  # past the double-tap guard: second guesses, not slips
    await answered(process, BOB, "B")
    await answered(process, CAROL, "C")
    await answered(process, ALICE, "B")
    clock.advance(2)
    with pytest.raises(NoAttemptsLeft):
        await answered(process, CAROL, "D")
    clock.advance(6 * HOUR)
    await process.turns.check()
    assert process.view.reveals == []
    live = process.problems.live_in(GUILD)
    assert live is not None
    attempts = await db.attempts_for_session(live.session_id)
    assert [(a.user_id, a.option, a.points) for a in attempts] == [
        (BOB, "A", 0),
        (CAROL, "A", 0),
        (BOB, "B", 50),
        (CAROL, "C", 0),
        (ALICE, "B", 100),  # no speed bonus, though the server has it on
    ]


async def test_the_hint_costs_points_as_in_a_challenge(db: Database, clock: FakeClock) -> None:
    """Taking the hint, then answering right first time, scores 100 - 30."""
    process = await first_post(db, clock, LOS_ANGELES)
    live = process.problems.live_in(GUILD)
    assert live is not None
    text, first = await process.problems.take_hint(
        message_id=live.message_id, channel_id=live.channel_id, user_id=BOB, user_name="bob"
    )
    assert first
    assert text == live.session.problems[0].hint
    await answered(process, BOB, "B")
    [attempt] = await db.attempts_for_session(live.session_id)
    assert attempt.points == 70


async def test_the_reveal_names_answers_stored_by_another_process(
    db: Database, clock: FakeClock
) -> None:
    """Bob answers through one process, Alice through another on the same database; the
    one that reveals names both, and the problem is closed in both."""
    one = await first_post(db, clock, LOS_ANGELES, "one")
    two = Process(db, clock, "two")
    await two.problems.resume_all(lambda guild: True)
    await answered(one, BOB, "B")
    await answered(two, ALICE, "B")
    clock.advance(DAY)
    await two.turns.check()
    [reveal] = two.view.reveals
    assert reveal.solved_by_attempt == {1: [BOB, ALICE]}
    live = one.problems.live_in(GUILD)
    assert live is not None  # one still has Monday's; its next round lets it go
    await one.turns.check()
    assert one.problems.live_in(GUILD) is None
    with pytest.raises(ProblemClosed):
        await one.problems.answer(
            message_id=live.message_id or 0, user_id=BOB, user_name="bob", option="B"
        )


async def test_the_open_daily_problem_is_hidden_from_run_until_its_reveal(
    db: Database, clock: FakeClock
) -> None:
    """The server's unrevealed problems include the daily one until the next day's turn."""
    process = await first_post(db, clock, LOS_ANGELES)
    [monday] = process.posted_days
    assert [p.id for p in process.problems.unrevealed_problems(GUILD)] == [monday]
    assert process.problems.unrevealed_problems(GUILD + 1) == []
    clock.advance(DAY)
    await process.turns.check()
    assert [p.id for p in process.problems.unrevealed_problems(None)] == process.posted_days[1:]


async def test_streaks_over_a_week_in_los_angeles_with_a_missed_day(
    db: Database, clock: FakeClock
) -> None:
    """Bob answers each day's problem at 22:00 local (06:00 UTC the next UTC day): it counts
    for its local day. He misses Thursday: Friday's run starts again, his best stays 3."""
    process = await first_post(db, clock, LOS_ANGELES)
    for weekday in range(5):  # Monday to Friday
        if weekday != 3:
            clock.advance(13 * HOUR)  # 22:00 in Los Angeles, 06:00 UTC
            await answered(process, BOB, "B")
            clock.advance(11 * HOUR)
        else:
            clock.advance(DAY)
        await process.turns.check()  # 09:00: the answer, then the next day's problem
    streaks = await db.daily_streaks(GUILD)
    assert streaks[BOB] == Streak(current=1, best=3, solved_open=False)
    # Saturday's problem is open: answering it makes the run 2, and says so.
    await answered(process, BOB, "B")
    assert (await db.daily_streaks(GUILD, BOB))[BOB] == Streak(2, 3, True)
    days = [day_number(LOS_ANGELES.day_of(clock()) - timedelta(days=n)) for n in range(6)]
    assert all([await db.daily_record(GUILD, day) for day in days])


async def test_a_generated_day_keeps_its_problem_and_resumes_after_a_restart(
    db: Database, clock: FakeClock
) -> None:
    """Every 4th day is generated when torch can: its problem is kept with the day and the
    session, so a restarted process takes it up and its reveal shows it."""
    made: list[str] = []

    async def generate(scheduler: str, rng: random.Random, taken: Collection[str]) -> Problem:
        made.append(scheduler)
        return Problem.model_validate(
            make_problem(
                f"fresh-{scheduler.lower()}-{len(made)}",
                kind="predict_output",
                code="print(0.1)",
                schedulers=[scheduler],
                subject=[scheduler],
            )
        )

    process = Process(db, clock, "one", generate=generate)
    await schedule(db, clock, LOS_ANGELES)
    for _ in range(8):  # days 1-3 shipped, then the first day predict-the-output may come
        clock.advance(DAY)
        await process.turns.check()
        if made:
            break
    assert made
    assert 4 <= len(process.posted_days) <= 6
    generated = process.posted_days[-1]
    assert generated.startswith("fresh-")
    await process.problems.close()
    after = Process(db, clock, "after")  # restarted, and with torch off
    assert len(await after.problems.resume_all(lambda guild: True)) == 1
    await answered(after, BOB, "B")
    clock.advance(DAY)
    await after.turns.check()
    [reveal] = after.view.reveals
    assert reveal.problem.id == generated
    assert reveal.first_try == [BOB]


async def test_out_of_attempts_on_the_open_problem_ends_the_run_at_once(
    db: Database, clock: FakeClock
) -> None:
    """Bob solved Monday's; on Tuesday's, still open, his run stands until he has used
    both attempts wrong: then it is over, without waiting for the reveal."""
    process = await first_post(db, clock, LOS_ANGELES)
    await answered(process, BOB, "B")
    clock.advance(DAY)
    await process.turns.check()
    assert (await process.turns.streaks(GUILD))[BOB] == Streak(1, 1, False)
    await answered(process, BOB, "A")
    assert (await process.turns.streaks(GUILD, BOB))[BOB] == Streak(1, 1, False)
    clock.advance(2)
    await answered(process, BOB, "C")
    assert (await process.turns.streaks(GUILD, BOB))[BOB] == Streak(0, 1, False)
