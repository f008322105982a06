"""RunnerPool: warm workers, limits, timeouts, crashes and a bounded queue, never a hang."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
from collections.abc import Callable, Iterator

import pytest

from bot.runner.pool import (
    Limits,
    RunnerBusy,
    RunnerClosed,
    RunnerCrashed,
    RunnerPool,
)
from bot.runner.protocol import MAX_COMPARE
from bot.runner.spec import RunError, RunSpec, SchedulerSpec
from tests.runner.misbehaving_worker import ENV_SPEC, PROGRAM, hog_spec, sleep_spec, spin_spec
from tests.shared_runner import ThreadedRunnerPool

STEP = RunSpec(SchedulerSpec("StepLR", {"step_size": 2, "gamma": 0.5}), steps=6)
STEP_RATES = (0.1, 0.05, 0.05, 0.025, 0.025, 0.0125)


async def until(condition: Callable[[], bool], polls: int = 3000) -> None:
    """Yield to the event loop until `condition` holds; fail rather than hang."""
    for _ in range(polls):
        if condition():
            return
        await asyncio.sleep(0.01)
    pytest.fail("condition never became true")


@pytest.fixture(scope="module")
def pool() -> Iterator[ThreadedRunnerPool]:
    """One warm (misbehaving on request) worker, no matplotlib, a generous time limit; shared
    by the module's tests (a worker one kills is replaced for the next)."""
    runner = ThreadedRunnerPool(size=1, plot=False, job_timeout=30.0, program=PROGRAM)
    runner.start_now()
    yield runner
    runner.stop()


async def test_run_returns_torchs_rates(pool: RunnerPool) -> None:
    """A job through the pool comes back as a RunResult with torch's numbers."""
    result = await pool.run(STEP)
    assert result.lrs == STEP_RATES
    assert result.error is None


async def test_a_worker_killed_mid_job_is_replaced() -> None:
    """Killing the worker during a job gives the caller RunnerCrashed; the next job works."""
    # A pool on this test's loop: the job is written to the worker before the kill below.
    async with RunnerPool(size=1, plot=False, job_timeout=30.0, program=PROGRAM) as pool:
        job = asyncio.create_task(pool.run(sleep_spec(60)))
        await until(lambda: pool.idle == 0)  # the job holds the only worker
        os.kill(pool.pids[0], signal.SIGKILL)
        with pytest.raises(RunnerCrashed, match="stopped unexpectedly"):
            await job
        assert pool.retries == 0  # it had started: it may be what killed the worker
        assert (await pool.run(STEP)).lrs == STEP_RATES


async def test_a_job_that_never_checks_its_budget_meets_the_kernel_limit() -> None:
    """CPU burnt where the budget is not checked: RLIMIT_CPU ends the worker; the caller is told."""
    # RLIMIT_CPU is armed at twice the job's limit plus a second, rounded up to seconds;
    # the wall clock is made generous so that it is the kernel that stops the job.
    async with RunnerPool(
        size=1, plot=False, job_timeout=0.1, wall_clock_factor=200, program=PROGRAM
    ) as runner:
        with pytest.raises(RunnerCrashed, match="more CPU time"):
            await runner.run(spin_spec(30))
        assert (await runner.run(STEP)).lrs == STEP_RATES


async def test_a_worker_over_its_memory_limit_is_replaced(pool: RunnerPool) -> None:
    """A job that allocates past RLIMIT_AS ends its worker; the caller is told why."""
    with pytest.raises(RunnerCrashed, match="more memory"):
        await pool.run(hog_spec(600 << 20))
    assert (await pool.run(STEP)).lrs == STEP_RATES


async def test_the_queue_is_bounded() -> None:
    """With the worker busy and the queue full, the next job is refused at once."""
    runner = RunnerPool(size=1, plot=False, job_timeout=60.0, max_waiting=1, program=PROGRAM)
    await runner.start()
    running = asyncio.create_task(runner.run(sleep_spec(60)))
    await until(lambda: runner.idle == 0)
    waiting = asyncio.create_task(runner.run(STEP))
    await until(lambda: runner.waiting == 1)
    with pytest.raises(RunnerBusy, match="try again in a moment"):
        await runner.run(STEP)
    await runner.close()
    for task in (running, waiting):
        with pytest.raises(RunnerClosed):
            await task


