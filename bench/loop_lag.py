"""The bot's event loop under load: a 1,000-reaction burst with `!run`s in flight, and light
`!run`s while two members flood the heaviest job.

    .venv/bin/python bench/loop_lag.py [--quick] [--json]

Loop lag is how late a ticker that sleeps 2 ms wakes up: every millisecond of it is a
millisecond by which a gateway event (an answer) waits before the bot even sees it. The
burst drives the real answer path, ChallengeManager.answer (judge, store in SQLite, then
acknowledge), for 1,000 reactions over 10 live challenges, while both runner workers
compute 10,000-step charts. Baseline: the same ticker on an idle loop, in the same run.

The flood: two members keep the heaviest job (10,000 steps + chart) queued as fast as
the pool accepts it while six others, on other servers, send ordinary runs (100 steps +
chart) every 1-3 s each (the run feature would let each one run every 10 s). Target: their
p99 <= 1 s. Baseline: the same flood through one first-come-first-served queue (every
job in one share, no per-server bound), as the pool worked before.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import sys
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import Figure, percentile, run_cli
from bot.challenges import ChallengeManager
from bot.challenges.live import LiveChallenge
from bot.content import load_library
from bot.engine.session import OpenProblem, Reveal, Summary
from bot.runner import Requester, RunnerBusy, RunnerPool, RunSpec, SchedulerSpec
from bot.settings import SHIPPED_CONTENT_DIR
from bot.storage import Database, SessionStatus

T = TypeVar("T")
BENCH = "loop_lag"
TICK = 0.002  # seconds the ticker sleeps
CHANNELS = 10
MEMBERS = 100  # 10 channels x 100 members = 1,000 reactions
HEAVIEST = RunSpec(SchedulerSpec("CosineAnnealingLR", {"T_max": 2500}), steps=10_000)
LIGHT = RunSpec(SchedulerSpec("StepLR", {"step_size": 10, "gamma": 0.5}), steps=100)


class SilentView:
    """A ChallengeView that posts nothing: the bench measures the bot, not Discord."""

    def __init__(self) -> None:
        self._ids = itertools.count(10_000)

    async def show_problem(self, live: LiveChallenge, opened: OpenProblem) -> int:
        """A new message id, as Discord would return."""
        return next(self._ids)

    async def show_progress(self, live: LiveChallenge, opened: OpenProblem, answered: int) -> None:
        """Nothing to show."""

    async def show_reveal(self, live: LiveChallenge, reveal: Reveal) -> None:
        """Nothing to show."""

    async def show_summary(
        self, live: LiveChallenge, summary: Summary, new_badges: list[int], status: SessionStatus
    ) -> None:
        """Nothing to show."""

    async def show_notice(self, channel_id: int, text: str) -> None:
        """Nothing to show."""


async def ticker(samples: list[float], stop: asyncio.Event) -> None:
    """Record how late each TICK-long sleep wakes up, until `stop` is set."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        due = loop.time() + TICK
        await asyncio.sleep(TICK)
        samples.append(max(0.0, loop.time() - due))


async def lag_during(work: Awaitable[T]) -> tuple[T, list[float]]:
    """What `work` returns, and the loop lag samples (seconds) for as long as it ran."""
    samples: list[float] = []
    stop = asyncio.Event()
    ticking = asyncio.create_task(ticker(samples, stop))
    try:
        result = await work
    finally:
        stop.set()
        await ticking
    return result, samples


async def keep_busy(pool: RunnerPool, stop: asyncio.Event, who: Requester) -> None:
    """Send heavy charts one after another until `stop`: `!run`s always in flight."""
    while not stop.is_set():
        try:
            await pool.chart(HEAVIEST, requester=who)
        except RunnerBusy:
            await asyncio.sleep(0.05)


async def burst(manager: ChallengeManager, round_: int) -> list[float]:
    """1,000 reactions over 10 fresh challenges, arriving as a gateway delivers them.

    Returns each answer's time from arrival to stored (seconds).
    """
    lives = [
        await manager.start(
            guild_id=1,
            guild_name="bench",
            channel_id=round_ * CHANNELS + c + 1,
            user_id=1,
            user_name="organiser",
        )
        for c in range(CHANNELS)
    ]
    latencies: list[float] = []

    async def react(live: LiveChallenge, member: int) -> None:
        arrived = time.perf_counter()
        assert live.message_id is not None
        await manager.answer(
            message_id=live.message_id,
            user_id=1_000 + member,
            user_name=f"member {member}",
            option=random.choice("ABCD"),
        )
        latencies.append(time.perf_counter() - arrived)

    tasks = []
    for member in range(MEMBERS):
        for live in lives:
            tasks.append(asyncio.create_task(react(live, member)))
        await asyncio.sleep(0)  # events come in frames; the loop runs between them
    await asyncio.gather(*tasks)
    return latencies


