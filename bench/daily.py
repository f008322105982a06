"""The daily problem at scale: what streaks cost in a server with a long history, what a
turn costs, and whether two processes ever post a day twice.

    .venv/bin/python bench/daily.py [--quick | --full] [--json]

Builds one server's daily history with raw sqlite3 (after the storage migrated the
file): 120 days x 300 members with --quick, 365 days x 1,000 with --full, each member
solving each day's problem 4 times in 5, a few answering wrong first. Then:

- `!daily`'s board: the streaks that may be going (members who solved one of the last two
  days), every run of theirs counted from the attempts, p50/p99; baseline: one plain scan
  (COUNT) of the server's daily solves, the least an all-history number costs;
- one member's streak (`!profile`), p50/p99;
- a daily turn through DailyTurns (claim, choose, reveal the day before, post to a view
  that records), p50 over consecutive days on a FakeClock;
- two processes (two Database objects on the file) taking the same days' turns at once:
  how many days were posted twice (target 0).
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.leaderboard import timed
from bench.report import Figure, percentile, run_cli
from bot.engine.daily_times import DailyTime, day_number
from bot.storage import Database
from tests.challenges.daily_setup import Process, at_utc, schedule
from tests.challenges.fakes import GUILD
from tests.engine.conftest import FakeClock

BENCH = "daily"
START_DAY = day_number(DailyTime(9, 0).day_of(at_utc(2024, 1, 1)))
STREAKS_TARGET_MS = 100.0  # `!daily` answers at once (no defer) within Discord's patience
MEMBER_TARGET_MS = 20.0  # one field of `!profile`
TURN_TARGET_MS = 100.0  # once a day per server: plenty, but a bound all the same


def build(path: Path, days: int, members: int) -> int:
    """The server's posted and revealed days with their attempts; how many attempts."""
    rng = random.Random(7)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT INTO guilds (id, name, joined_at) VALUES (?, 'big', 0)", (GUILD,))
        conn.executemany(
            "INSERT INTO users (id, display_name) VALUES (?, ?)",
            [(user, f"member{user}") for user in range(1, members + 1)],
        )
        attempts = []
        for offset in range(days):
            day = START_DAY + offset
            at = (day * 86_400) + 9 * 3600.0
            conn.execute(
                "INSERT INTO daily_problems (guild_id, day, claimed_by, claimed_at, pack_id,"
                " problem_id, kind, subject, posted_at, channel_id, message_id,"
                " reveal_claimed_by, reveal_claimed_at, revealed_at)"
                " VALUES (?, ?, 'bench', ?, 'basics', ?, 'conceptual', '[\"StepLR\"]', ?, 5, ?,"
                " 'bench', ?, ?)",
                (GUILD, day, at, f"p{offset}", at, day, at + 86_000, at + 86_000),
            )
            session = conn.execute(
                "INSERT INTO sessions (guild_id, channel_id, pack_id, problem_ids, status,"
                " started_by, started_at, ended_at, mode) VALUES (?, 5, 'basics', ?,"
                " 'finished', 1, ?, ?, 'daily')",
                (GUILD, f'["p{offset}"]', at, at + 86_000),
            ).lastrowid
            conn.execute(
                "INSERT INTO daily_sessions (session_id, guild_id, day) VALUES (?, ?, ?)",
                (session, GUILD, day),
            )
            for user in range(1, members + 1):
                if rng.random() < 0.8:
                    wrong_first = rng.random() < 0.1
                    if wrong_first:
                        attempts.append((session, user, f"p{offset}", "A", 0, 1, 0, at + 60))
                    number = 2 if wrong_first else 1
                    attempts.append((session, user, f"p{offset}", "B", 1, number, 50, at + 90))
        conn.executemany(
            "INSERT INTO attempts (session_id, user_id, problem_id, option, correct,"
            " attempt_number, points, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            attempts,
        )
    conn.close()
    return len(attempts)


async def streak_reads(path: Path, members: int, reps: int) -> list[Figure]:
    """Every member's streaks, one member's, and the plain scan they are measured beside."""
    async with await Database.open(path) as db:
        whole = await timed(lambda: db.daily_streaks(GUILD, going_only=True), reps)
        rng = random.Random(3)
        one = await timed(lambda: db.daily_streaks(GUILD, rng.randint(1, members)), reps)
    conn = sqlite3.connect(path)
    scan = "SELECT COUNT(*) FROM daily_sessions d JOIN attempts a ON a.session_id = d.session_id"
    baseline = []
    for _ in range(reps):
        began = time.perf_counter()
        conn.execute(scan + " WHERE d.guild_id = ? AND a.correct = 1", (GUILD,)).fetchone()
        baseline.append((time.perf_counter() - began) * 1000)
    conn.close()
    scanned = percentile(baseline, 50)
    return [
        Figure(BENCH, "!daily best streaks going p50", percentile(whole, 50), "ms",
               STREAKS_TARGET_MS, baseline=scanned, baseline_name="plain COUNT of the attempts"),
        Figure(BENCH, "!daily best streaks going p99", percentile(whole, 99), "ms",
               STREAKS_TARGET_MS),
        Figure(BENCH, "one member's streak p50", percentile(one, 50), "ms", MEMBER_TARGET_MS),
        Figure(BENCH, "one member's streak p99", percentile(one, 99), "ms", MEMBER_TARGET_MS),
    ]  # fmt: skip


async def turns(path: Path, days: int) -> list[Figure]:
    """A turn a day on the big history, timed; then two processes racing for new days."""
    clock = FakeClock(at_utc(2030, 1, 1, 8, 59))
    async with await Database.open(path) as one_db, await Database.open(path) as two_db:
        one, two = Process(one_db, clock, "one"), Process(two_db, clock, "two")
        await schedule(one_db, clock, DailyTime(9, 0))
        samples = []
        for _ in range(days):
            clock.advance(86_400)
            began = time.perf_counter()
            await one.turns.check()
            samples.append((time.perf_counter() - began) * 1000)
        before = len(one.posted_days)
        for _ in range(days):
            clock.advance(86_400)
            await asyncio.gather(one.turns.check(), two.turns.check())
        raced = len(one.posted_days) - before + len(two.posted_days)
    return [
        Figure(BENCH, "a daily turn p50 (claim, choose, reveal, post)", percentile(samples, 50),
               "ms", TURN_TARGET_MS),
        Figure(BENCH, f"days posted twice, 2 processes x {days} days", raced - days, "count", 0),
    ]  # fmt: skip


async def measure(quick: bool) -> list[Figure]:
    """Build the history, then every figure."""
    days, members = (120, 300) if quick else (365, 1000)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "daily.db"
        async with await Database.open(path):
            pass  # migrated, empty
        count = build(path, days, members)
        print(f"daily history: {days} days x {members} members, {count:,} attempts", flush=True)
        figures = await streak_reads(path, members, reps=10 if quick else 30)
        figures += await turns(path, days=10 if quick else 30)
    return figures


if __name__ == "__main__":
    run_cli(__doc__ or "", measure)
