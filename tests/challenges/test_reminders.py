"""The review reminder loop: once a day when something is due, claimed through the database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.challenges.reminders import DAY, Delivery, ReviewReminders, stop, utc_day
from bot.engine.review import DEFAULT_STEPS, ReviewQueue
from bot.storage import Database
from tests.engine.conftest import FakeClock
from tests.storage.seeding import BOB, CY, answer, seed, start_session

EVERY = 300.0  # the loops check every 5 minutes of the fake clock
FIRST = DEFAULT_STEPS.intervals[0]


class Sender:
    """Records every reminder it is asked to send, answering with `delivery`."""

    def __init__(self, delivery: Delivery = Delivery.SENT) -> None:
        self.delivery = delivery
        self.sent: list[tuple[int, int, int]] = []  # (user, day, problems due)
        self.clock: FakeClock | None = None

    async def __call__(self, user_id: int, queue: ReviewQueue) -> Delivery:
        await asyncio.sleep(0)  # another loop may run meanwhile, as with a real DM
        day = utc_day(queue.now)
        if self.delivery is Delivery.SENT:
            self.sent.append((user_id, day, len(queue.due)))
        return self.delivery


@pytest.fixture
def clock() -> FakeClock:
    """Noon UTC of a day, so a day's checks stay on that day."""
    return FakeClock(start=20_000 * DAY + DAY / 2)


@pytest.fixture
async def db(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Database]:
    """The storage tests' players; Bob has reminders on and missed p1 just now."""
    async with await Database.open(tmp_path / "r.db") as database:
        await seed(database)
        await database.set_review_reminders(BOB, True)
        session = await start_session(database, started_at=clock())
        await answer(database, session, BOB, "p1", points=0, at=clock())
        yield database


def loop(db: Database, send: Sender, clock: FakeClock) -> ReviewReminders:
    """A reminder loop checking every 5 minutes of the fake clock."""
    return ReviewReminders(db, send, clock=clock, sleep=clock.sleep, every=EVERY)


class CountedReminders(ReviewReminders):
    """The reminder loop, counting its checks so a test can wait for each round."""

    def __init__(self, db: Database, send: Sender, clock: FakeClock, every: float) -> None:
        super().__init__(db, send, clock=clock, sleep=clock.sleep, every=every)
        self.checks = 0
        self.checked = asyncio.Event()

    async def check(self) -> list[int]:
        sent = await super().check()
        self.checks += 1
        self.checked.set()
        return sent

    async def until_checked(self, times: int, within: float = 5.0) -> None:
        """Wait (real time, at most `within` s) until the loop has checked `times` times."""
        async with asyncio.timeout(within):
            while self.checks < times:
                self.checked.clear()
                await self.checked.wait()


async def test_nothing_due_sends_nothing_then_the_due_problem_is_reminded(
    db: Database, clock: FakeClock
) -> None:
    """Just after the miss nothing is due; ten minutes on, one reminder about one problem."""
    send = Sender()
    reminders = loop(db, send, clock)
    assert await reminders.check() == []
    clock.advance(FIRST)
    assert await reminders.check() == [BOB]
    assert send.sent == [(BOB, utc_day(clock()), 1)]


async def test_one_reminder_a_day_even_after_a_restart(db: Database, clock: FakeClock) -> None:
    """Later checks that day, and a new loop (a restarted bot), send nothing more; the
    next day, still due, it is reminded again."""
    send = Sender()
    clock.advance(FIRST)
    assert await loop(db, send, clock).check() == [BOB]
    clock.advance(EVERY)
    assert await loop(db, send, clock).check() == []
    clock.advance(DAY)
    assert await loop(db, send, clock).check() == [BOB]
    assert [day for _, day, _ in send.sent] == [utc_day(clock()) - 1, utc_day(clock())]


async def test_two_loops_on_one_database_send_each_reminder_once(
    db: Database, clock: FakeClock
) -> None:
    """Two processes' loops (two Database objects on one file) check together, hourly, for
    three days: each player's reminder of each day is sent once, by one of them."""
    await db.set_review_reminders(CY, True)
    session = await start_session(db, channel=7, started_at=clock())
    await answer(db, session, CY, "p2", points=0, at=clock())
    first_day = utc_day(clock())
    async with await Database.open(db.path) as other:
        sends = (Sender(), Sender())
        loops = [
            CountedReminders(base, send, clock, every=3_600)
            for base, send in zip((db, other), sends, strict=True)
        ]
        tasks = [asyncio.create_task(reminders.run()) for reminders in loops]
        try:
            for hour in range(3 * 24 + 1):
                if hour:
                    clock.advance(3_600)
                for reminders in loops:
                    await reminders.until_checked(hour + 1)
        finally:
            for task in tasks:
                await stop(task)
    sent = sorted((user, day) for user, day, _ in sends[0].sent + sends[1].sent)
    # From noon of the first day to noon three days later: four UTC days.
    days = range(first_day, first_day + 4)
    assert sent == [(user, day) for user in (BOB, CY) for day in days]


async def test_closed_dms_stop_the_reminders(db: Database, clock: FakeClock) -> None:
    """A reminder that meets closed DMs turns them off: no retry, today or later."""
    send = Sender(Delivery.DMS_CLOSED)
    reminders = loop(db, send, clock)
    clock.advance(FIRST)
    assert await reminders.check() == []
    reminder = await db.review_reminder(BOB)
    assert reminder is not None
    assert (reminder.enabled, reminder.dms_closed_at) == (False, clock())
    clock.advance(DAY)
    assert await db.players_to_remind(clock(), utc_day(clock())) == []


async def test_a_passing_failure_is_retried_at_the_next_check(
    db: Database, clock: FakeClock
) -> None:
    """A DM that failed (not closed DMs) gives its claim back; the next check sends it."""
    send = Sender(Delivery.FAILED)
    reminders = loop(db, send, clock)
    clock.advance(FIRST)
    assert await reminders.check() == []
    send.delivery = Delivery.SENT
    clock.advance(EVERY)
    assert await reminders.check() == [BOB]
    assert await reminders.check() == []


async def test_a_sender_that_raises_does_not_stop_the_others(
    db: Database, clock: FakeClock
) -> None:
    """A bug in sending Bob's reminder is logged and retried later; Cy still gets hers."""
    await db.set_review_reminders(CY, True)
    session = await start_session(db, channel=7, started_at=clock())
    await answer(db, session, CY, "p2", points=0, at=clock())
    sent: list[int] = []

    async def send(user_id: int, queue: ReviewQueue) -> Delivery:
        if user_id == BOB:
            raise RuntimeError("bug")
        sent.append(user_id)
        return Delivery.SENT

    clock.advance(FIRST)
    reminders = ReviewReminders(db, send, clock=clock, sleep=clock.sleep)
    assert await reminders.check() == [CY]
    assert await db.players_to_remind(clock(), utc_day(clock())) == [BOB]
