"""Dispatcher: admission before any await, fair handovers, waiting limits (fake workers)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from bot.runner.dispatch import Dispatcher, Waiter
from bot.runner.errors import RunnerBusy, RunnerClosed, RunnerWarmingUp
from bot.runner.fairness import FairQueue, Requester

ALICE = Requester(guild_id=1, user_id=10)
BOB = Requester(guild_id=2, user_id=20)
CARA = Requester(guild_id=3, user_id=30)


@dataclass(eq=False)
class FakeWorker:
    """Stands in for a worker process: it can be dead, and it records being killed."""

    name: str
    dead: bool = False
    killed: bool = False

    @property
    def exited(self) -> bool:
        """Whether the fake process has died."""
        return self.dead

    def kill(self) -> None:
        """Record the kill."""
        self.killed = True


@dataclass
class FakeCrew:
    """Stands in for the crew: records retirements and knows which workers are leaving."""

    retired: list[FakeWorker] = field(default_factory=list)
    leaving: set[str] = field(default_factory=set)
    served_count: int = 0

    def is_leaving(self, worker: FakeWorker) -> bool:
        """Whether the test marked this worker as replaced."""
        return worker.name in self.leaving

    def served(self, worker: FakeWorker) -> None:
        """Count clean jobs."""
        self.served_count += 1

    def retire(self, worker: FakeWorker) -> None:
        """Record the retirement."""
        self.retired.append(worker)


def dispatcher(
    *workers: FakeWorker,
    max_waiting: int = 8,
    per_server: int = 8,
    warm_up_wait: float = 5.0,
    heavy_lanes: int = 1,
) -> tuple[Dispatcher[FakeWorker], FakeCrew]:
    """A dispatcher with these workers ready (none: still warming up)."""
    crew = FakeCrew()
    queue = FairQueue[Waiter[FakeWorker]](max_waiting, per_server)
    dispatch = Dispatcher(
        crew, queue, max_wait=60.0, warm_up_wait=warm_up_wait, heavy_lanes=heavy_lanes
    )
    for worker in workers:
        dispatch.on_ready(worker)
    return dispatch, crew


async def test_a_burst_in_one_loop_turn_respects_the_bound() -> None:
    """20 requests before any await, 2 free workers, 8 places: 2 run, 8 wait, 10 are refused."""
    dispatch, _ = dispatcher(FakeWorker("w1"), FakeWorker("w2"))
    tickets: list[FakeWorker | Waiter[FakeWorker]] = []
    refusals: list[str] = []
    for n in range(20):
        try:
            tickets.append(dispatch.admit(Requester(guild_id=n, user_id=n)))
        except RunnerBusy as exc:
            refusals.append(str(exc))
    assert sum(isinstance(t, FakeWorker) for t in tickets) == 2
    assert sum(isinstance(t, Waiter) for t in tickets) == 8
    assert refusals == ["The runner is busy; try again in a moment."] * 10
    assert dispatch.queue.waiting == 8


async def test_one_server_is_told_its_own_share_is_full() -> None:
    """A server past its share hears so, while another server may still wait."""
    dispatch, _ = dispatcher(FakeWorker("w1"), per_server=2)
    dispatch.admit(ALICE)
    dispatch.admit(ALICE)
    dispatch.admit(ALICE)
    with pytest.raises(RunnerBusy, match="This server already has 2 runs waiting"):
        dispatch.admit(ALICE)
    assert isinstance(dispatch.admit(BOB), Waiter)


async def test_a_free_worker_goes_to_the_fairest_waiter() -> None:
    """Alice's backlog waits behind Cara's one job when Alice's job frees the worker."""
    worker = FakeWorker("w1")
    dispatch, crew = dispatcher(worker)
    assert dispatch.admit(ALICE) is worker
    alice_next = dispatch.admit(ALICE)
    cara = dispatch.admit(CARA)
    assert isinstance(alice_next, Waiter)
    assert isinstance(cara, Waiter)
    dispatch.release(worker, ALICE, healthy=True)
    assert await dispatch.worker_for(cara) is worker
    assert not alice_next.future.done()
    assert crew.served_count == 1


async def test_a_cancelled_waiter_frees_its_place_and_loses_no_worker() -> None:
    """Cancelled just as a worker is handed over: the worker goes to the next in line."""
    worker = FakeWorker("w1")
    dispatch, _ = dispatcher(worker)
    dispatch.admit(ALICE)
    bob = dispatch.admit(BOB)
    cara = dispatch.admit(CARA)
    assert isinstance(bob, Waiter)
    assert isinstance(cara, Waiter)
    bob_waits = asyncio.create_task(dispatch.worker_for(bob))
    await asyncio.sleep(0)  # Bob is now waiting
    dispatch.release(worker, ALICE, healthy=True)  # hands the worker to Bob ...
    bob_waits.cancel()  # ... who is cancelled before he can use it
    with pytest.raises(asyncio.CancelledError):
        await bob_waits
    assert await dispatch.worker_for(cara) is worker
    assert dispatch.queue.waiting == 0


