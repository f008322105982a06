"""Organiser statistics at scale: what `!stats`, `!stats problem` and `!stats export` cost
in a server with 200,000 attempts.

    .venv/bin/python bench/organiser.py [--quick | --full] [--json]

Builds one database: a server with 200,000 attempts over 12 weeks (2,000 members,
sessions of 5 of the shipped problems, a twentieth of them generated `fresh` packs, some
daily problems and races) beside other servers (50,000 attempts with --quick, 800,000
with --full). The attempts are inserted with raw sqlite3 and the standings rebuilt from
them, as `anneal db check --repair` does (building through the storage API, answer by
answer, would take minutes). Then, in that server:

- `!stats` reads: everything `read_overview` asks of storage and content; baseline: one
  plain scan of the server's attempts (COUNT and SUM), the least any all-time number costs;
- `!stats` chart: drawing the weekly PNG (in a thread in the bot);
- `!stats problem` reads, and the autocomplete's list of played ids;
- `!stats export`: all 200,000 attempts to CSV (gzip, as they pass 10 MiB), its time
  against fetching the same rows with raw sqlite3, and the event loop's lag meanwhile
  against the same ticker on an idle loop.

Targets: `!stats` reads p50 <= 500 ms and `!stats problem` p50 <= 250 ms (a reply the
organiser waits for; slash replies are deferred at once); loop lag p99 <= 20 ms while an
export runs (answers keep being judged on time).
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.leaderboard import timed
from bench.loop_lag import lag_during
from bench.report import Figure, percentile, run_cli
from bot.content import ContentLibrary, load_library
from bot.engine.problems import Problem
from bot.features.organiser.charts import activity_chart
from bot.features.organiser.reading import read_export, read_overview, read_problem
from bot.settings import SHIPPED_CONTENT_DIR
from bot.storage import Database

BENCH = "organiser"
SERVER = 1
SERVER_ATTEMPTS = 200_000
NOW = datetime(2025, 6, 4, 12, tzinfo=UTC).timestamp()  # a Wednesday
WEEKS = 12
MEMBERS = 2_000
PER_SESSION = 5
PLAYERS = 12
STATS_TARGET_MS = 500.0
PROBLEM_TARGET_MS = 250.0
LAG_TARGET_MS = 20.0
EXPORT_LIMIT = 10 * 1024 * 1024  # discord.py's upload limit of a server without boosts


def log(text: str) -> None:
    """Progress goes to stderr, so `--json` output stays clean."""
    print(text, file=sys.stderr, flush=True)


def fresh_pack(rng: random.Random, problems: list[Problem], number: int) -> list[Problem]:
    """A generated pack's problems, as a fresh session saves them: shipped ones, new ids."""
    picked = rng.sample(problems, PER_SESSION)
    return [p.model_copy(update={"id": f"fresh-bench-{number}-{i}"}) for i, p in enumerate(picked)]


