"""Tests for RaceManager: the lobby, answers scored by the race formula, the early close when
every racer has answered, one game per channel, stopping, and resuming after a restart.

Time is a FakeClock: the lobby and the deadlines pass when a test advances it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.challenges import ChallengeRunning, LiveChallenge, ProblemClosed, RaceManager
from bot.content import ContentLibrary
from bot.engine.problems import Pack
from bot.engine.race import RaceSession
from bot.engine.session import ChallengeError, HintRefused
from bot.storage import Database, SessionMode, SessionStatus
from tests.challenges.fakes import (
    ALICE,
    BOB,
    CHANNEL,
    GUILD,
    MESSAGE_IDS,
    SCALE,
    FakeView,
    manager_for,
    start,
)
from tests.engine.conftest import FakeClock, make_pack, make_problem

CAROL = 3
LOBBY = 4.0
SECONDS = 20.0
T = SECONDS * SCALE  # the guild's timer scale applies to races too


def formula(taken: float) -> int:
    """The issue's race formula for a right answer `taken` seconds in (no streak)."""
    return round(1000 * (1 - taken / (2 * T)))


@dataclass
class RaceFakeView(FakeView):
    """FakeView that also records lobbies and who had joined at each lobby update."""

    lobbies: list[tuple[int, float]] = field(default_factory=list)  # (message id, start)
    racers_shown: list[list[int]] = field(default_factory=list)

    async def show_lobby(self, live: LiveChallenge, starts_at: float) -> int:
        message_id = next(MESSAGE_IDS)
        self.lobbies.append((message_id, starts_at))
        self.changed.set()
        return message_id

    async def show_racers(self, live: LiveChallenge, lobby_id: int, starts_at: float) -> None:
        assert isinstance(live.session, RaceSession)
        self.racers_shown.append(list(live.session.entrants))


def three_problem_pack() -> Pack:
    """Three problems, one per level so they play in order: answers B, C, A."""
    return make_pack(
        make_problem("r1", answer="B", time_limit=60),
        make_problem("r2", answer="C", time_limit=60, level="intermediate"),
        make_problem("r3", answer="A", time_limit=60, level="advanced"),
    )


def race_manager(db: Database, view: RaceFakeView, clock: FakeClock, **kwargs: Any) -> RaceManager:
    """A race manager of the three-problem pack, its timers on `clock`."""
    pack = three_problem_pack()
    library = ContentLibrary({pack.id: pack}, {pack.id: Path("tiny.yaml")})
    return RaceManager(
        db, library, view, clock, seconds=SECONDS, lobby=LOBBY, sleep=clock.sleep, **kwargs
    )


async def start_race(manager: RaceManager) -> LiveChallenge:
    """Alice starts a race of the whole pack in CHANNEL."""
    live = await manager.start(
        guild_id=GUILD,
        guild_name="Study group",
        channel_id=CHANNEL,
        user_id=ALICE,
        user_name="alice",
        pack_id="tiny",
        count=None,
    )
    return live


async def answer_at(
    manager: RaceManager, live: LiveChallenge, user: int, option: str, taken: float
) -> int:
    """`user` answers the open problem `taken` seconds after it opened (the manager's
    clock moves on to then); their points."""
    current = live.session.current
    assert current is not None
    assert live.message_id is not None
    clock = manager.clock
    assert isinstance(clock, FakeClock)
    assert current.opened_at + taken >= clock(), "answers come in the order they arrive"
    clock.advance(current.opened_at + taken - clock())
    outcome = await manager.answer(
        message_id=live.message_id, user_id=user, user_name=f"user{user}", option=option
    )
    return outcome.attempt.points


async def past_the_lobby(
    manager: RaceManager, view: RaceFakeView, clock: FakeClock, *joined: int
) -> LiveChallenge:
    """Start a race, let `joined` join in its lobby, and wait for the first problem."""
    live = await start_race(manager)
    lobby_id = view.lobbies[-1][0]
    for user in joined:
        assert await manager.join(message_id=lobby_id, user_id=user)
    clock.advance(LOBBY)
    await view.until(lambda: len(view.problems) == 1)
    return live


