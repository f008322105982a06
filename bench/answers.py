"""Recording answers: answers/s through storage's own path, 1 and 50 writers, vs raw sqlite3.

    .venv/bin/python bench/answers.py [--quick | --full] [--json]

Each answer is stored the way the bot stores one (`Database.save_attempt` with the
player's name: one transaction that also moves the standings), by one writer in a loop,
then by 50 concurrent writers (50 channels answering at once). Then every answer is
counted (none may be lost) and the standings are checked against a recomputation. The
baseline, measured in the same run on a fresh file with the same schema and pragmas, is a
raw sqlite3 `executemany` of the same rows in one transaction (the fastest SQLite
writes, with no standings and no per-answer commit); a raw loop that commits each row is
shown beside it. `--quick` (the default of `make bench`) records 20,000 answers per
phase, `--full` 100,000.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import Figure, dump_json, percentile, print_table
from bot.engine.session import Attempt
from bot.storage import Database

BENCH = "answers"
ANSWERS = {"quick": 20_000, "full": 100_000}
WRITERS = 50
GUILD = 1
PLAYERS = 200
START = 1_741_564_800.0  # Monday 10 March 2025, 00:00 UTC
INSERT = """
    INSERT INTO attempts (
        session_id, user_id, problem_id, option, correct, attempt_number, points, answered_at
    )
    VALUES (?, ?, ?, ?, ?, 1, ?, ?)
"""


def log(text: str) -> None:
    """Progress goes to stderr, so `--json` output stays clean."""
    print(text, file=sys.stderr, flush=True)


def answer(phase: int, writer: int, n: int) -> Attempt:
    """The n-th answer of a writer in a phase: a player of 200, right two times in three."""
    player = 1 + (writer * 7 + n) % PLAYERS
    right = n % 3 != 0
    at = START + phase * 86_400 + n * 0.05 + writer * 0.001
    problem = f"{phase}-{writer}-{n}"
    return Attempt(player, problem, "A" if right else "B", right, 1, 100 * right, at)


async def prepare(db: Database, sessions: int) -> list[int]:
    """A guild, its players and `sessions` open sessions (one per channel)."""
    await db.upsert_guild(GUILD, "Benchmark group")
    for player in range(1, PLAYERS + 1):
        await db.upsert_user(player, f"player {player}")
    return [
        await db.create_session(GUILD, 1_000 + channel, "bench", ["p"], 1, START)
        for channel in range(sessions)
    ]


async def record(
    db: Database, phase: int, sessions: list[int], total: int
) -> tuple[float, list[float]]:
    """Store `total` answers spread over one writer per session; (seconds, latencies)."""
    per_writer = total // len(sessions)
    latencies: list[float] = []

    async def writer(index: int, session_id: int) -> None:
        for n in range(per_writer):
            attempt = answer(phase, index, n)
            began = time.perf_counter()
            await db.save_attempt(session_id, attempt, display_name=f"player {attempt.user_id}")
            latencies.append(time.perf_counter() - began)

    began = time.perf_counter()
    await asyncio.gather(*(writer(k, s) for k, s in enumerate(sessions)))
    return time.perf_counter() - began, latencies


def raw_baselines(path: Path, total: int) -> tuple[float, float]:
    """Rows/s of raw sqlite3: one executemany transaction, and one commit per row."""
    rows = [
        (1, a.user_id, a.problem_id, a.option, a.correct, a.points, a.answered_at)
        for a in (answer(0, 0, n) for n in range(total))
    ]
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        began = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(INSERT, rows)
        conn.execute("COMMIT")
        bulk = total / (time.perf_counter() - began)
        conn.execute("DELETE FROM attempts")
        one_by_one = rows[: total // 5]
        began = time.perf_counter()
        for row in one_by_one:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(INSERT, row)
            conn.execute("COMMIT")
        single = len(one_by_one) / (time.perf_counter() - began)
    return bulk, single


async def measure(size: str, folder: Path) -> list[Figure]:
    """Both phases, the checks and the baselines, as Figures."""
    total = ANSWERS[size]
    figures: list[Figure] = []

    # Same schema and pragmas for the baseline: let storage create the file.
    async with await Database.open(folder / "raw.db") as raw:
        await prepare(raw, 1)
    bulk, single = raw_baselines(folder / "raw.db", total)
    base = "raw sqlite3 executemany, 1 transaction"
    log(f"raw sqlite3: {bulk:,.0f} rows/s in one executemany, {single:,.0f}/s committing each")

    async with await Database.open(folder / "answers.db") as db:
        sessions = await prepare(db, WRITERS)
        stored = 0
        for phase, writers in enumerate((1, WRITERS)):
            seconds, latencies = await record(db, phase, sessions[:writers], total)
            stored += len(latencies)
            rate = len(latencies) / seconds
            log(f"{writers} writer(s): {rate:,.0f} answers/s")
            label = f"{writers} writer{'s' if writers > 1 else ''}"
            figures += [
                Figure(BENCH, f"answers/s, {label}", rate, "answers/s", None, "higher", bulk, base),
                Figure(
                    BENCH,
                    f"share of raw executemany, {label}",
                    rate / bulk,
                    "x",
                    None,
                    "higher",
                ),
                Figure(
                    BENCH,
                    f"record answer p99, {label}",
                    percentile([s * 1000 for s in latencies], 99),
                    "ms",
                ),
            ]
        report = await db.check_totals()
    figures += [
        Figure(BENCH, "raw sqlite3, one commit per row", single, "rows/s", better="higher"),
        Figure(BENCH, "answers lost", stored - report.attempts, "count", 0),
        Figure(BENCH, "standings differing from the answers", len(report.mismatches), "count", 0),
    ]
    return figures


def main() -> None:
    """Parse the flags, run the benchmark in a temporary folder, print the table or JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_const", const="quick", dest="size")
    size.add_argument("--full", action="store_const", const="full", dest="size")
    parser.add_argument("--json", action="store_true", help="JSON lines for bench/all.py")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="anneal-bench-") as folder:
        figures = asyncio.run(measure(args.size or "quick", Path(folder)))
    if args.json:
        print(dump_json(figures))
    else:
        print_table(figures)


if __name__ == "__main__":
    main()
