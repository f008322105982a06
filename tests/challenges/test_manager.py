"""Tests for ChallengeManager: engine + SQLite + timers, driven through a fake view.

Time is a FakeClock: deadlines pass when a test advances it, never by waiting.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.challenges import (
    ChallengeNotAllowedHere,
    ChallengeRunning,
    NoChallengeHere,
    NotYourChallenge,
    ProblemClosed,
    ReadBack,
)
from bot.engine.problems import Pack
from bot.engine.session import (
    ChallengeError,
    DeadlinePassed,
    OptionAlreadyTried,
)
from bot.storage import Database, SessionStatus
from tests.challenges.fakes import (
    ALICE,
    BOB,
    CHANNEL,
    DEADLINE,
    GUILD,
    OTHER_CHANNEL,
    SCALE,
    FakeView,
    manager_for,
    start,
)
from tests.engine.conftest import FakeClock, make_pack, make_problem
from tests.storage.sql_trace import traced_statements, transactions


async def test_start_posts_and_stores_the_first_problem(db: Database, clock: FakeClock) -> None:
    """Starting stores the session with the problem's deadline and message id."""
    view = FakeView()
    manager = manager_for(db, view, clock)
    live = await start(manager)
    stored = await db.session(live.session_id)
    assert stored is not None
    assert stored.message_id == live.message_id
    assert stored.deadline == view.problems[0].deadline
    assert view.problems[0].deadline - view.problems[0].opened_at == pytest.approx(10 * SCALE)
    await manager.close()


async def test_answer_is_on_disk_before_it_is_acknowledged(db: Database, clock: FakeClock) -> None:
    """When answer() returns, the attempt is already in SQLite."""
    manager = manager_for(db, FakeView(), clock, grace=60)
    live = await start(manager)
    assert live.message_id is not None
    outcome = await manager.answer(
        message_id=live.message_id, user_id=BOB, user_name="bob", option="a"
    )
    assert not outcome.correct
    stored = await db.attempts_for_session(live.session_id)
    assert [(a.user_id, a.option, a.correct) for a in stored] == [(BOB, "A", False)]
    await manager.close()


async def test_an_answer_is_one_write_transaction(db: Database, clock: FakeClock) -> None:
    """Storing an answer (the player's name and the attempt) takes one BEGIN ... COMMIT."""
    manager = manager_for(db, FakeView(), clock, grace=60)
    live = await start(manager)
    assert live.message_id is not None
    async with traced_statements(db) as statements:
        await manager.answer(message_id=live.message_id, user_id=BOB, user_name="bob", option="A")
    assert transactions(statements) == 1
    assert [(a.user_id, a.option) for a in await db.attempts_for_session(live.session_id)] == [
        (BOB, "A")
    ]
    await manager.close()


async def test_a_first_hint_is_one_write_transaction(db: Database, clock: FakeClock) -> None:
    """Charging a hint (the player's name and the hint) takes one BEGIN ... COMMIT."""
    manager = manager_for(db, FakeView(), clock, grace=60)
    live = await start(manager)
    async with traced_statements(db) as statements:
        await manager.take_hint(
            message_id=live.message_id, channel_id=CHANNEL, user_id=BOB, user_name="bob"
        )
    assert transactions(statements) == 1
    await manager.close()


