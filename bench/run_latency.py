"""`!run` latency: warm pool jobs (with and without the chart) against a fresh Python per job.

    .venv/bin/python bench/run_latency.py [--reps 200]

Prints one table. Targets: a warm 100-step job at p50 <= 5 ms without the chart and
<= 60 ms with it.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.runner import RunnerPool, RunSpec, SchedulerSpec, describe_run, plot

STEP_100 = RunSpec(SchedulerSpec("StepLR", {"step_size": 10, "gamma": 0.5}), steps=100)
COSINE_10K = RunSpec(SchedulerSpec("CosineAnnealingLR", {"T_max": 2500}), steps=10_000)
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


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p99 in milliseconds."""
    ms = sorted(s * 1000 for s in samples)
    p99 = statistics.quantiles(ms, n=100, method="inclusive")[98] if len(ms) > 1 else ms[0]
    return statistics.median(ms), p99


async def timed(job: Callable[[], Awaitable[object]], reps: int) -> list[float]:
    await job()  # one untimed run: first-use costs belong to warm-up, not to the job
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        await job()
        samples.append(time.perf_counter() - start)
    return samples


def naive(reps: int) -> list[float]:
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", NAIVE], check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return samples


async def loop_lag(pool: RunnerPool, reps: int) -> float:
    """The longest the event loop went without running a 1 ms ticker while 10k-step jobs ran."""
    worst = 0.0
    done = False

    async def ticker() -> None:
        nonlocal worst
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            worst = max(worst, now - last - 0.001)
            last = now

    task = asyncio.create_task(ticker())
    for _ in range(reps):
        await pool.chart(COSINE_10K)
    done = True
    await task
    return worst * 1000


async def thread_chart(reps: int) -> tuple[float, list[float]]:
    """The alternative design: compute in the worker, draw in a bot-side thread."""
    async with RunnerPool(size=1, plot=False) as pool:
        result = await pool.run(STEP_100)
    start = time.perf_counter()
    title = describe_run(STEP_100)  # the bot writes chart titles
    await asyncio.to_thread(plot.chart, STEP_100, result, title=title)  # imports matplotlib
    first = time.perf_counter() - start
    return first, await timed(
        lambda: asyncio.to_thread(plot.chart, STEP_100, result, title=title), reps
    )


async def main(reps: int, naive_reps: int) -> None:
    started = time.perf_counter()
    async with RunnerPool(size=1, plot=True) as pool:
        start_s = time.perf_counter() - started
        rows = [
            ("warm, 100 steps", await timed(lambda: pool.run(STEP_100), reps)),
            ("warm, 100 steps + chart", await timed(lambda: pool.chart(STEP_100), reps // 2)),
            ("warm, 10,000 steps", await timed(lambda: pool.run(COSINE_10K), reps // 10)),
            ("warm, 10,000 steps + chart", await timed(lambda: pool.chart(COSINE_10K), reps // 10)),
        ]
        lag = await loop_lag(pool, 5)
        sandbox = pool.sandbox
    first_thread, thread_samples = await thread_chart(reps // 4)
    rows.append(("chart drawn in a bot thread (100 steps)", thread_samples))
    naive_samples = naive(naive_reps)
    rows.append(("naive: fresh python + torch, 100 steps", naive_samples))

    print(f"sandbox: {sandbox}; pool of 1 ready in {start_s:.1f} s\n")
    print(f"{'job':<42}{'n':>5}{'p50 ms':>11}{'p99 ms':>11}")
    for label, samples in rows:
        p50, p99 = percentiles(samples)
        print(f"{label:<42}{len(samples):>5}{p50:>11.2f}{p99:>11.2f}")
    warm_p50, _ = percentiles(rows[0][1])
    naive_p50, _ = percentiles(naive_samples)
    print(f"\nnaive / warm (100 steps, p50): {naive_p50 / warm_p50:,.0f}x")
    print(f"first chart in a bot thread (imports matplotlib): {first_thread * 1000:.0f} ms")
    print(f"worst event-loop lag during 10,000-step chart jobs: {lag:.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200, help="warm 100-step jobs to time")
    parser.add_argument("--naive-reps", type=int, default=10, help="fresh processes to time")
    args = parser.parse_args()
    asyncio.run(main(args.reps, args.naive_reps))
