"""FairQueue: the bounds, and who gets the next free worker (plain Python, no processes)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.runner.fairness import ANYONE, FairQueue, QueueFull, Requester

ALICE = Requester(guild_id=1, user_id=10)
AMIR = Requester(guild_id=1, user_id=11)
BOB = Requester(guild_id=2, user_id=20)
CARA = Requester(guild_id=3, user_id=30)


def serve_next(queue: FairQueue[str]) -> str:
    """Pop the next job (it now holds a worker) and return it."""
    entry = queue.pop()
    assert entry is not None
    return entry[1]


def test_the_pool_bound_counts_every_server() -> None:
    """Past max_waiting jobs in all, the next push is refused with scope "pool"."""
    queue: FairQueue[str] = FairQueue(max_waiting=3, max_waiting_per_server=3)
    queue.push(ALICE, "a1")
    queue.push(BOB, "b1")
    queue.push(CARA, "c1")
    with pytest.raises(QueueFull) as refused:
        queue.push(Requester(guild_id=4, user_id=40), "d1")
    assert refused.value.scope == "pool"
    assert queue.waiting == 3


def test_one_server_cannot_fill_the_whole_queue() -> None:
    """A server past its share is refused while another server still gets in."""
    queue: FairQueue[str] = FairQueue(max_waiting=4, max_waiting_per_server=2)
    queue.push(ALICE, "a1")
    queue.push(AMIR, "m1")
    with pytest.raises(QueueFull) as refused:
        queue.push(ALICE, "a2")
    assert refused.value.scope == "server"
    queue.push(BOB, "b1")
    assert (queue.waiting_for(ALICE), queue.waiting_for(BOB)) == (2, 1)


def test_a_retry_goes_first_and_past_the_bounds() -> None:
    """push_first is served before everyone, even when the queue is full."""
    queue: FairQueue[str] = FairQueue(max_waiting=1, max_waiting_per_server=1)
    queue.push(ALICE, "a1")
    queue.push_first(BOB, "b-retry")
    assert queue.waiting == 2
    assert serve_next(queue) == "b-retry"
    assert serve_next(queue) == "a1"


def test_the_server_running_fewest_jobs_goes_next() -> None:
    """A server with a job running waits behind one with none, whatever the arrival order."""
    queue: FairQueue[str] = FairQueue(max_waiting=8, max_waiting_per_server=8)
    queue.started(ALICE)  # Alice's server holds a worker
    queue.push(ALICE, "a2")
    queue.push(BOB, "b1")
    assert serve_next(queue) == "b1"


def test_servers_take_turns() -> None:
    """Servers with as many jobs running are served round-robin, not first come first served."""
    queue: FairQueue[str] = FairQueue(max_waiting=8, max_waiting_per_server=8)
    for job in ("a1", "a2", "a3"):
        queue.push(ALICE, job)
    queue.push(BOB, "b1")
    queue.push(BOB, "b2")
    order = []
    while (entry := queue.pop()) is not None:
        who, job = entry
        order.append(job)
        queue.finished(who)  # one worker: each job is done before the next is picked
    assert order == ["a1", "b1", "a2", "b2", "a3"]


def test_members_of_one_server_take_turns_and_keep_their_own_order() -> None:
    """Within a server, a member who floods cannot push another member back."""
    queue: FairQueue[str] = FairQueue(max_waiting=8, max_waiting_per_server=8)
    for job in ("a1", "a2", "a3"):
        queue.push(ALICE, job)
    queue.push(AMIR, "m1")
    order = []
    while (entry := queue.pop()) is not None:
        order.append(entry[1])
        queue.finished(entry[0])
    assert order == ["a1", "m1", "a2", "a3"]


def test_a_newcomer_gets_the_next_free_worker_while_two_members_flood() -> None:
    """Two workers busy with two flooders' heavy jobs: a third member is served next."""
    queue: FairQueue[str] = FairQueue(max_waiting=16, max_waiting_per_server=16)
    flooders = (ALICE, BOB)
    for who in flooders:
        queue.started(who)
        for n in range(5):
            queue.push(who, f"{who.user_id}-heavy-{n}")
    queue.push(CARA, "light")
    queue.finished(ALICE)  # Alice's heavy job is done: one worker is free
    assert serve_next(queue) == "light"