class Builder:
    """Sessions and attempts of a few servers, as rows for raw sqlite3 inserts."""

    def __init__(self, library: ContentLibrary, seed: int = 12) -> None:
        self.rng = random.Random(seed)
        self.problems = [problem for _, problem in library.problems()]
        # Each problem has its own difficulty and a favourite wrong option (its trap).
        self.ease = {p.id: self.rng.uniform(0.25, 0.9) for p in self.problems}
        self.sessions: list[tuple[object, ...]] = []
        self.packs: list[tuple[int, str]] = []
        self.attempts: list[tuple[object, ...]] = []

    def session(self, session_id: int, guild: int) -> int:
        """One session of 5 problems by 12 members; the number of attempts it made."""
        rng = self.rng
        started = NOW - rng.uniform(0, WEEKS * 7 * 86_400)
        mode = rng.choices(("challenge", "daily", "race"), (8, 1, 1))[0]
        shown = rng.sample(self.problems, PER_SESSION)
        ids = [p.id for p in shown]
        if rng.random() < 0.05:  # a generated pack: its problems are only in session_packs
            generated = fresh_pack(rng, self.problems, session_id)
            ids = [p.id for p in generated]
            pack = {"id": "fresh", "problems": [json.loads(p.model_dump_json()) for p in generated]}
            self.packs.append((session_id, json.dumps(pack)))
        players = [10**17 + m for m in rng.sample(range(MEMBERS), PLAYERS)]
        self.sessions.append(
            (session_id, guild, 100 + guild, "bench", json.dumps(ids), "finished",
             players[0], started, started + 600, mode)
        )  # fmt: skip
        before = len(self.attempts)
        for index, (problem_id, problem) in enumerate(zip(ids, shown, strict=True)):
            trap = rng.choice([o for o in problem.options if o != problem.answer])
            for player in players:
                self.answer(session_id, player, problem_id, problem, trap, started + index * 60)
        return len(self.attempts) - before

    def answer(
        self, session_id: int, player: int, problem_id: str, problem: Problem, trap: str, at: float
    ) -> None:
        """A member's attempts at one problem: right, or wrong and maybe a second try."""
        rng = self.rng
        wrong = [o for o in problem.options if o != problem.answer]
        for number in (1, 2):
            right = rng.random() < self.ease[problem.id]
            option = problem.answer if right else trap if rng.random() < 0.6 else rng.choice(wrong)
            points = (100 if number == 1 else 50) if right else 0
            answered_at = at + rng.uniform(1, 25) + 25 * (number - 1)
            self.attempts.append(
                (session_id, player, problem_id, option, int(right), number, points, answered_at)
            )
            if right or rng.random() < 0.5:
                return


