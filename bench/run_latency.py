"""`!run` latency and what a worker costs: warm pool jobs against a fresh Python per job.

    .venv/bin/python bench/run_latency.py [--quick] [--json]

Targets: a warm 100-step job at p50 <= 5 ms without the chart and <= 60 ms with it; the
baseline, measured in the same run, is the naive design: a fresh `python -c` that imports
torch and steps the scheduler. Also measured: a worker's warm-up (what a respawn costs)
and what a job past its CPU-time limit costs now (the worker is kept) against the old way
(the worker is killed at the limit and respawned).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import Figure, percentile, run_cli
from bot.runner import RunnerPool, RunnerTimeout, RunSpec, SchedulerSpec, describe_run, plot

BENCH = "run_latency"
STEP_100 = RunSpec(SchedulerSpec("StepLR", {"step_size": 10, "gamma": 0.5}), steps=100)
COSINE_10K = RunSpec(SchedulerSpec("CosineAnnealingLR", {"T_max": 2500}), steps=10_000)
# The heaviest job a member can send: 10,000 steps of 8 parameter groups (~0.6 CPU-s).
HEAVIEST = RunSpec(SchedulerSpec("CosineAnnealingLR", {"T_max": 2500}), lr=(0.1,) * 8, steps=10_000)
# `!run compare` of four schedules: one job, one chart.
COMPARE_100 = [(f"StepLR(step_size={n})", STEP_100) for n in range(4)]
COMPARE_10K = [(f"CosineAnnealingLR #{n}", COSINE_10K) for n in range(4)]
NAIVE = """\
import json, torch
params = [torch.nn.Parameter(torch.zeros(1))]
optimizer = torch.optim.SGD(params, lr=0.1)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
lrs = []
for _ in range(100):
    optimizer.step()
    scheduler.step()
    lrs.append(optimizer.param_groups[0]["lr"])
print(json.dumps(lrs))
"""


def ms(samples: list[float], pct: float) -> float:
    """The pct-th percentile of samples in seconds, in milliseconds."""
    return percentile(sorted(samples), pct) * 1000


async def timed(job: Callable[[], Awaitable[object]], reps: int) -> list[float]:
    """Seconds per call of `job`, after one untimed call (first-use costs are warm-up)."""
    await job()
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        await job()
        samples.append(time.perf_counter() - start)
    return samples


def naive(reps: int) -> list[float]:
    """Seconds per fresh Python process that imports torch and steps 100 times."""
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", NAIVE], check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return samples


async def thread_chart(reps: int) -> list[float]:
    """The alternative design: compute in the worker, draw in a bot-side thread."""
    async with RunnerPool(size=1, plot=False) as pool:
        result = await pool.run(STEP_100)
    title = describe_run(STEP_100)  # the bot writes chart titles
    return await timed(lambda: asyncio.to_thread(plot.chart, STEP_100, result, title=title), reps)


async def respawn_costs() -> tuple[float, float]:
    """(CPU-s of respawn a job past its CPU limit costs now, what one respawn costs).

    One respawn is what a wall-clock limit used to cost every overrun: the worker was
    killed and another warmed up; the backstop still does that to a stuck job.
    """
    async with RunnerPool(size=1, plot=False, job_timeout=0.05, wall_clock_factor=100) as pool:
        before = pool.respawn_cpu_seconds
        with contextlib.suppress(RunnerTimeout):
            await pool.run(HEAVIEST)
        await pool.run(STEP_100)  # answered by the same worker: nothing was respawned
        kept = pool.respawn_cpu_seconds - before
        os.kill(pool.pids[0], signal.SIGKILL)  # the old way: killed at the limit ...
        await pool.run(STEP_100)  # ... and this job waits for the replacement
        return kept, pool.respawn_cpu_seconds - before - kept


async def main(quick: bool) -> list[Figure]:
    """Measure everything and return the figures."""
    reps = 60 if quick else 200
    started = time.perf_counter()
    async with RunnerPool(size=1, plot=True) as pool:
        ready_s = time.perf_counter() - started
        warm = await timed(lambda: pool.run(STEP_100), reps)
        warm_chart = await timed(lambda: pool.chart(STEP_100), reps // 2)
        big = await timed(lambda: pool.run(COSINE_10K), max(5, reps // 10))
        big_chart = await timed(lambda: pool.chart(COSINE_10K), max(5, reps // 10))
        heaviest = await timed(lambda: pool.chart(HEAVIEST), 3 if quick else 10)
        compare = await timed(lambda: pool.compare(COMPARE_100), reps // 4)
        compare_big = await timed(lambda: pool.compare(COMPARE_10K), 3 if quick else 10)
    in_thread = await thread_chart(reps // 4)
    kept, respawn = await respawn_costs()
    fresh = naive(3 if quick else 10)
    fresh_p50 = ms(fresh, 50)
    baseline = "fresh python + torch per job"
    return [
        Figure(
            BENCH,
            "warm 100 steps p50",
            ms(warm, 50),
            "ms",
            target=5.0,
            baseline=fresh_p50,
            baseline_name=baseline,
        ),
        Figure(BENCH, "warm 100 steps p99", ms(warm, 99), "ms"),
        Figure(
            BENCH,
            "warm 100 steps + chart p50",
            ms(warm_chart, 50),
            "ms",
            target=60.0,
            baseline=fresh_p50,
            baseline_name=baseline,
        ),
        Figure(BENCH, "warm 100 steps + chart p99", ms(warm_chart, 99), "ms"),
        Figure(BENCH, "chart drawn in a bot thread p50", ms(in_thread, 50), "ms"),
        Figure(BENCH, "warm 10,000 steps p50", ms(big, 50), "ms"),
        Figure(BENCH, "warm 10,000 steps + chart p50", ms(big_chart, 50), "ms"),
        Figure(BENCH, "heaviest job (10k steps x 8 groups + chart) p50", ms(heaviest, 50), "ms"),
        Figure(BENCH, "compare 4 x 100 steps + chart p50", ms(compare, 50), "ms"),
        Figure(BENCH, "compare 4 x 10,000 steps + chart p50", ms(compare_big, 50), "ms"),
        Figure(BENCH, "pool of 1 ready (cold start)", ready_s, "s"),
        Figure(BENCH, "worker warm-up (one respawn)", respawn, "CPU-s"),
        Figure(
            BENCH,
            "respawn cost of a job past its CPU limit",
            kept,
            "CPU-s",
            target=0.1,
            baseline=respawn,
            baseline_name="killed at the limit and respawned",
        ),
    ]


if __name__ == "__main__":
    run_cli(__doc__ or "", main)
