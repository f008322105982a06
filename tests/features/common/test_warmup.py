"""Tests for bot.features.common.warmup: the runner warming up while the bot is online."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.content import ContentLibrary
from bot.features.common.bot import Services
from bot.features.common.warmup import RunnerWarmingUp, ready_runner, warm_in_background
from bot.runner import RunnerPool, RunnerStartError
from bot.settings import Settings
from bot.storage import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """An empty database."""
    async with await Database.open(tmp_path / "w.db") as database:
        yield database


def services_for(
    db: Database, runner: RunnerPool | None, warmup: asyncio.Task[bool] | None
) -> Services:
    """Services with `runner` and its warm-up task; nothing else is used here."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    return Services(settings, db, ContentLibrary({}, {}), runner, runner_warmup=warmup)


class SlowPool(RunnerPool):
    """A pool whose start() waits for `release` (and starts no process) or fails."""

    def __init__(self, *, fails: bool = False) -> None:
        super().__init__(size=1)
        self.release = asyncio.Event()
        self.fails = fails

    async def start(self) -> None:
        """Wait for the test to say the workers are warm; or fail like a broken sandbox."""
        await self.release.wait()
        if self.fails:
            raise RunnerStartError("no worker could start")


async def test_a_runner_started_before_the_bot_is_ready_at_once(db: Database) -> None:
    """No warm-up task: the runner is handed out as it is."""
    pool = RunnerPool()
    assert await ready_runner(services_for(db, pool, None), wait=0) is pool
    assert await ready_runner(services_for(db, None, None), wait=0) is None


async def test_a_command_waits_for_the_warm_up_to_finish(db: Database) -> None:
    """A command that arrives while the workers warm gets the runner once they are warm."""
    pool = SlowPool()
    warmup = warm_in_background(pool)
    waiting = asyncio.create_task(ready_runner(services_for(db, pool, warmup), wait=30))
    await asyncio.sleep(0)
    assert not waiting.done()
    pool.release.set()
    assert await waiting is pool
    assert warmup.result() is True


async def test_too_long_a_warm_up_says_so_and_keeps_warming(db: Database) -> None:
    """Past the wait the command hears "warming up"; the warm-up itself goes on."""
    pool = SlowPool()
    warmup = warm_in_background(pool)
    with pytest.raises(RunnerWarmingUp, match="still warming up"):
        await ready_runner(services_for(db, pool, warmup), wait=0.01)
    assert not warmup.done()
    pool.release.set()
    assert await warmup is True


async def test_a_runner_that_failed_to_start_is_unavailable(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """A failed warm-up is logged once, and commands then hear "not available" (None)."""
    pool = SlowPool(fails=True)
    pool.release.set()
    warmup = warm_in_background(pool)
    assert await ready_runner(services_for(db, pool, warmup), wait=5) is None
    assert "could not start" in caplog.text
