"""Standings at scale: every read command's p50/p99, and answers during a read loop.

    .venv/bin/python bench/leaderboard.py [--quick | --full] [--database PATH] [--json]

Builds a database through the storage API (`Database.save_attempt` with the player's
name, as the bot records answers: each keeps the standings up to date): `--full` is
1,000,000 attempts by 10,000 players in 100 servers over 12 weeks, the largest server
holding 20% of them (200,000); `--quick` (the default, for `make bench`) is 100,000
attempts, 2,000 players, 20 servers. `--database PATH` keeps the built file and reuses
it next time. In the largest server it then times what each command asks of storage:
the week, last-week and all-time boards, a member's own rank, and the whole of
`!profile` and `!leaderboard`; beside each, the same answer computed from the attempts
as before the totals existed (measured in the same run). Last, one task records answers
while another issues `!profile` and `!leaderboard` back to back in that server; the
baseline is the same answers with no reads.

Targets (issue 10): each read <= 10 ms p50; answer recording p99 <= 20 ms under reads.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import Figure, dump_json, percentile, print_table
from bench.standings_before import profile_before, rank_before, top_before
from bot.engine.session import Attempt
from bot.features.stats.weeks import Board, window
from bot.storage import Database, SessionStatus

BENCH = "leaderboard"
READ_TARGET_MS = 10.0
ANSWER_TARGET_MS = 20.0
NOW = datetime(2025, 6, 4, 12, tzinfo=UTC).timestamp()  # a Wednesday
WEEKS = 12
PROBLEMS = 5


@dataclass(frozen=True)
class Size:
    """How big a database to build."""

    attempts: int
    players: int
    guilds: int
    reps: int  # timed calls per read


SIZES = {
    "quick": Size(attempts=100_000, players=2_000, guilds=20, reps=200),
    "full": Size(attempts=1_000_000, players=10_000, guilds=100, reps=300),
}
BIG = 1  # the largest server's id


def log(text: str) -> None:
    """Progress goes to stderr, so `--json` output stays clean."""
    print(text, file=sys.stderr, flush=True)


def plan_guilds(size: Size, rng: random.Random) -> dict[int, tuple[int, list[int]]]:
    """Each guild's share of the attempts and its members; guild 1 gets 20%."""
    others = size.guilds - 1
    weights = [1 / (rank + 1) for rank in range(others)]  # the rest: a long tail
    shares = {BIG: 0.2, **{g + 2: 0.8 * w / sum(weights) for g, w in enumerate(weights)}}
    guilds = {}
    for guild, share in shares.items():
        members = max(20, min(size.players, int(size.players * share * 2)))
        attempts = int(size.attempts * share)
        guilds[guild] = (attempts, rng.sample(range(1, size.players + 1), members))
    # Every player belongs somewhere: those no server drew join one of the small ones.
    placed = {player for _, members in guilds.values() for player in members}
    for player in sorted(set(range(1, size.players + 1)) - placed):
        guilds[rng.randrange(2, size.guilds + 1)][1].append(player)
    return guilds


async def build(db: Database, size: Size, seed: int = 10) -> None:
    """Fill `db` through the storage API: sessions of 5 problems, a dozen players each."""
    rng = random.Random(seed)
    guilds = plan_guilds(size, rng)
    for guild in guilds:
        await db.upsert_guild(guild, f"server {guild}", joined_at=NOW - WEEKS * 7 * 86_400)
    await db.upsert_user(1, "player 1")
    sessions: list[tuple[int, list[int], float]] = []
    for guild, (attempts, members) in guilds.items():
        per_session = PROBLEMS * min(12, len(members)) * 1.4
        for _ in range(max(1, round(attempts / per_session))):
            players = rng.sample(members, min(12, len(members)))
            sessions.append((guild, players, NOW - rng.uniform(0, WEEKS * 7 * 86_400)))
    stored = 0
    queue: asyncio.Queue[tuple[int, tuple[int, list[int], float]]] = asyncio.Queue()
    for item in enumerate(sessions):
        queue.put_nowait(item)
    began = time.perf_counter()

    async def play() -> None:
        nonlocal stored
        while not queue.empty():
            number, (guild, players, start) = queue.get_nowait()
            session = await db.create_session(guild, 10_000 + number, "bench", ["p"], 1, start)
            for problem in range(PROBLEMS):
                opened = start + problem * 60
                for player in players:
                    right = rng.random() < 0.6
                    tries = [right] if right else [False, rng.random() < 0.5]
                    for try_number, ok in enumerate(tries, 1):
                        at = opened + rng.uniform(1, 25) + 25 * (try_number - 1)
                        points = (100 if try_number == 1 else 50) if ok else 0
                        option = "A" if ok else "B"
                        attempt = Attempt(player, f"q{problem}", option, ok, try_number, points, at)
                        await db.save_attempt(session, attempt, display_name=f"player {player}")
                        stored += 1
            await db.end_session(session, SessionStatus.FINISHED, start + PROBLEMS * 60)
            if number % 1_000 == 0:
                rate = stored / (time.perf_counter() - began)
                log(f"  built {stored:,} attempts ({rate:,.0f}/s)")

    await asyncio.gather(*(play() for _ in range(64)))
    log(f"built {stored:,} attempts in {time.perf_counter() - began:.0f} s")