def test_direct_messages_are_a_share_of_their_own() -> None:
    """Members outside servers are not bounded by each other, nor by a server."""
    queue: FairQueue[str] = FairQueue(max_waiting=8, max_waiting_per_server=1)
    queue.push(Requester(user_id=1), "dm1")
    queue.push(Requester(user_id=2), "dm2")
    queue.push(ANYONE, "cli")
    with pytest.raises(QueueFull):
        queue.push(Requester(user_id=1), "dm1-again")
    assert queue.waiting == 3


def test_discard_frees_the_place_and_forgets_idle_servers() -> None:
    """A job that stops waiting leaves the queue; a server with nothing left is forgotten."""
    queue: FairQueue[str] = FairQueue(max_waiting=1, max_waiting_per_server=1)
    queue.push(ALICE, "a1")
    assert queue.discard(ALICE, "a1")
    assert not queue.discard(ALICE, "a1")
    assert (queue.waiting, queue.waiting_for(ALICE), queue.running_for(ALICE)) == (0, 0, 0)
    queue.push(BOB, "b1")  # the place is free again
    assert queue.pop() == (BOB, "b1")
    assert queue.running_for(BOB) == 1
    queue.finished(BOB)
    assert queue.running_for(BOB) == 0


def test_drain_empties_the_queue() -> None:
    """drain() returns every waiting job, retries included, and leaves nothing behind."""
    queue: FairQueue[str] = FairQueue(max_waiting=8, max_waiting_per_server=8)
    queue.push(ALICE, "a1")
    queue.push(BOB, "b1")
    queue.push_first(CARA, "c-retry")
    assert sorted(queue.drain()) == ["a1", "b1", "c-retry"]
    assert queue.waiting == 0
    assert queue.pop() is None


REQUESTERS = [ALICE, AMIR, BOB, CARA, Requester(user_id=99), ANYONE]
# ("push", who) | ("pop", heavy passed over?) | ("finish", 0): a random life of the queue
# with 2 workers; every third job pushed is heavy.
ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("push"), st.integers(0, len(REQUESTERS) - 1)),
        st.tuples(st.just("pop"), st.integers(0, 1)),  # 1: heavy jobs passed over
        st.tuples(st.just("finish"), st.just(0)),
    ),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(actions=ACTIONS)
def test_every_job_is_served_once_within_the_bounds(actions: list[tuple[str, int]]) -> None:
    """Random pushes, pops and finishes: the bounds hold, no job is lost or served twice.

    And no one starves: while a waiting job's server holds no worker, every other server
    gets at most one turn ahead of it (counting only the turns it could have had).
    """
    queue: FairQueue[int] = FairQueue(max_waiting=6, max_waiting_per_server=3)
    running: list[tuple[Requester, int]] = []
    pushed: dict[int, Requester] = {}
    served: list[int] = []
    turns_while_waiting: dict[int, dict[tuple[str, int | None], int]] = {}
    for action, index in actions:
        if action == "push":
            who = REQUESTERS[index]
            job = len(pushed)
            try:
                queue.push(who, job, heavy=job % 3 == 0)
            except QueueFull:
                continue
            pushed[job] = who
            turns_while_waiting[job] = {}
        elif action == "pop" and len(running) < 2:
            entry = queue.pop(heavy_allowed=index == 0)
            if entry is None:
                continue
            who, job = entry
            assert index == 0 or job % 3 != 0, "a heavy job was served while passed over"
            assert pushed[job].server == who.server
            served.append(job)
            running.append(entry)
            del turns_while_waiting[job]

            def blocked(waiting_job: int) -> bool:
                """Passed over with heavy jobs: it is heavy, or waits behind its member's
                own heavy job (a member's jobs keep their order)."""
                owner = pushed[waiting_job]
                first = min(j for j in turns_while_waiting if pushed[j] == owner)
                return waiting_job % 3 == 0 or first % 3 == 0

            for waiting_job, turns in turns_while_waiting.items():
                owner = pushed[waiting_job]
                if queue.running_for(owner) > 0:
                    turns.clear()  # its server holds a worker: a new stretch begins after
                elif owner.server != who.server and (index == 0 or not blocked(waiting_job)):
                    turns[who.server] = turns.get(who.server, 0) + 1
                    assert turns[who.server] <= 1, "a server got ahead of a waiting job"
        elif action == "finish" and running:
            who, _ = running.pop(0)
            queue.finished(who)
        assert queue.waiting <= 6
        for who in REQUESTERS:
            assert queue.waiting_for(who) <= 3
    while running or queue.waiting:  # then the workers drain the queue: nobody is stuck
        if running:
            queue.finished(running.pop(0)[0])
        entry = queue.pop()
        if entry is not None:
            served.append(entry[1])
            running.append(entry)
    assert sorted(served) == sorted(pushed)


