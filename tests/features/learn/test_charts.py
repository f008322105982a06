"""The chart cache: one runner job per card and run text, shared by concurrent requests."""

from __future__ import annotations

import asyncio

import pytest

from bot.content.cards import Card
from bot.features.learn.charts import ChartCache
from bot.runner import RunnerBusy, RunSpec
from tests.content.test_cards import card_data


class FakeCharts:
    """Counts the charts asked for; each returns the spec's scheduler name as its bytes."""

    def __init__(self) -> None:
        self.specs: list[RunSpec] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail_next = False

    async def __call__(self, spec: RunSpec) -> bytes:
        """Record the spec, wait for the gate, then answer (or fail once if told to)."""
        self.specs.append(spec)
        await self.gate.wait()
        if self.fail_next:
            self.fail_next = False
            raise RunnerBusy("busy")
        return f"{spec.scheduler.name} {spec.steps}".encode()


def card(run: str = "StepLR(step_size=2) lr=0.1 steps=4") -> Card:
    """The test card with its typical run set to `run`."""
    return Card.model_validate(card_data(typical={"run": run, "says": "Ends at {lr@4=0.025}."}))


async def test_a_chart_is_computed_once() -> None:
    """The second request is served from the cache, without a runner job."""
    cache, compute = ChartCache(), FakeCharts()
    assert cache.cached(card()) is None
    assert await cache.chart(card(), compute) == b"StepLR 4"
    assert await cache.chart(card(), compute) == b"StepLR 4"
    assert cache.cached(card()) == b"StepLR 4"
    assert len(compute.specs) == 1


async def test_concurrent_requests_share_one_job() -> None:
    """Three members asking at once while the chart is computed cost one job."""
    cache, compute = ChartCache(), FakeCharts()
    compute.gate.clear()
    waiting = [asyncio.create_task(cache.chart(card(), compute)) for _ in range(3)]
    await asyncio.sleep(0)
    compute.gate.set()
    assert await asyncio.gather(*waiting) == [b"StepLR 4"] * 3
    assert len(compute.specs) == 1


async def test_a_failure_is_not_kept() -> None:
    """A busy runner fails this request only; the next one computes the chart."""
    cache, compute = ChartCache(), FakeCharts()
    compute.fail_next = True
    with pytest.raises(RunnerBusy):
        await cache.chart(card(), compute)
    assert cache.cached(card()) is None
    assert await cache.chart(card(), compute) == b"StepLR 4"
    assert len(compute.specs) == 2


async def test_an_edited_run_gets_a_new_chart() -> None:
    """The chart is kept by card and run text: a changed `typical.run` is computed afresh."""
    cache, compute = ChartCache(), FakeCharts()
    await cache.chart(card(), compute)
    assert await cache.chart(card("StepLR(step_size=2) lr=0.1 steps=8"), compute) == b"StepLR 8"
    assert len(compute.specs) == 2


async def test_one_member_giving_up_does_not_cancel_the_others() -> None:
    """A cancelled request leaves the job running for whoever else waits on it."""
    cache, compute = ChartCache(), FakeCharts()
    compute.gate.clear()
    first = asyncio.create_task(cache.chart(card(), compute))
    second = asyncio.create_task(cache.chart(card(), compute))
    await asyncio.sleep(0)
    first.cancel()
    compute.gate.set()
    assert await second == b"StepLR 4"
    assert first.cancelled()
    assert cache.cached(card()) == b"StepLR 4"