async def timed(call: Callable[[], Awaitable[object]], reps: int) -> list[float]:
    """Milliseconds per call, after one untimed warm-up call."""
    await call()
    samples = []
    for _ in range(reps):
        began = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


async def members_of(db: Database, guild: int) -> list[int]:
    """Players with answers in the guild (whose rank and profile are worth reading)."""
    rows = await db.leaderboard(guild, None, 100_000)
    return [row.user_id for row in rows]


async def reads(db: Database, size: Size) -> list[Figure]:
    """p50/p99 of each read in the largest guild, beside the pre-totals queries."""
    rng = random.Random(4)
    players = await members_of(db, BIG)
    settings = await db.guild_settings(BIG)
    week = window(Board.WEEK, NOW, settings.week_reset_at)
    last = window(Board.LASTWEEK, NOW, settings.week_reset_at)
    today = datetime.fromtimestamp(NOW, UTC).date()

    async def profile_command() -> None:
        # What the `profile` cog asks of storage.
        who = rng.choice(players)
        await db.guild_settings(BIG)
        await db.profile(BIG, who, today)
        await db.rank_of(BIG, who)
        await db.rank_of(BIG, who, week.since, week.until)

    async def leaderboard_command() -> None:
        who = rng.choice(players)
        await db.guild_settings(BIG)
        rows = await db.leaderboard(BIG, week.since, 10, week.until)
        if all(row.user_id != who for row in rows):
            await db.rank_of(BIG, who, week.since, week.until)

    cases: list[tuple[str, Callable[[], Awaitable[object]], Callable[[], Awaitable[object]]]] = [
        (
            "week board",
            lambda: db.leaderboard(BIG, week.since, 10, week.until),
            lambda: top_before(db, BIG, week.since, week.until),
        ),
        (
            "last-week board",
            lambda: db.leaderboard(BIG, last.since, 10, last.until),
            lambda: top_before(db, BIG, last.since, last.until),
        ),
        (
            "all-time board",
            lambda: db.leaderboard(BIG),
            lambda: top_before(db, BIG, None, None),
        ),
        (
            "own rank, all time",
            lambda: db.rank_of(BIG, rng.choice(players)),
            lambda: rank_before(db, BIG, rng.choice(players), None, None),
        ),
        (
            "own rank, this week",
            lambda: db.rank_of(BIG, rng.choice(players), week.since, week.until),
            lambda: rank_before(db, BIG, rng.choice(players), week.since, week.until),
        ),
        (
            "!profile (all its reads)",
            profile_command,
            lambda: profile_before(db, BIG, rng.choice(players), (week.since, week.until), today),
        ),
        (
            "!leaderboard (all its reads)",
            leaderboard_command,
            lambda: top_before(db, BIG, week.since, week.until),
        ),
    ]
    figures = []
    for name, now, before in cases:
        samples = await timed(now, size.reps)
        old = await timed(before, 5)
        p50, p99, old_p50 = percentile(samples, 50), percentile(samples, 99), percentile(old, 50)
        log(f"{name}: p50 {p50:.2f} ms, p99 {p99:.2f} ms (from the attempts: {old_p50:.0f} ms)")
        baseline = "from the attempts, as before"
        figures += [
            Figure(BENCH, f"{name} p50", p50, "ms", READ_TARGET_MS, "lower", old_p50, baseline),
            Figure(BENCH, f"{name} p99", p99, "ms"),
        ]
    return figures


