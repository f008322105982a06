"""Tests for ChallengeManager's pace (early reveals, `next`) and how many problems it plays.

Pace in these tests (see fakes.manager_for): grace 0.25 s, join window 1 s, retry window
2 s; every problem's deadline is DEADLINE (5 s) after it opens.
"""

from __future__ import annotations

import random

import pytest

from bot.challenges import NoChallengeHere, NotYourChallenge
from bot.engine.pace import Progress
from bot.engine.problems import Pack
from bot.storage import Database, SessionStatus
from tests.challenges.fakes import ALICE, BOB, CHANNEL, GUILD, FakeView, manager_for, start
from tests.engine.conftest import FakeClock, make_pack, make_problem


def six_problem_pack() -> Pack:
    """Six 10 s problems, answer B: two beginner (b1, b2), two intermediate, two advanced."""
    levels = {"b": "beginner", "i": "intermediate", "a": "advanced"}
    return make_pack(
        *(
            make_problem(f"{key}{n}", time_limit=10, level=level)
            for key, level in levels.items()
            for n in (1, 2)
        )
    )


async def test_a_solo_player_gets_the_reveal_after_the_join_window(
    db: Database, clock: FakeClock
) -> None:
    """One right answer on problem 1: revealed once the join window is over, not at 5 s."""
    view = FakeView()
    manager = manager_for(db, view, clock)
    live = await start(manager)
    assert live.message_id is not None
    await manager.answer(message_id=live.message_id, user_id=ALICE, user_name="a", option="B")
    assert live.timer_due == view.problems[0].opened_at + manager.pace.join_window
    clock.advance(manager.pace.join_window)
    await view.until(lambda: view.reveals)
    assert view.reveals[0].first_try == [ALICE]
    assert clock.now < view.problems[0].deadline
    await manager.close()


async def test_a_member_who_joins_by_hint_is_waited_for(db: Database, clock: FakeClock) -> None:
    """After Alice is done, Bob takes the hint: the problem waits for him again."""
    view = FakeView()
    manager = manager_for(db, view, clock)
    live = await start(manager)
    assert live.message_id is not None
    await manager.answer(message_id=live.message_id, user_id=ALICE, user_name="a", option="B")
    await manager.take_hint(
        message_id=live.message_id, channel_id=CHANNEL, user_id=BOB, user_name="b"
    )
    assert live.timer_due == view.problems[0].deadline
    clock.advance(manager.pace.join_window)
    await view.until(lambda: len(view.progress) >= 1)
    assert view.reveals == []
    await manager.close()


async def test_the_next_problem_shows_who_it_waits_for(db: Database, clock: FakeClock) -> None:
    """Problem 2 is posted saying both players of problem 1 are still to answer."""
    view = FakeView()
    manager = manager_for(db, view, clock)
    live = await start(manager)
    assert live.message_id is not None
    for user in (ALICE, BOB):
        await manager.answer(message_id=live.message_id, user_id=user, user_name="x", option="B")
    assert view.shown_progress == [Progress(0, 0)]
    clock.advance(manager.pace.join_window)
    await view.until(lambda: len(view.problems) == 2)
    assert view.shown_progress[1] == Progress(answered=0, still_trying=2)
    await manager.close()


async def test_next_reveals_now_for_the_starter_or_a_moderator(
    db: Database, clock: FakeClock
) -> None:
    """`next` from someone else is refused; the starter's reveals and opens problem 2;
    a moderator's on the last problem ends the challenge."""
    view = FakeView()
    manager = manager_for(db, view, clock)
    live = await start(manager)
    with pytest.raises(NotYourChallenge):
        await manager.next(CHANNEL, BOB, is_moderator=False)
    await manager.next(CHANNEL, ALICE, is_moderator=False)
    assert len(view.reveals) == 1
    assert len(view.problems) == 2
    assert view.problems[1].opened_at == clock.now  # at once, with its full time
    await manager.next(CHANNEL, BOB, is_moderator=True)
    assert view.summaries[0][2] is SessionStatus.FINISHED
    stored = await db.session(live.session_id)
    assert stored is not None
    assert stored.status is SessionStatus.FINISHED
    with pytest.raises(NoChallengeHere):
        await manager.next(CHANNEL, ALICE, is_moderator=False)


async def test_count_plays_that_many_easiest_first(db: Database, clock: FakeClock) -> None:
    """Three of six problems, in level order; `None` plays all six."""
    manager = manager_for(db, FakeView(), clock, pack=six_problem_pack(), rng=random.Random(5))
    live = await start(manager, count=3)
    levels = [p.level.value for p in live.session.problems]
    assert len(levels) == 3
    assert levels == sorted(levels, key=["beginner", "intermediate", "advanced"].index)
    stored = await db.session(live.session_id)
    assert stored is not None
    assert list(stored.problem_ids) == [p.id for p in live.session.problems]
    await manager.stop(CHANNEL, ALICE, is_moderator=False)
    everything = await start(manager, count=None)
    assert len(everything.session.problems) == 6
    await manager.close()


async def test_a_channel_meets_new_problems_before_repeats(db: Database, clock: FakeClock) -> None:
    """Two challenges of three in a channel play all six problems, none twice; another
    channel is not affected by what this one saw."""
    manager = manager_for(db, FakeView(), clock, pack=six_problem_pack())
    seen: list[str] = []
    for _ in range(2):
        live = await start(manager, count=3)
        assert live.message_id is not None
        # Only problems that were shown count as seen: play all three of them.
        for _ in range(3):
            await manager.next(CHANNEL, ALICE, is_moderator=False)
        seen += [p.id for p in live.session.problems]
    assert sorted(seen) == ["a1", "a2", "b1", "b2", "i1", "i2"]
    await manager.close()


async def test_a_stopped_challenge_counts_only_the_problems_it_showed(
    db: Database, clock: FakeClock
) -> None:
    """Stopped on its first problem, a challenge leaves its other problems unseen."""
    manager = manager_for(db, FakeView(), clock, pack=six_problem_pack())
    first = await start(manager, count=3)
    shown = first.session.problems[0].id
    await manager.stop(CHANNEL, ALICE, is_moderator=False)
    assert await db.recently_shown(GUILD, CHANNEL, "tiny") == [[shown]]
    second = await start(manager, count=5)  # five of the six: only the one seen is left out
    assert shown not in [p.id for p in second.session.problems]
    await manager.close()


async def test_fresh_generates_the_count_asked_for(db: Database, clock: FakeClock) -> None:
    """`fresh` with a count asks the generator for that many problems (at most 10)."""
    asked: list[int] = []

    async def generate(count: int) -> Pack:
        asked.append(count)
        return make_pack(*(make_problem(f"f{n}", time_limit=10) for n in range(count)))

    manager = manager_for(db, FakeView(), clock, fresh=generate)
    for count in (3, 50):
        await start(manager, pack_id="fresh", count=count)
        await manager.stop(CHANNEL, ALICE, is_moderator=False)
    assert asked == [3, 10]
    await manager.close()