async def test_a_race_opens_a_lobby_then_its_first_problem(db: Database, clock: FakeClock) -> None:
    """No problem during the lobby; at its end problem 1 opens for T seconds."""
    view = RaceFakeView()
    manager = race_manager(db, view, clock)
    live = await start_race(manager)
    ((lobby_id, starts_at),) = view.lobbies
    assert starts_at == clock() + LOBBY
    assert view.problems == []
    stored = await db.session(live.session_id)
    assert stored is not None
    assert stored.mode is SessionMode.RACE
    assert (stored.opened_at, stored.deadline) == (starts_at, starts_at + T)
    assert await manager.join(message_id=lobby_id, user_id=BOB)
    assert not await manager.join(message_id=lobby_id, user_id=BOB)  # once is enough
    assert view.racers_shown == [[ALICE, BOB]]
    clock.advance(LOBBY)
    await view.until(lambda: view.problems)
    opened = view.problems[0]
    assert opened.deadline - opened.opened_at == T
    assert opened.problem.attempts == 1
    with pytest.raises(ProblemClosed, match="has started"):
        await manager.join(message_id=lobby_id, user_id=CAROL)
    await manager.close()


async def test_a_problem_closes_once_every_racer_answered(db: Database, clock: FakeClock) -> None:
    """Three joined: the problem is revealed at the third answer, long before T."""
    view = RaceFakeView()
    manager = race_manager(db, view, clock)
    live = await past_the_lobby(manager, view, clock, BOB, CAROL)
    await answer_at(manager, live, ALICE, "B", 1.0)
    await answer_at(manager, live, BOB, "B", 2.0)
    assert view.reveals == []
    await answer_at(manager, live, CAROL, "D", 3.0)
    await view.until(lambda: len(view.problems) == 2)  # no clock moved: closed early
    assert [r.problem.id for r in view.reveals] == ["r1"]
    assert view.shown_progress[1].still_trying == 3
    await manager.close()


async def test_race_points_are_stored_and_counted_on_the_leaderboard(
    db: Database, clock: FakeClock
) -> None:
    """Every right answer is stored with its formula points and streak bonus, and the
    leaderboard adds them up like challenge points."""
    view = RaceFakeView()
    manager = race_manager(db, view, clock)
    live = await past_the_lobby(manager, view, clock, BOB)
    assert await answer_at(manager, live, ALICE, "B", 1.0) == formula(1.0)
    assert await answer_at(manager, live, BOB, "B", 6.0) == formula(6.0)
    await view.until(lambda: len(view.problems) == 2)
    assert await answer_at(manager, live, BOB, "A", 0.5) == 0
    assert await answer_at(manager, live, ALICE, "C", 2.5) == formula(2.5) + 100
    await view.until(lambda: len(view.problems) == 3)
    assert await answer_at(manager, live, BOB, "A", 4.0) == formula(4.0)
    assert await answer_at(manager, live, ALICE, "A", 9.0) == formula(9.0) + 200
    await view.until(lambda: view.summaries)
    summary, _, status = view.summaries[0]
    assert status is SessionStatus.FINISHED
    alice = formula(1.0) + formula(2.5) + 100 + formula(9.0) + 200
    bob = formula(6.0) + formula(4.0)
    assert [(s.user_id, s.points) for s in summary.scores] == [(ALICE, alice), (BOB, bob)]
    board = await db.leaderboard(GUILD)
    assert [(row.user_id, row.points, row.correct) for row in board] == [
        (ALICE, alice, 3),
        (BOB, bob, 2),
    ]


