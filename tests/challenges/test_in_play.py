"""Tests for ChallengeManager.unrevealed_problems: what `!run` must not show, per guild."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.challenges import ChallengeManager, LiveChallenge
from bot.content import ContentLibrary
from bot.engine.pace import Progress
from bot.engine.session import OpenProblem, Reveal, Summary
from bot.storage import Database, SessionStatus
from tests.engine.conftest import FakeClock, make_pack, make_problem

GUILD, OTHER_GUILD = 10, 11
CHANNEL, SECOND_CHANNEL, OTHER_GUILD_CHANNEL = 20, 21, 30
ALICE = 1


class QuietView:
    """A ChallengeView that shows nothing and numbers the problems it is asked to post."""

    def __init__(self) -> None:
        self.posted = 0

    async def show_problem(
        self, live: LiveChallenge, opened: OpenProblem, progress: Progress
    ) -> int:
        self.posted += 1
        return 5000 + self.posted

    async def show_progress(
        self, live: LiveChallenge, opened: OpenProblem, progress: Progress
    ) -> None:
        pass

    async def show_reveal(self, live: LiveChallenge, reveal: Reveal) -> None:
        pass

    async def show_summary(
        self, live: LiveChallenge, summary: Summary, new_badges: list[int], status: SessionStatus
    ) -> None:
        pass

    async def show_notice(self, channel_id: int, text: str) -> None:
        pass


@pytest.fixture
async def manager(tmp_path: Path) -> AsyncIterator[ChallengeManager]:
    """A manager of the pack `tiny` (p1, p2, p3 of 10 s, a level up each) on a FakeClock."""
    levels = ("beginner", "intermediate", "advanced")  # challenges play the easiest first
    pack = make_pack(
        *(make_problem(f"p{n}", time_limit=10, level=levels[n - 1]) for n in (1, 2, 3))
    )
    library = ContentLibrary({pack.id: pack}, {pack.id: Path("tiny.yaml")})
    clock = FakeClock()
    async with await Database.open(tmp_path / "m.db") as db:
        running = ChallengeManager(db, library, QuietView(), clock, sleep=clock.sleep)
        yield running
        await running.close()


async def start(manager: ChallengeManager, guild_id: int, channel_id: int) -> LiveChallenge:
    """Alice starts `tiny` in the channel."""
    return await manager.start(
        guild_id=guild_id,
        guild_name=f"Guild {guild_id}",
        channel_id=channel_id,
        user_id=ALICE,
        user_name="alice",
        pack_id="tiny",
    )


def ids(manager: ChallengeManager, guild_id: int | None) -> list[str]:
    """The ids of the unrevealed problems the manager reports."""
    return [problem.id for problem in manager.unrevealed_problems(guild_id)]


async def test_nothing_is_in_play_before_a_challenge(manager: ChallengeManager) -> None:
    """No live challenge: nothing to hide anywhere."""
    assert ids(manager, GUILD) == []
    assert ids(manager, None) == []


async def test_the_open_problem_and_those_to_come_are_in_play(manager: ChallengeManager) -> None:
    """From the start, every problem of the challenge is unrevealed: the open one first."""
    await start(manager, GUILD, CHANNEL)
    assert ids(manager, GUILD) == ["p1", "p2", "p3"]


async def test_a_revealed_problem_is_no_longer_in_play(manager: ChallengeManager) -> None:
    """After p1's reveal only p2 (open now) and p3 remain; after `stop`, nothing."""
    await start(manager, GUILD, CHANNEL)
    live = manager.in_channel(CHANNEL)
    assert live is not None
    live.session.reveal()  # what the deadline does first, under the challenge's lock
    assert ids(manager, GUILD) == ["p2", "p3"]
    live.session.open_next()
    assert ids(manager, GUILD) == ["p2", "p3"]
    await manager.stop(CHANNEL, ALICE, is_moderator=False)
    assert ids(manager, GUILD) == []


async def test_other_guilds_are_not_affected(manager: ChallengeManager) -> None:
    """A challenge in one guild hides nothing in another; None (DMs) sees every guild's."""
    await start(manager, OTHER_GUILD, OTHER_GUILD_CHANNEL)
    assert ids(manager, GUILD) == []
    assert ids(manager, OTHER_GUILD) == ["p1", "p2", "p3"]
    await start(manager, GUILD, SECOND_CHANNEL)
    assert sorted(ids(manager, None)) == sorted(["p1", "p2", "p3"] * 2)