async def answers_under_reads(db: Database, count: int) -> list[Figure]:
    """Answer-recording latency while a task reads back to back, vs with no reads."""
    rng = random.Random(5)
    players = await members_of(db, BIG)
    week = window(Board.WEEK, NOW)
    today = datetime.fromtimestamp(NOW, UTC).date()
    session = await db.create_session(BIG, 999_999, "bench", ["p"], 1, NOW)
    serial = 0

    async def record_answers() -> list[float]:
        nonlocal serial
        samples = []
        for _ in range(count):
            serial += 1
            player = rng.choice(players)
            attempt = Attempt(player, f"live{serial}", "A", True, 1, 100, NOW + serial * 0.01)
            began = time.perf_counter()
            await db.save_attempt(session, attempt, display_name=f"player {player}")
            samples.append((time.perf_counter() - began) * 1000)
            await asyncio.sleep(0.005)  # answers arrive over time, not all in one turn
        return samples

    quiet = await record_answers()
    reading = True
    looks = 0

    async def read_loop() -> None:
        nonlocal looks
        while reading:
            who = rng.choice(players)
            await db.profile(BIG, who, today)
            await db.rank_of(BIG, who)
            await db.rank_of(BIG, who, week.since, week.until)
            await db.leaderboard(BIG, week.since, 10, week.until)
            looks += 1

    loop = asyncio.create_task(read_loop())
    busy = await record_answers()
    reading = False
    await loop
    await db.end_session(session, SessionStatus.FINISHED, NOW + serial)
    p99, quiet_p99 = percentile(busy, 99), percentile(quiet, 99)
    log(f"answers under reads: p99 {p99:.2f} ms ({looks} read loops); alone {quiet_p99:.2f} ms")
    return [
        Figure(
            BENCH,
            "record answer p99, reads looping",
            p99,
            "ms",
            ANSWER_TARGET_MS,
            "lower",
            quiet_p99,
            "same answers, no reads",
        ),
        Figure(BENCH, "record answer p50, reads looping", percentile(busy, 50), "ms"),
        Figure(BENCH, "profile+board loops meanwhile", looks, "count"),
    ]


async def measure(size_name: str, database: Path, *, fresh: bool) -> list[Figure]:
    """Build (if `fresh`) the database, check its standings, then time reads and answers."""
    size = SIZES[size_name]
    async with await Database.open(database) as db:
        if fresh:
            log(f"building {size.attempts:,} attempts through the storage API…")
            began = time.perf_counter()
            await build(db, size)
            build_rate = size.attempts / (time.perf_counter() - began)
        began = time.perf_counter()
        report = await db.check_totals()
        check_s = time.perf_counter() - began
        log(f"{report.attempts:,} attempts; standings checked in {check_s:.1f} s")
        figures = [
            Figure(BENCH, "attempts in the database", report.attempts, "count"),
            Figure(BENCH, "standings differing from answers", len(report.mismatches), "count", 0),
        ]
        if fresh:
            figures.append(Figure(BENCH, "build rate", build_rate, "attempts/s", better="higher"))
        figures += await reads(db, size)
        figures += await answers_under_reads(db, 300)
    return figures


def main() -> None:
    """Parse the flags, run in a temporary folder unless --database, print table or JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_const", const="quick", dest="size")
    size.add_argument("--full", action="store_const", const="full", dest="size")
    parser.add_argument("--database", type=Path, help="build here once, reuse afterwards")
    parser.add_argument("--json", action="store_true", help="JSON lines for bench/all.py")
    args = parser.parse_args()
    size_name = args.size or "quick"
    if args.database is not None:
        fresh = not args.database.exists()
        figures = asyncio.run(measure(size_name, args.database, fresh=fresh))
    else:
        with tempfile.TemporaryDirectory(prefix="anneal-bench-") as folder:
            path = Path(folder) / "standings.db"
            figures = asyncio.run(measure(size_name, path, fresh=True))
    if args.json:
        print(dump_json(figures))
    else:
        print_table(figures)


if __name__ == "__main__":
    main()
