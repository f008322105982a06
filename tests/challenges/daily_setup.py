"""What the daily problem tests share: a server scheduled at a local time, and one "bot
process" (live daily problems + their turns) on a FakeClock over a database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from bot.challenges.daily import DailyProblems
from bot.challenges.daily_pick import DailyPicker, GenerateProblem
from bot.challenges.daily_turns import DailyTurns
from bot.content import ContentLibrary
from bot.engine.daily_times import DailyTime
from bot.engine.pace import Pace
from bot.engine.problems import Pack
from bot.storage import DailySchedule, Database
from tests.challenges.fakes import CHANNEL, GUILD, FakeView
from tests.engine.conftest import FakeClock, make_pack, make_problem

ADMIN = 3
LEASE = 120.0
# Five problems of five kinds, so the rotation has something to rotate.
KINDS = ("conceptual", "debug", "metrics", "model_choice", "predict_output")


def daily_pack() -> Pack:
    """The pack `tiny`: d1..d5, one of each kind, each teaching another scheduler."""
    schedulers = ("StepLR", "LinearLR", "CyclicLR", "OneCycleLR", "ExponentialLR")
    return make_pack(
        *(
            make_problem(
                f"d{n}",
                answer="B",
                kind=kind,
                schedulers=[name],
                subject=[name],
                code="print(1)" if kind == "predict_output" else None,
            )
            for n, (kind, name) in enumerate(zip(KINDS, schedulers, strict=True), start=1)
        )
    )


def at_utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> float:
    """The unix time of a UTC date and time."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp()


async def schedule(
    db: Database, clock: FakeClock, when: DailyTime, *, channel: int = CHANNEL
) -> DailySchedule:
    """The admin schedules the server's daily problem now (guild upserted by the fixture)."""
    return await db.set_daily_schedule(
        GUILD,
        channel,
        when.minute_of_day,
        when.zone,
        since=clock(),
        set_by=ADMIN,
        display_name="admin",
    )


@dataclass
class Process:
    """One bot process: its view, its live daily problems and its turns."""

    db: Database
    clock: FakeClock
    owner: str
    generate: GenerateProblem | None = None
    view: FakeView = field(default_factory=FakeView)
    pack: Pack = field(default_factory=daily_pack)

    def __post_init__(self) -> None:
        library = ContentLibrary({self.pack.id: self.pack}, {self.pack.id: Path("tiny.yaml")})
        self.problems = DailyProblems(
            self.db,
            library,
            self.view,
            self.clock,
            pace=Pace(grace=1.0, join_window=1.0, retry_window=2.0),
            sleep=self.clock.sleep,
        )
        self.turns = DailyTurns(
            self.db,
            self.problems,
            DailyPicker(library, self.generate),
            clock=self.clock,
            sleep=self.clock.sleep,
            owner=self.owner,
            lease=LEASE,
        )

    @property
    def posted_days(self) -> list[str]:
        """The problems this process posted, in order, by problem id."""
        return [opened.problem.id for opened in self.view.problems]


def local_day(when: DailyTime, at: float) -> date:
    """The schedule's local day at `at`."""
    return when.day_of(at)


async def answered(
    process: Process, user_id: int, option: str = "B", *, at: float | None = None
) -> None:
    """`user_id` answers the server's daily problem live in `process`."""
    live = process.problems.live_in(GUILD)
    assert live is not None
    assert live.message_id is not None
    await process.problems.answer(
        message_id=live.message_id,
        user_id=user_id,
        user_name=f"user{user_id}",
        option=option,
        answered_at=at,
    )


async def first_post(
    db: Database, clock: FakeClock, when: DailyTime, owner: str = "one"
) -> Process:
    """A process that posted the first daily problem: scheduled `when` a minute before it
    comes, then a round at that time."""
    process = Process(db, clock, owner)
    await schedule(db, clock, when)
    clock.advance(60)
    await process.turns.check()
    assert len(process.posted_days) == 1
    return process
