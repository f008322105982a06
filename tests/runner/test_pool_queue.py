"""RunnerPool's queue and limits with real workers: bursts, fairness, CPU time, retries.

Most tests share one warm worker (`shared`, module-scoped: starting torch takes seconds)
with tight limits: 0.25 CPU-s per job and a wall-clock backstop of 2 s.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.runner import (
    Requester,
    RunnerBusy,
    RunnerClosed,
    RunnerPool,
    RunnerTimeout,
    RunnerWarmingUp,
)
from bot.runner.spec import RunResult, RunSpec, SchedulerSpec
from tests.runner.misbehaving_worker import PROGRAM, sleep_spec
from tests.runner.test_pool import STEP, STEP_RATES, until

pytestmark = pytest.mark.asyncio(loop_scope="module")

ALICE = Requester(guild_id=1, user_id=10)
BOB = Requester(guild_id=2, user_id=20)
# ~0.6 CPU-s: 10,000 steps of 8 parameter groups.
HEAVY = RunSpec(SchedulerSpec("CosineAnnealingLR", {"T_max": 50}), lr=(0.1,) * 8, steps=10_000)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared() -> AsyncIterator[RunnerPool]:
    """One warm worker (misbehaving on request) with tight limits, for the whole module."""
    pool = RunnerPool(
        size=1,
        plot=False,
        job_timeout=0.25,
        wall_clock_factor=8,
        max_waiting=4,
        max_waiting_per_server=4,
        program=PROGRAM,
    )
    await pool.start()
    yield pool
    await pool.close()


async def test_a_burst_in_one_loop_turn_never_queues_past_the_bound(shared: RunnerPool) -> None:
    """20 runs submitted at once, 1 worker, 4 places: 5 are computed and 15 refused at once."""
    outcomes = await asyncio.gather(
        *(shared.run(STEP, requester=Requester(guild_id=1, user_id=n)) for n in range(20)),
        return_exceptions=True,
    )
    results = [o for o in outcomes if isinstance(o, RunResult)]
    refusals = [o for o in outcomes if isinstance(o, RunnerBusy)]
    assert len(results) == 5
    assert all(result.lrs == STEP_RATES for result in results)
    assert len(refusals) == 15


async def test_a_worker_that_died_idle_costs_the_caller_nothing() -> None:
    """A worker that dies after a job is handed to it, before reading it: the job is retried.

    asyncio runs ready callbacks in order, so after one sleep(0) the job has been admitted
    and handed the only worker, but not yet written to it; the worker dies right then.
    """
    async with RunnerPool(size=1, plot=False) as pool:
        job = asyncio.create_task(pool.run(STEP))
        await asyncio.sleep(0)
        assert pool.idle == 0  # the job holds the worker ...
        os.kill(pool.pids[0], signal.SIGKILL)  # ... which dies before it reads the job
        assert (await job).lrs == STEP_RATES  # computed by the replacement
        assert pool.retries == 1
        assert pool.respawns == 1


async def test_a_worker_that_dies_idle_is_replaced_before_any_job_needs_it(
    shared: RunnerPool,
) -> None:
    """No job has to find it dead: the pool watches its workers and replaces the dead."""
    old, respawns, retries = shared.pids, shared.respawns, shared.retries
    os.kill(old[0], signal.SIGKILL)
    await until(lambda: shared.respawns == respawns + 1)
    assert shared.pids != old
    assert (await shared.run(STEP)).lrs == STEP_RATES
    assert shared.retries == retries


async def test_a_flooding_member_cannot_hold_up_another_server(shared: RunnerPool) -> None:
    """Alice queues three slow jobs; Bob's one job, sent after them, runs second."""
    finished: list[str] = []

    async def run(name: str, spec: RunSpec, who: Requester) -> None:
        await shared.run(spec, requester=who)
        finished.append(name)

    jobs = [asyncio.create_task(run(f"alice {n}", sleep_spec(0.2), ALICE)) for n in range(3)]
    await until(lambda: shared.waiting == 2)
    jobs.append(asyncio.create_task(run("bob", STEP, BOB)))
    await asyncio.gather(*jobs)
    assert finished == ["alice 0", "bob", "alice 1", "alice 2"]