async def test_the_event_loop_keeps_running_during_jobs() -> None:
    """A ticker keeps ticking while a slow job and a 10,000-step, 3-group job run."""
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    big = RunSpec(
        SchedulerSpec("CosineAnnealingLR", {"T_max": 500}), lr=(0.1, 0.2, 0.3), steps=10_000
    )
    async with RunnerPool(size=2, plot=False, job_timeout=30.0, program=PROGRAM) as runner:
        task = asyncio.create_task(ticker())
        _, result = await asyncio.gather(runner.run(sleep_spec(1.5)), runner.run(big))
        task.cancel()
    assert len(result.groups) == 3
    assert len(result.lrs) == 10_000
    # A blocked loop would tick once or twice; a free one ticks about 150 times.
    assert ticks >= 20


async def test_worker_environment_is_minimal(
    pool: RunnerPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker sees none of the bot's environment and runs in a private directory."""
    result = await pool.run(ENV_SPEC)
    facts = dict(note.split("=", 1) for note in result.warnings)
    names = set(facts["env"].split(","))
    assert names <= {
        *("PATH", "LANG", "HOME", "TMPDIR", "USER", "MPLCONFIGDIR", "MPLBACKEND", "PWD"),
        *("PYTHONPATH", "PYTHONDONTWRITEBYTECODE"),
        *("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "TORCHINDUCTOR_CACHE_DIR"),
    }
    assert facts["cwd"] != os.getcwd()
    if pool.sandbox == "bwrap":
        assert facts["uid"] == "65534"
        assert facts["interfaces"] == "lo"  # no network
        assert facts["cwd"] == "/tmp"


async def test_sandbox_mode_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    """The pool says which sandbox it got; bubblewrap when it is installed."""
    caplog.set_level(logging.INFO, logger="anneal.runner")
    async with RunnerPool(size=1, plot=False) as runner:
        expected = "bwrap" if shutil.which("bwrap") else "rlimits"
        assert runner.sandbox == expected
    assert f"runner sandbox: {expected}" in caplog.text


async def test_falls_back_to_rlimits_when_bwrap_fails(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bubblewrap that cannot start a sandbox leaves the pool working on rlimits alone."""
    real_which = shutil.which

    def broken_bwrap(name: str, *args: object, **kwargs: object) -> str | None:
        return "/bin/false" if name == "bwrap" else real_which(name)

    monkeypatch.setattr(shutil, "which", broken_bwrap)
    caplog.set_level(logging.INFO, logger="anneal.runner")
    async with RunnerPool(size=1, plot=False) as runner:
        assert runner.sandbox == "rlimits"
        assert (await runner.run(STEP)).lrs == STEP_RATES
    assert "runner sandbox: rlimits" in caplog.text


async def test_chart_and_compare_return_pngs(shared_runner: RunnerPool) -> None:
    """chart() and compare() return PNG images drawn in the worker along with the results."""
    chart = await shared_runner.chart(STEP)
    comparison = await shared_runner.compare([("step", STEP), ("step again", STEP)])
    assert chart.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert chart.result.lrs == STEP_RATES
    assert comparison.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert [r.lrs for r in comparison.results] == [STEP_RATES, STEP_RATES]


async def test_too_many_runs_to_compare_is_a_run_error(shared_runner: RunnerPool) -> None:
    """A refusal inside the worker reaches the caller as a plain RunError with its reason."""
    with pytest.raises(RunError, match=f"between 1 and {MAX_COMPARE}"):
        await shared_runner.compare([(str(i), STEP) for i in range(MAX_COMPARE + 1)])
    assert (await shared_runner.run(STEP)).lrs == STEP_RATES


async def test_the_production_worker_has_no_test_hooks(shared_runner: RunnerPool) -> None:
    """A pool's default program is bot.runner.worker, to which `__test_sleep__` means nothing."""
    result = await shared_runner.run(sleep_spec(60))
    assert result.error is not None
    assert "is not a scheduler" in result.error


async def test_close_stops_every_worker() -> None:
    """After close() no worker process is left and new jobs get RunnerClosed."""
    pool = RunnerPool(size=1, plot=False, program=PROGRAM)
    await pool.start()
    pids = pool.pids
    await pool.close()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with pytest.raises(RunnerClosed):
        await pool.run(STEP)


async def test_limits_are_configurable() -> None:
    """With a larger memory limit, the allocation the default limit refuses succeeds."""
    limits = Limits(memory_bytes=3 << 30)
    async with RunnerPool(size=1, plot=False, limits=limits, program=PROGRAM) as runner:
        result = await runner.run(hog_spec(600 << 20))
    assert result.warnings == (f"allocated {600 << 20} bytes",)