async def test_a_job_before_the_first_worker_waits_for_it() -> None:
    """Admitted while the pool warms up, a job gets the first worker that is ready."""
    dispatch, _ = dispatcher()
    ticket = dispatch.admit(ALICE)
    assert isinstance(ticket, Waiter)
    waiting = asyncio.create_task(dispatch.worker_for(ticket))
    await asyncio.sleep(0)
    worker = FakeWorker("w1")
    dispatch.on_ready(worker)
    assert await waiting is worker
    assert dispatch.ready.is_set()


async def test_a_job_that_waits_too_long_for_warm_up_is_told_so() -> None:
    """No worker within warm_up_wait: RunnerWarmingUp, a RunnerBusy the user can act on."""
    dispatch, _ = dispatcher(warm_up_wait=0.01)
    ticket = dispatch.admit(ALICE)
    with pytest.raises(RunnerWarmingUp, match="still warming up"):
        await dispatch.worker_for(ticket)
    assert dispatch.queue.waiting == 0


async def test_a_full_queue_during_warm_up_says_warming_up() -> None:
    """The refusal names the real reason: the workers are not there yet."""
    dispatch, _ = dispatcher(max_waiting=1)
    dispatch.admit(ALICE)
    with pytest.raises(RunnerWarmingUp):
        dispatch.admit(BOB)


async def test_a_worker_dead_while_idle_is_retired_not_handed_out() -> None:
    """Admission skips a worker known to be dead, retires it, and gives the live one."""
    dead, alive = FakeWorker("dead", dead=True), FakeWorker("alive")
    dispatch, crew = dispatcher(dead, alive)
    assert dispatch.admit(ALICE) is alive
    assert crew.retired == [dead]


async def test_a_retry_goes_first_even_when_the_queue_is_full() -> None:
    """A job whose worker died before starting it is not refused, and is served first."""
    worker = FakeWorker("w1")
    dispatch, _ = dispatcher(worker, max_waiting=1)
    dispatch.admit(ALICE)
    dispatch.admit(BOB)
    retry = dispatch.admit(CARA, retry=True)
    assert isinstance(retry, Waiter)
    dispatch.release(worker, ALICE, healthy=True)
    assert await dispatch.worker_for(retry) is worker


async def test_an_unhealthy_worker_is_retired_and_the_waiter_keeps_waiting() -> None:
    """A worker that crashed or overran is never handed to the next job."""
    worker = FakeWorker("w1")
    dispatch, crew = dispatcher(worker)
    dispatch.admit(ALICE)
    bob = dispatch.admit(BOB)
    assert isinstance(bob, Waiter)
    dispatch.release(worker, ALICE, healthy=False)
    assert crew.retired == [worker]
    assert not bob.future.done()
    successor = FakeWorker("w2")
    dispatch.on_ready(successor)
    assert await dispatch.worker_for(bob) is successor


async def test_a_replaced_idle_worker_leaves_when_its_successor_is_ready() -> None:
    """Make-before-break: the worn worker served until now, and leaves once replaced."""
    worn = FakeWorker("worn")
    dispatch, crew = dispatcher(worn)
    crew.leaving.add("worn")
    successor = FakeWorker("new")
    dispatch.on_ready(successor)
    assert crew.retired == [worn]
    assert dispatch.admit(ALICE) is successor


async def test_close_fails_the_waiters_and_refuses_new_jobs() -> None:
    """Waiting jobs get RunnerClosed with the reason; so does anything admitted after."""
    worker = FakeWorker("w1")
    dispatch, _ = dispatcher(worker)
    dispatch.admit(ALICE)
    bob = dispatch.admit(BOB)
    dispatch.close("The runner is shutting down.")
    with pytest.raises(RunnerClosed, match="shutting down"):
        await dispatch.worker_for(bob)
    with pytest.raises(RunnerClosed):
        dispatch.admit(CARA)
    dispatch.release(worker, ALICE, healthy=True)
    assert worker.killed


async def test_heavy_jobs_leave_a_worker_for_ordinary_runs() -> None:
    """With one heavy lane, a second heavy job waits while an ordinary run takes the worker."""
    first, second = FakeWorker("w1"), FakeWorker("w2")
    dispatch, _ = dispatcher(first, second, heavy_lanes=1)
    assert dispatch.admit(ALICE, heavy=True) is first
    bob_heavy = dispatch.admit(BOB, heavy=True)
    assert isinstance(bob_heavy, Waiter)  # although w2 is free
    assert dispatch.admit(CARA) is second
    dispatch.release(first, ALICE, healthy=True)  # the heavy lane is free again
    assert await dispatch.worker_for(bob_heavy) is first


async def test_a_freed_worker_skips_heavy_jobs_while_the_heavy_lane_is_taken() -> None:
    """An ordinary run that finishes hands its worker to the next ordinary run, not a heavy one."""
    first, second = FakeWorker("w1"), FakeWorker("w2")
    dispatch, _ = dispatcher(first, second, heavy_lanes=1)
    assert dispatch.admit(ALICE, heavy=True) is first
    assert dispatch.admit(CARA) is second
    bob_heavy = dispatch.admit(BOB, heavy=True)
    cara_next = dispatch.admit(CARA)
    assert isinstance(bob_heavy, Waiter)
    assert isinstance(cara_next, Waiter)
    dispatch.release(second, CARA, healthy=True)
    assert await dispatch.worker_for(cara_next) is second
    assert not bob_heavy.future.done()