async def test_a_run_sent_before_start_waits_for_the_first_worker() -> None:
    """The bot may take commands while the pool warms up in the background."""
    pool = RunnerPool(size=1, plot=False)
    early = asyncio.create_task(pool.run(STEP))
    await asyncio.sleep(0)
    assert not pool.ready
    starting = asyncio.create_task(pool.start())
    async with asyncio.timeout(120):
        assert await pool.wait_ready()
    assert (await early).lrs == STEP_RATES
    await starting
    await pool.close()
    assert not pool.ready


async def test_a_pool_that_never_starts_says_it_is_warming_up() -> None:
    """No worker within warm_up_wait: the user hears the runner is warming up, no hang."""
    pool = RunnerPool(size=1, plot=False, warm_up_wait=0.05)
    with pytest.raises(RunnerWarmingUp, match="warming up"):
        await pool.run(STEP)
    await pool.close()


async def test_closing_during_warm_up_fails_the_waiting_runs() -> None:
    """Shut down before any worker is ready: waiting runs get RunnerClosed, not a hang."""
    pool = RunnerPool(size=1, plot=False)
    early = asyncio.create_task(pool.run(STEP))
    await asyncio.sleep(0)
    await pool.close()
    with pytest.raises(RunnerClosed):
        await early
    assert not await pool.wait_ready()


async def test_a_job_past_its_cpu_limit_is_stopped_and_the_worker_kept(
    shared: RunnerPool,
) -> None:
    """Out of CPU time: RunnerTimeout, and the same worker takes the next job (no respawn)."""
    old, respawns = shared.pids, shared.respawns
    with pytest.raises(RunnerTimeout, match=r"more than 0\.25 s of CPU time"):
        await shared.run(HEAVY)
    assert (await shared.run(STEP)).lrs == STEP_RATES
    assert (shared.pids, shared.respawns) == (old, respawns)


async def test_a_job_slowed_by_a_busy_machine_is_not_failed(shared: RunnerPool) -> None:
    """A job that waits (here: sleeps) past its CPU limit without using the CPU succeeds."""
    result = await shared.run(sleep_spec(0.75))  # 3x the CPU limit, in wall-clock time
    assert result.error is None


async def test_a_cancelled_run_finishes_and_its_worker_is_kept(shared: RunnerPool) -> None:
    """The caller gives up mid-job: the job runs out and the worker is reused, not respawned."""
    old, respawns = shared.pids, shared.respawns
    job = asyncio.create_task(shared.run(sleep_spec(0.3)))
    await until(lambda: shared.idle == 0)
    job.cancel()
    with pytest.raises(asyncio.CancelledError):
        await job
    await until(lambda: shared.idle == 1)
    assert (await shared.run(STEP)).lrs == STEP_RATES
    assert (shared.pids, shared.respawns) == (old, respawns)


async def test_a_stuck_job_hits_the_wall_clock_backstop(shared: RunnerPool) -> None:
    """A job that never comes back gets RunnerTimeout; its worker is killed and replaced."""
    old, respawns = shared.pids, shared.respawns
    with pytest.raises(RunnerTimeout, match="took more than 2 s"):
        await shared.run(sleep_spec(60))
    assert (await shared.run(STEP)).lrs == STEP_RATES  # waits for the replacement
    assert shared.pids != old
    assert shared.respawns == respawns + 1


async def test_a_worn_worker_serves_until_its_successor_is_ready() -> None:
    """Recycling is make-before-break: jobs keep running on the old worker meanwhile."""
    async with RunnerPool(size=1, plot=False, recycle_after=2) as pool:
        old = pool.pids
        for _ in range(3):  # the second job makes it worn; the third still runs on it
            assert (await pool.run(STEP)).lrs == STEP_RATES
        assert pool.pids == old
        assert pool.respawns == 0  # the successor is still warming up
        await until(lambda: pool.respawns == 1 and pool.pids != old)
        assert len(pool.pids) == 1
        assert (await pool.run(STEP)).lrs == STEP_RATES
        assert pool.respawn_cpu_seconds > 0