async def burst_with_runs(pool: RunnerPool, rounds: int) -> tuple[list[float], list[float], float]:
    """(loop lag samples, answer latencies, answers/s) over `rounds` bursts, runs in flight."""
    with tempfile.TemporaryDirectory() as home:
        async with await Database.open(Path(home) / "burst.db") as db:
            library = load_library(SHIPPED_CONTENT_DIR)
            manager = ChallengeManager(db, library, SilentView(), time.time)
            stop = asyncio.Event()
            runs = [
                asyncio.create_task(keep_busy(pool, stop, Requester(guild_id=2, user_id=n)))
                for n in range(pool.size + 2)
            ]
            await asyncio.sleep(0)  # each sender is admitted: both workers are computing
            lag: list[float] = []
            latencies: list[float] = []
            started = time.perf_counter()
            for round_ in range(rounds):
                answered, samples = await lag_during(burst(manager, round_))
                latencies += answered
                lag += samples
            elapsed = time.perf_counter() - started
            stop.set()
            await asyncio.gather(*runs)
            await manager.close()
    return lag, latencies, len(latencies) / elapsed


async def flood(pool: RunnerPool, seconds: float, *, fair: bool) -> tuple[list[float], int]:
    """(light run latencies, light runs refused) while two members flood the heaviest job."""
    stop = asyncio.Event()
    latencies: list[float] = []
    refused = 0

    def share(who: Requester) -> Requester | None:
        return who if fair else None  # None: everybody in one first-come-first-served share

    async def flooder(who: Requester) -> None:
        while not stop.is_set():
            try:
                await pool.chart(HEAVIEST, requester=share(who))
            except RunnerBusy:
                await asyncio.sleep(0.05)  # a script retrying as fast as it is allowed

    async def member(who: Requester) -> None:
        nonlocal refused
        rng = random.Random(who.user_id)
        while not stop.is_set():
            # Far busier than the run feature allows (one run per 10 s per member), so
            # the queue, not the cooldown, is what is measured.
            await asyncio.sleep(rng.uniform(1.0, 3.0))
            sent = time.perf_counter()
            try:
                await pool.chart(LIGHT, requester=share(who))
            except RunnerBusy:
                refused += 1
                continue
            latencies.append(time.perf_counter() - sent)

    flooders = [Requester(guild_id=10 + n, user_id=10 + n) for n in range(2)]
    members = [Requester(guild_id=20 + n, user_id=20 + n) for n in range(6)]
    tasks = [asyncio.create_task(flooder(who)) for who in flooders for _ in range(3)]
    tasks += [asyncio.create_task(member(who)) for who in members]
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.gather(*tasks)
    return latencies, refused


def ms(samples: list[float], pct: float) -> float:
    """The pct-th percentile of samples (seconds) in milliseconds."""
    return percentile(sorted(samples), pct) * 1000


async def main(quick: bool) -> list[Figure]:
    """Measure everything and return the figures."""
    rounds, flood_s = (3, 15.0) if quick else (10, 60.0)
    _, idle = await lag_during(asyncio.sleep(3.0 if quick else 10.0))
    async with RunnerPool(size=2) as pool:
        lag, answers, per_second = await burst_with_runs(pool, rounds)
        fair, refused = await flood(pool, flood_s, fair=True)
    # The pool as it was: one queue for everybody, first come first served.
    async with RunnerPool(size=2, max_waiting_per_server=8) as fifo_pool:
        fifo, _ = await flood(fifo_pool, flood_s, fair=False)
    idle_p99 = ms(idle, 99)
    burst_name = f"loop lag p99, {CHANNELS * MEMBERS:,}-reaction burst + !runs"
    return [
        Figure(BENCH, "loop lag p99, idle loop", idle_p99, "ms"),
        Figure(
            BENCH,
            burst_name,
            ms(lag, 99),
            "ms",
            target=20.0,
            baseline=idle_p99,
            baseline_name="idle loop",
        ),
        Figure(
            BENCH,
            "loop lag max, burst + !runs",
            max(lag) * 1000,
            "ms",
            baseline=max(idle) * 1000,
            baseline_name="idle loop",
        ),
        Figure(BENCH, "answer stored p99, burst + !runs", ms(answers, 99), "ms"),
        Figure(BENCH, "answers stored per second, burst", per_second, "answers/s", better="higher"),
        Figure(
            BENCH,
            "light !run p99, 2 members flooding",
            ms(fair, 99),
            "ms",
            target=1000.0,
            baseline=ms(fifo, 99),
            baseline_name="one FIFO queue",
        ),
        Figure(
            BENCH,
            "light !run p50, 2 members flooding",
            ms(fair, 50),
            "ms",
            baseline=ms(fifo, 50),
            baseline_name="one FIFO queue",
        ),
        Figure(BENCH, "light !runs refused, 2 members flooding", refused, "count", target=0.0),
    ]


if __name__ == "__main__":
    run_cli(__doc__ or "", main)
