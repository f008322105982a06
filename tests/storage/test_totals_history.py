"""Kept standings after random histories equal a recomputation from the attempts.

Each history answers problems in two guilds across three ISO weeks (out of order, on
both sides of Monday 00:00, around weekly resets). Afterwards `check_totals` (the SQL
recomputation) must find nothing, and every board the bot can show, every rank and
every profile must equal a plain-Python reference computed from the same attempts.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.problems import Letter
from bot.engine.scoring import day_streak
from bot.engine.session import Attempt
from bot.features.stats.weeks import Board, window
from bot.storage import Database, LeaderboardRow, _totals
from bot.storage._connection import DAY, WEEK

MONDAY = datetime(2025, 3, 10, tzinfo=UTC).timestamp()
GUILDS = (1, 2)
USERS = (11, 12, 13, 14)
PROBLEMS = ("p1", "p2")
# Times around the edges that matter, and anywhere in the three weeks around MONDAY.
EDGES = [MONDAY + d for d in (-0.001, 0.0, 0.001, WEEK - 0.001, WEEK, -WEEK, 2 * DAY + 0.5)]
TIMES = st.one_of(
    st.sampled_from(EDGES), st.floats(min_value=MONDAY - WEEK, max_value=MONDAY + 2 * WEEK)
)


@dataclass(frozen=True)
class Answer:
    """One attempt to store: where, by whom, at what, right or not, and when."""

    guild: int
    session: int  # 0 or 1: which of the guild's two sessions
    user: int
    problem: str
    points: int
    at: float


@dataclass(frozen=True)
class Reset:
    """`!admin resetweek` at `at` (None: clear the reset)."""

    guild: int
    at: float | None


ANSWERS = st.builds(
    Answer,
    guild=st.sampled_from(GUILDS),
    session=st.sampled_from((0, 1)),
    user=st.sampled_from(USERS),
    problem=st.sampled_from(PROBLEMS),
    points=st.sampled_from((0, 0, 10, 50, 100)),
    at=TIMES,
)
RESETS = st.builds(Reset, guild=st.sampled_from(GUILDS), at=st.one_of(st.none(), TIMES))
HISTORIES = st.lists(st.one_of(ANSWERS, ANSWERS, ANSWERS, RESETS), min_size=1, max_size=30)


@dataclass(frozen=True)
class Stored:
    """An attempt as stored: its guild and session id, for the reference."""

    guild: int
    session_id: int
    attempt: Attempt


async def play(db: Database, history: Sequence[Answer | Reset]) -> list[Stored]:
    """Store the history through the storage API; the attempts it stored."""
    for guild in GUILDS:
        await db.upsert_guild(guild, f"guild {guild}")
    for user in USERS:
        await db.upsert_user(user, f"user {user}")
    sessions = {
        (guild, index): await db.create_session(
            guild, guild * 10 + index, "pack", list(PROBLEMS), USERS[0], MONDAY - WEEK
        )
        for guild in GUILDS
        for index in (0, 1)
    }
    numbers: dict[tuple[int, int, str], int] = defaultdict(int)
    stored = []
    for event in history:
        if isinstance(event, Reset):
            await db.update_guild_settings(event.guild, week_reset_at=event.at)
            continue
        session_id = sessions[(event.guild, event.session)]
        numbers[(session_id, event.user, event.problem)] += 1
        number = numbers[(session_id, event.user, event.problem)]
        option: Letter = "A" if event.points else "B"
        attempt = Attempt(
            event.user, event.problem, option, event.points > 0, number, event.points, event.at
        )
        await db.save_attempt(session_id, attempt, display_name=f"user {event.user}")
        stored.append(Stored(event.guild, session_id, attempt))
    return stored


def reference_board(
    stored: Sequence[Stored], guild: int, since: float | None, until: float | None
) -> list[LeaderboardRow]:
    """The board of [since, until) computed in Python from the attempts alone."""
    problems: dict[tuple[int, int, str], list[Attempt]] = defaultdict(list)
    for item in stored:
        a = item.attempt
        if item.guild != guild or (since is not None and a.answered_at < since):
            continue
        if until is not None and a.answered_at >= until:
            continue
        problems[(item.session_id, a.user_id, a.problem_id)].append(a)
    players: dict[int, list[list[Attempt]]] = defaultdict(list)
    for (_, user, _), attempts in problems.items():
        players[user].append(attempts)

    def order(user: int) -> tuple[int, bool, float, int]:
        scored = [a.answered_at for p in players[user] for a in p if a.points > 0]
        points = sum(a.points for p in players[user] for a in p)
        return (-points, not scored, max(scored, default=0.0), user)

    return [
        LeaderboardRow(
            rank=rank,
            user_id=user,
            display_name=f"user {user}",
            points=sum(a.points for p in players[user] for a in p),
            correct=sum(1 for p in players[user] if any(a.correct for a in p)),
            answered=len(players[user]),
        )
        for rank, user in enumerate(sorted(players, key=order), 1)
    ]


Window = tuple[float | None, float | None, float | None]


def shown_windows(history: Sequence[Answer | Reset], guild: int) -> Iterator[Window]:
    """(since, until, reset) of every board the bot could show the guild after the history."""
    reset_at = None
    for event in history:
        if isinstance(event, Reset) and event.guild == guild:
            reset_at = event.at
    moments = [MONDAY + k * WEEK + DAY for k in (-1, 0, 1, 2)]
    moments += [e.at + 1 for e in history if isinstance(e, Reset) and e.at is not None]
    for now in moments:
        for board in Board:
            span = window(board, now, reset_at)
            yield span.since, span.until, reset_at


async def check_history(db: Database, history: Sequence[Answer | Reset]) -> None:
    """Play the history, then compare every kept standing with the references."""
    stored = await play(db, history)
    report = await db.check_totals()
    assert report.ok, [mismatch.describe() for mismatch in report.mismatches]
    assert report.attempts == len(stored)
    for guild in GUILDS:
        for since, until, reset_at in shown_windows(history, guild):
            # These are the bot's boards, so they must be read from the kept totals.
            assert _totals.standings_period(since, until, reset_at) is not None
            expected = reference_board(stored, guild, since, until)
            assert await db.leaderboard(guild, since, 100, until) == expected
            for user in USERS:
                mine = next((row for row in expected if row.user_id == user), None)
                assert await db.rank_of(guild, user, since, until) == mine
        today = date(2025, 3, 20)
        for user in USERS:
            everything = reference_board(stored, guild, None, None)
            mine = next((row for row in everything if row.user_id == user), None)
            profile = await db.profile(guild, user, today)
            assert (profile.points, profile.answered, profile.correct) == (
                (mine.points, mine.answered, mine.correct) if mine else (0, 0, 0)
            )
            days = {
                datetime.fromtimestamp(item.attempt.answered_at, UTC).date()
                for item in stored
                if item.guild == guild and item.attempt.user_id == user
            }
            assert profile.streak == day_streak(days, today)


def run_history(history: Sequence[Answer | Reset]) -> None:
    """`check_history` on a fresh database file."""

    async def go(folder: Path) -> None:
        async with await Database.open(folder / "history.db") as db:
            await check_history(db, history)

    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(go(Path(folder)))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HISTORIES)
def test_kept_standings_equal_the_attempts_after_any_history(
    history: list[Answer | Reset],
) -> None:
    """Whatever was answered when, every kept total equals its recomputation."""
    run_history(history)


def test_a_history_across_a_reset_and_monday(tmp_path: Path) -> None:
    """A fixed history through every edge: the same comparisons, without randomness."""
    history: list[Answer | Reset] = [
        Answer(1, 0, 11, "p1", 0, MONDAY - 0.001),
        Answer(1, 0, 11, "p1", 50, MONDAY + 0.001),
        Answer(1, 1, 12, "p1", 100, MONDAY + DAY),
        Reset(1, MONDAY + 2 * DAY),
        Answer(1, 1, 12, "p2", 0, MONDAY + 2 * DAY - 1),
        Answer(1, 1, 12, "p2", 50, MONDAY + 2 * DAY + 1),
        Answer(1, 0, 13, "p2", 100, MONDAY + 3 * DAY),
        Answer(2, 0, 11, "p1", 100, MONDAY + 3 * DAY),
        Answer(1, 0, 14, "p1", 100, MONDAY + WEEK + 1),
        Reset(2, MONDAY + WEEK + 2),
    ]
    run_history(history)


def test_a_broken_update_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """If recording an attempt miscounted, the check and the boards say so (this test's
    comparisons can fail)."""
    real = _totals.changes_for

    def counts_every_attempt(
        attempt: Attempt, reset_at: float | None, others: object
    ) -> list[_totals.TotalsChange]:
        return real(attempt, reset_at, [])  # forgets the player's earlier attempts

    monkeypatch.setattr(_totals, "changes_for", counts_every_attempt)
    history: list[Answer | Reset] = [
        Answer(1, 0, 11, "p1", 0, MONDAY + 1),
        Answer(1, 0, 11, "p1", 50, MONDAY + 2),
    ]
    with pytest.raises(AssertionError, match="answered=2"):
        run_history(history)