def build(path: Path, library: ContentLibrary, others: int) -> dict[int, int]:
    """Insert the servers' sessions and attempts with raw sqlite3; attempts per server."""
    builder = Builder(library)
    servers = {SERVER: SERVER_ATTEMPTS, **{2 + g: others // 4 for g in range(4)}}
    counts = dict.fromkeys(servers, 0)
    session_id = 0
    for guild, wanted in servers.items():
        while counts[guild] < wanted:
            session_id += 1
            counts[guild] += builder.session(session_id, guild)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    conn.executemany(
        "INSERT INTO guilds (id, name, joined_at) VALUES (?, ?, ?)",
        [(g, f"server {g}", NOW - WEEKS * 7 * 86_400) for g in servers],
    )
    conn.executemany(
        "INSERT INTO users (id, display_name) VALUES (?, ?)",
        [(10**17 + m, f"member {m}") for m in range(MEMBERS)],
    )
    conn.executemany(
        "INSERT INTO sessions (id, guild_id, channel_id, pack_id, problem_ids, status, "
        "started_by, started_at, ended_at, mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        builder.sessions,
    )
    conn.executemany(
        "INSERT INTO session_packs (session_id, pack_json) VALUES (?, ?)", builder.packs
    )
    conn.executemany(
        "INSERT INTO attempts (session_id, user_id, problem_id, option, correct, "
        "attempt_number, points, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        builder.attempts,
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    return counts


def raw_scan_ms(path: Path, reps: int) -> list[float]:
    """The baseline: one plain pass over the server's attempts with raw sqlite3."""
    query = """
        SELECT COUNT(*), SUM(a.correct) FROM attempts AS a
        JOIN sessions AS s ON s.id = a.session_id WHERE s.guild_id = ?
    """
    conn = sqlite3.connect(path)
    samples = []
    for _ in range(reps + 1):
        began = time.perf_counter()
        conn.execute(query, (SERVER,)).fetchone()
        samples.append((time.perf_counter() - began) * 1000)
    conn.close()
    return samples[1:]


def raw_export_s(path: Path) -> float:
    """The export's baseline: the same rows fetched with raw sqlite3, nothing written."""
    query = """
        SELECT a.session_id, s.mode, a.user_id, u.display_name, a.problem_id, a.option,
               a.correct, a.attempt_number, a.points, a.answered_at
        FROM attempts AS a JOIN sessions AS s ON s.id = a.session_id
        JOIN users AS u ON u.id = a.user_id
        WHERE s.guild_id = ? ORDER BY a.answered_at, a.id
    """
    conn = sqlite3.connect(path)
    began = time.perf_counter()
    conn.execute(query, (SERVER,)).fetchall()
    seconds = time.perf_counter() - began
    conn.close()
    return seconds


async def measure(quick: bool) -> list[Figure]:
    """Build the database, then time each command's reads, the chart and the export."""
    library = load_library(SHIPPED_CONTENT_DIR)
    reps = 10 if quick else 30
    with tempfile.TemporaryDirectory(prefix="anneal-bench-") as folder:
        path = Path(folder) / "organiser.db"
        async with await Database.open(path):
            pass  # migrated
        began = time.perf_counter()
        counts = build(path, library, 50_000 if quick else 800_000)
        async with await Database.open(path) as db:
            # The attempts went in raw: compute the standings kept with them, as the bot has.
            await db.rebuild_totals()
            log(f"built {sum(counts.values()):,} attempts in {time.perf_counter() - began:.0f} s")
            return await _measure(db, path, library, counts[SERVER], reps)


async def _measure(
    db: Database, path: Path, library: ContentLibrary, attempts: int, reps: int
) -> list[Figure]:
    stats, _ = await read_overview(db, library, SERVER, now=NOW)
    hardest = stats.most_missed[0].problem_id
    overview = await timed(lambda: read_overview(db, library, SERVER, now=NOW), reps)
    scan = raw_scan_ms(path, reps)
    chart = await timed(
        lambda: asyncio.to_thread(activity_chart, stats.weeks, title="server 1"), reps
    )
    problem = await timed(lambda: read_problem(db, library, SERVER, hardest), reps)
    played = await timed(lambda: db.played_problem_ids(SERVER), reps)
    _, idle = await lag_during(asyncio.sleep(2.0))
    began = time.perf_counter()
    export, lag = await lag_during(read_export(db, SERVER, stem="bench", limit=EXPORT_LIMIT))
    export_s = time.perf_counter() - began
    raw_s = raw_export_s(path)
    size = sum(len(f.data) for f in export.files)
    log(
        f"!stats reads p50 {percentile(overview, 50):.0f} ms (scan {percentile(scan, 50):.0f} ms); "
        f"export {export_s:.1f} s, {len(export.files)} file(s), {size / 2**20:.1f} MiB"
    )
    ms = 1000.0
    return [
        Figure(BENCH, "attempts in the server", attempts, "count"),
        Figure(BENCH, "first tries counted by !stats", stats.first_tries, "count"),
        Figure(
            BENCH, "!stats reads p50", percentile(overview, 50), "ms", STATS_TARGET_MS,
            "lower", percentile(scan, 50), "one raw scan of the attempts",
        ),
        Figure(BENCH, "!stats reads p99", percentile(overview, 99), "ms"),
        Figure(BENCH, "!stats chart p50 (thread)", percentile(chart, 50), "ms"),
        Figure(
            BENCH, "!stats problem reads p50", percentile(problem, 50), "ms", PROBLEM_TARGET_MS,
            "lower", percentile(scan, 50), "one raw scan of the attempts",
        ),
        Figure(BENCH, "autocomplete: played ids p50", percentile(played, 50), "ms"),
        Figure(
            BENCH, "!stats export, all attempts", export_s, "s", None, "lower", raw_s,
            "raw sqlite3 fetch of the rows",
        ),
        Figure(BENCH, "!stats export size", size / 2**20, "MiB"),
        Figure(BENCH, "!stats export rows", export.rows_written, "count", attempts, "higher"),
        Figure(
            BENCH, "loop lag p99 during export", percentile(lag, 99) * ms, "ms", LAG_TARGET_MS,
            "lower", percentile(idle, 99) * ms, "idle loop",
        ),
        Figure(
            BENCH, "loop lag max during export", max(lag) * ms, "ms", None, "lower",
            max(idle) * ms, "idle loop",
        ),
    ]  # fmt: skip


if __name__ == "__main__":
    run_cli(__doc__, measure)