async def test_failed_write_does_not_use_up_an_attempt(
    db: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If SQLite refuses the attempt, the player keeps it: nothing is counted unstored."""
    manager = manager_for(db, FakeView(), clock, grace=60)
    live = await start(manager)
    assert live.message_id is not None

    async def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(db, "save_attempt", broken)
    with pytest.raises(OSError, match="disk full"):
        await manager.answer(message_id=live.message_id, user_id=BOB, user_name="b", option="A")
    assert live.session.attempts_left(BOB) == 2
    await manager.close()


async def test_whole_challenge_runs_to_the_badge(db: Database, clock: FakeClock) -> None:
    """Everyone done → early reveal → next problem → summary, badge stored once."""
    view = FakeView()
    manager = manager_for(db, view, clock)
    live = await start(manager)
    first = live.message_id
    assert first is not None
    await manager.answer(message_id=first, user_id=ALICE, user_name="a", option="B")
    clock.advance(DEADLINE)  # the first problem always runs to its deadline
    await view.until(lambda: live.message_id not in (None, first))
    assert view.reveals[0].first_try == [ALICE]
    second = live.message_id
    assert second is not None
    await manager.answer(message_id=second, user_id=ALICE, user_name="a", option="C")
    assert live.timer_due == clock() + manager.pace.grace  # everyone done: only the grace left
    clock.advance(manager.pace.grace)
    await view.until(lambda: view.summaries)
    _, new_badges, status = view.summaries[0]
    assert status is SessionStatus.FINISHED
    assert new_badges == [ALICE]
    assert [b.badge for b in await db.badges_for(GUILD, ALICE)] == ["Tiny Master"]
    assert manager.in_channel(CHANNEL) is None
    stored = await db.session(live.session_id)
    assert stored is not None
    assert stored.status is SessionStatus.FINISHED


async def test_deadline_reveals_without_anyone_answering(db: Database, clock: FakeClock) -> None:
    """With no answers, each problem is revealed at its deadline and the set ends."""
    view = FakeView()
    manager = manager_for(db, view, clock)
    await start(manager)
    clock.advance(DEADLINE - 0.5)
    await asyncio.sleep(0.01)  # a timer that ignored the clock would have a chance to fire
    assert view.reveals == []
    clock.advance(0.5)
    await view.until(lambda: len(view.problems) == 2)
    assert len(view.reveals) == 1
    clock.advance(DEADLINE)
    await view.until(lambda: view.summaries)
    assert len(view.reveals) == 2
    assert view.summaries[0][0].scores == []


async def test_late_answer_and_closed_problem_are_refused(db: Database, clock: FakeClock) -> None:
    """An answer after the deadline, or to a revealed problem, does not count."""
    view = FakeView()
    manager = manager_for(db, view, clock, grace=60)
    live = await start(manager)
    first = live.message_id
    assert first is not None
    clock.advance(DEADLINE)
    await view.until(lambda: len(view.problems) == 2)
    with pytest.raises(ProblemClosed):
        await manager.answer(message_id=first, user_id=BOB, user_name="b", option="B")
    assert manager.knows_message(first)
    await manager.close()


async def test_answer_past_deadline_before_the_timer_fires(db: Database, clock: FakeClock) -> None:
    """The engine's deadline holds even if the reveal has not happened yet."""
    manager = manager_for(db, FakeView(), clock, grace=60)
    live = await start(manager)
    assert live.message_id is not None
    assert live.timer is not None
    live.timer.cancel()  # the reveal is late, as under heavy load
    clock.advance(DEADLINE + 0.5)
    with pytest.raises(DeadlinePassed):
        await manager.answer(message_id=live.message_id, user_id=BOB, user_name="b", option="B")
    await manager.close()


async def test_one_challenge_per_channel(db: Database, clock: FakeClock) -> None:
    """A second start in the same channel is refused and names the running one."""
    manager = manager_for(db, FakeView(), clock, grace=60)
    live = await start(manager)
    with pytest.raises(ChallengeRunning) as caught:
        await start(manager)
    assert caught.value.live is live
    other = await start(manager, OTHER_CHANNEL)
    assert other is not live
    await manager.close()


async def test_channels_can_be_restricted(db: Database, clock: FakeClock) -> None:
    """Outside the allowed channels a challenge is refused, naming where it may run."""
    await db.update_guild_settings(GUILD, allowed_channel_ids=[OTHER_CHANNEL])
    manager = manager_for(db, FakeView(), clock)
    with pytest.raises(ChallengeNotAllowedHere, match=f"<#{OTHER_CHANNEL}>"):
        await start(manager)


async def test_stop_needs_the_starter_or_a_moderator(db: Database, clock: FakeClock) -> None:
    """Someone else cannot stop it; the starter can, and gets the summary."""
    view = FakeView()
    manager = manager_for(db, view, clock, grace=60)
    live = await start(manager)
    with pytest.raises(NotYourChallenge, match="Only the member who started"):
        await manager.stop(CHANNEL, BOB, is_moderator=False)
    await manager.stop(CHANNEL, ALICE, is_moderator=False)
    assert view.summaries[0][2] is SessionStatus.STOPPED
    stored = await db.session(live.session_id)
    assert stored is not None
    assert stored.status is SessionStatus.STOPPED
    with pytest.raises(NoChallengeHere):
        await manager.stop(CHANNEL, ALICE, is_moderator=True)


async def test_hint_is_charged_once_and_stored(db: Database, clock: FakeClock) -> None:
    """check_hint is free; take_hint stores the hint once; the answer then scores less."""
    manager = manager_for(db, FakeView(), clock, grace=60)
    live = await start(manager)
    message = live.message_id
    assert message is not None
    assert await manager.check_hint(message_id=message, channel_id=CHANNEL, user_id=BOB)
    assert await db.hints_for_session(live.session_id) == []
    _, first = await manager.take_hint(
        message_id=message, channel_id=CHANNEL, user_id=BOB, user_name="b"
    )
    _, again = await manager.take_hint(
        message_id=None, channel_id=CHANNEL, user_id=BOB, user_name="b"
    )
    assert (first, again) == (True, False)
    assert len(await db.hints_for_session(live.session_id)) == 1
    hinted = await manager.answer(message_id=message, user_id=BOB, user_name="b", option="B")
    plain = await manager.answer(message_id=message, user_id=ALICE, user_name="a", option="B")
    assert hinted.attempt.points < plain.attempt.points
    await manager.close()


async def test_progress_updates_are_throttled(db: Database, clock: FakeClock) -> None:
    """Many answers in a burst cause one progress update, showing the latest count."""
    view = FakeView()
    manager = manager_for(db, view, clock, grace=60, progress_interval=2.0)
    live = await start(manager)
    assert live.message_id is not None
    for user in range(100, 110):
        await manager.answer(message_id=live.message_id, user_id=user, user_name="x", option="A")
    await view.until(lambda: view.progress)
    assert len(view.progress) == 1  # the first at once; the rest wait for the interval
    clock.advance(2.0)
    await view.until(lambda: view.progress[-1].answered == 10)
    assert len(view.progress) <= 2  # at most one more, showing the latest count
    await manager.close()


async def test_restart_mid_challenge_keeps_every_attempt(db: Database, clock: FakeClock) -> None:
    """A new manager resumes the open problem with its stored attempts and deadline."""
    first_view = FakeView()
    before = manager_for(db, first_view, clock, grace=60)
    live = await start(before)
    message = live.message_id
    assert message is not None
    await before.answer(message_id=message, user_id=BOB, user_name="bob", option="A")
    await before.close()  # the bot goes down; the session stays open in SQLite

    view = FakeView()
    after = manager_for(db, view, clock)
    assert await after.resume_all() == [ReadBack(CHANNEL, message, late=False)]
    after.replays_done(message)  # what the cog does once it has read back the reactions
    assert "I'm back" in view.notices[0][1]
    assert after.knows_message(message)
    with pytest.raises(OptionAlreadyTried):
        await after.answer(message_id=message, user_id=BOB, user_name="bob", option="A")
    await after.answer(message_id=message, user_id=BOB, user_name="bob", option="B")
    clock.advance(DEADLINE)  # problem 1 runs to its stored deadline
    await view.until(lambda: view.reveals)
    assert view.reveals[0].solved_by_attempt == {2: [BOB]}
    await after.close()


async def test_fresh_pack_is_generated_for_each_start(db: Database, clock: FakeClock) -> None:
    """`fresh` asks the generator every time and its problems become findable by id."""
    made: list[Pack] = []

    async def generate(count: int) -> Pack:
        pack = make_pack(make_problem(f"fresh-{len(made)}", time_limit=10))
        made.append(pack)
        return pack

    manager = manager_for(db, FakeView(), clock, grace=60, fresh=generate)
    live = await start(manager, pack_id="fresh")
    assert live.pack is made[0]
    assert manager.library.find_problem("fresh-0") is not None
    await manager.stop(CHANNEL, ALICE, is_moderator=False)
    await start(manager, pack_id="fresh")
    assert len(made) == 2
    await manager.close()


async def test_fresh_pack_without_a_runner_is_a_clear_refusal(
    db: Database, clock: FakeClock
) -> None:
    """Without torch workers, `fresh` is refused with the reason."""
    manager = manager_for(db, FakeView(), clock)
    with pytest.raises(ChallengeError, match="need `!run`'s torch workers"):
        await start(manager, pack_id="fresh")


async def test_fresh_challenge_resumes_after_a_restart(db: Database, clock: FakeClock) -> None:
    """A generated pack is stored with its session, so a restart carries on with it."""

    async def generate(count: int) -> Pack:
        pack = make_pack(make_problem("fresh-only", answer="D", time_limit=10))
        return pack.model_copy(update={"id": "fresh"})  # as the generator names it

    before = manager_for(db, FakeView(), clock, grace=60, fresh=generate)
    live = await start(before, pack_id="fresh")
    message = live.message_id
    assert message is not None
    await before.close()

    view = FakeView()
    after = manager_for(db, view, clock)  # its library has never seen the fresh pack
    await after.resume_all()
    assert "I'm back" in view.notices[0][1]
    assert after.library.find_problem("fresh-only") is not None
    outcome = await after.answer(message_id=message, user_id=BOB, user_name="b", option="D")
    assert outcome.correct
    await after.close()