async def test_a_wrong_answer_is_final_and_hints_are_refused(
    db: Database, clock: FakeClock
) -> None:
    """One answer per racer per problem; no hint is given or charged."""
    view = RaceFakeView()
    manager = race_manager(db, view, clock)
    live = await past_the_lobby(manager, view, clock, BOB)
    await answer_at(manager, live, BOB, "A", 1.0)
    with pytest.raises(ChallengeError, match="first answer is final"):
        await answer_at(manager, live, BOB, "B", 3.0)  # past the double-tap guard
    with pytest.raises(HintRefused):
        await manager.take_hint(
            message_id=live.message_id, channel_id=CHANNEL, user_id=ALICE, user_name="alice"
        )
    assert await db.hints_for_session(live.session_id) == []
    await manager.close()


async def test_a_race_and_a_challenge_never_share_a_channel(db: Database, clock: FakeClock) -> None:
    """A second race is told one is running; a challenge meets the database's lock."""
    view = RaceFakeView()
    manager = race_manager(db, view, clock)
    live = await start_race(manager)
    with pytest.raises(ChallengeRunning) as caught:
        await start_race(manager)
    assert caught.value.live is live
    challenges = manager_for(db, FakeView(), clock)
    with pytest.raises(ChallengeError, match="challenge or a race is already running"):
        await start(challenges)
    await manager.close()


async def test_stopping_in_the_lobby_ends_the_race(db: Database, clock: FakeClock) -> None:
    """The starter stops the race before it starts: no problem ever opens."""
    view = RaceFakeView()
    manager = race_manager(db, view, clock)
    live = await start_race(manager)
    await manager.stop(CHANNEL, ALICE, is_moderator=False)
    clock.advance(LOBBY)
    await view.until(lambda: view.summaries)
    assert view.problems == []
    assert view.summaries[0][2] is SessionStatus.STOPPED
    stored = await db.session(live.session_id)
    assert stored is not None
    assert stored.status is SessionStatus.STOPPED
    assert manager.lobby_of(view.lobbies[0][0]) is None


async def test_a_restart_mid_race_resumes_with_the_streak(db: Database, clock: FakeClock) -> None:
    """The bot goes down on problem 2; the new manager re-arms the race, keeps the time per
    problem, and scores Alice's next answer with her run of two."""
    view = RaceFakeView()
    manager = race_manager(db, view, clock)
    live = await past_the_lobby(manager, view, clock, BOB)
    await answer_at(manager, live, ALICE, "B", 1.0)
    await answer_at(manager, live, BOB, "B", 1.0)
    await view.until(lambda: len(view.problems) == 2)
    await manager.close()

    again = RaceFakeView()
    restarted = race_manager(db, again, clock)
    assert await manager_for(db, FakeView(), clock).resume_all() == []  # not a challenge's
    (found,) = await restarted.resume_all()
    assert not found.late
    restarted.replays_done(found.message_id)
    resumed = restarted.in_channel(CHANNEL)
    assert resumed is not None
    assert resumed.message_id == found.message_id
    assert await answer_at(restarted, resumed, ALICE, "C", 3.0) == formula(3.0) + 100
    assert resumed.session.current is not None  # Bob answered problem 1: still waited for
    await answer_at(restarted, resumed, BOB, "C", 4.0)
    await again.until(lambda: len(again.problems) == 1)
    assert again.problems[0].deadline - again.problems[0].opened_at == T
    await restarted.close()


async def test_a_restart_in_the_lobby_starts_the_race(db: Database, clock: FakeClock) -> None:
    """Down during the lobby: back, the bot posts problem 1 with the race's full time."""
    view = RaceFakeView()
    manager = race_manager(db, view, clock)
    await start_race(manager)
    await manager.close()
    again = RaceFakeView()
    restarted = race_manager(db, again, clock)
    assert await restarted.resume_all() == []
    opened = again.problems[0]
    assert opened.number == 1
    assert opened.deadline - opened.opened_at == T
    assert "Problem 1/3 did not get posted" in again.notices[0][1]
    await restarted.close()