class FakeClock:
    """Monotonic seconds that move only when told."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_heavy_user_goes_after_a_light_one_served_more_recently() -> None:
    """Between servers running as many jobs, the one that used the workers least goes first."""
    clock = FakeClock()
    queue: FairQueue[str] = FairQueue(8, 8, clock=clock)
    queue.started(ALICE)
    queue.started(BOB)
    queue.finished(ALICE, busy=30.0)  # Alice's heavy job held a worker for 30 s
    queue.finished(BOB, busy=0.1)  # Bob's was served after hers, and light
    queue.push(ALICE, "a-heavy")
    queue.push(BOB, "b-light")
    assert serve_next(queue) == "b-light"
    assert queue.usage_of(ALICE) == pytest.approx(30.0)


def test_usage_is_forgotten_over_time() -> None:
    """Usage halves every half_life, so yesterday's heavy user is not punished today."""
    clock = FakeClock()
    queue: FairQueue[str] = FairQueue(8, 8, clock=clock, half_life=60.0)
    queue.started(ALICE)
    queue.finished(ALICE, busy=40.0)
    clock.now = 120.0
    assert queue.usage_of(ALICE) == pytest.approx(10.0)
    clock.now = 3600.0
    queue.started(BOB)
    queue.finished(BOB, busy=0.0)  # Bob was served after Alice, and used nothing
    queue.push(BOB, "b1")
    queue.push(ALICE, "a1")
    assert serve_next(queue) == "a1"  # her usage is ~0 now: she was served longest ago


def test_a_member_flooding_a_server_goes_after_its_light_member() -> None:
    """Within one server, the member who used less goes first."""
    clock = FakeClock()
    queue: FairQueue[str] = FairQueue(8, 8, clock=clock)
    queue.started(AMIR)
    queue.finished(AMIR, busy=0.2)
    queue.started(ALICE)
    queue.finished(ALICE, busy=20.0)
    queue.push(ALICE, "a-heavy")
    queue.push(AMIR, "m-light")
    assert serve_next(queue) == "m-light"


def test_heavy_jobs_can_be_passed_over_without_reordering_a_member() -> None:
    """pop(heavy_allowed=False) serves the next light job, never one queued behind a heavy one."""
    queue: FairQueue[str] = FairQueue(8, 8)
    queue.push(ALICE, "a-heavy", heavy=True)
    queue.push(ALICE, "a-light")  # behind her own heavy job: it keeps its place
    queue.push(BOB, "b-light")
    assert queue.pop(heavy_allowed=False) == (BOB, "b-light")
    assert queue.pop(heavy_allowed=False) is None
    assert queue.pop() == (ALICE, "a-heavy")
