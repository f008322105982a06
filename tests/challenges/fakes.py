"""The fakes the ChallengeManager tests share: a view that records, a manager on a
FakeClock over a temp database, and who plays."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.challenges import ChallengeManager, LiveChallenge
from bot.content import ContentLibrary
from bot.engine.pace import Pace, Progress
from bot.engine.problems import Pack
from bot.engine.selection import DEFAULT_COUNT
from bot.engine.session import OpenProblem, Reveal, Summary
from bot.storage import Database, SessionStatus
from tests.engine.conftest import FakeClock, make_pack, make_problem

GUILD, CHANNEL, OTHER_CHANNEL = 10, 20, 21
ALICE, BOB = 1, 2
# Message ids are unique across views, as Discord's are across restarts of the bot.
MESSAGE_IDS = itertools.count(1001)
SCALE = 0.5  # every 10 s time limit becomes 5 s (exact in binary, like every time here)
DEADLINE = 10 * SCALE


@dataclass
class FakeView:
    """Records what the manager shows; gives each posted problem a message id."""

    problems: list[OpenProblem] = field(default_factory=list)
    shown_progress: list[Progress] = field(default_factory=list)  # with each problem posted
    reveals: list[Reveal] = field(default_factory=list)
    summaries: list[tuple[Summary, list[int], SessionStatus]] = field(default_factory=list)
    notices: list[tuple[int, str]] = field(default_factory=list)
    progress: list[Progress] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def show_problem(
        self, live: LiveChallenge, opened: OpenProblem, progress: Progress
    ) -> int:
        self.problems.append(opened)
        self.shown_progress.append(progress)
        self.changed.set()
        return next(MESSAGE_IDS)

    async def show_progress(
        self, live: LiveChallenge, opened: OpenProblem, progress: Progress
    ) -> None:
        self.progress.append(progress)

    async def show_reveal(self, live: LiveChallenge, reveal: Reveal) -> None:
        self.reveals.append(reveal)
        self.changed.set()

    async def show_summary(
        self, live: LiveChallenge, summary: Summary, new_badges: list[int], status: SessionStatus
    ) -> None:
        self.summaries.append((summary, new_badges, status))
        self.changed.set()

    async def show_notice(self, channel_id: int, text: str) -> None:
        self.notices.append((channel_id, text))

    async def until(self, check: Any, within: float = 5) -> None:
        """Wait (at most `within` s) for a condition on the view or the manager's state."""
        async with asyncio.timeout(within):
            while not check():
                self.changed.clear()
                # The manager also changes state between view calls: look again soon.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.changed.wait(), 0.01)


def two_problem_pack() -> Pack:
    """Two problems of 10 s (before the guild's timer scale): p1 answered B, p2 answered C.

    p2 is a level up, so every challenge plays p1 first (a level is shuffled within).
    """
    return make_pack(
        make_problem("p1", answer="B", time_limit=10),
        make_problem("p2", answer="C", time_limit=10, level="intermediate"),
    )


def manager_for(
    db: Database,
    view: FakeView,
    clock: FakeClock,
    *,
    grace: float = 0.25,
    pack: Pack | None = None,
    **kwargs: Any,
) -> ChallengeManager:
    """A manager of the tiny pack (or `pack`) whose timers run on `clock`.

    Its pace: `grace` after everyone is done, a 1 s join window, a 2 s retry window.
    """
    pack = pack or two_problem_pack()
    library = ContentLibrary({pack.id: pack}, {pack.id: Path("tiny.yaml")})
    kwargs.setdefault("pace", Pace(grace=grace, join_window=1.0, retry_window=2.0))
    return ChallengeManager(db, library, view, clock, sleep=clock.sleep, **kwargs)


async def start(
    manager: ChallengeManager,
    channel: int = CHANNEL,
    pack_id: str = "tiny",
    count: int | None = DEFAULT_COUNT,
) -> LiveChallenge:
    """Alice starts `count` problems of `pack_id` in `channel`."""
    return await manager.start(
        guild_id=GUILD,
        guild_name="Study group",
        channel_id=channel,
        user_id=ALICE,
        user_name="alice",
        pack_id=pack_id,
        count=count,
    )
