"""`!run`'s fairness limits (one run at a time, a cooldown, a guild rate) with a fake clock."""

from __future__ import annotations

import pytest

from bot.features.run.limits import Cooldown, LimitReached, RateLimit, RunLimits, seconds
from tests.engine.conftest import FakeClock

ALICE, BOB = 1, 2
GUILD, OTHER_GUILD = 100, 200


@pytest.fixture
def clock() -> FakeClock:
    """A clock at t=1000 s."""
    return FakeClock(1_000.0)


@pytest.fixture
def limits(clock: FakeClock) -> RunLimits:
    """The defaults: 10 s per user, 20 runs per guild per minute."""
    return RunLimits(clock)


# --- Cooldown and RateLimit ------------------------------------------------------------------


def test_cooldown_counts_down_from_the_last_run(clock: FakeClock) -> None:
    """After a run, the same key waits `per` seconds; other keys don't."""
    cooldown = Cooldown(10.0, clock)
    assert cooldown.retry_after(ALICE) == 0
    cooldown.record(ALICE)
    clock.now += 4
    assert cooldown.retry_after(ALICE) == pytest.approx(6.0)
    assert cooldown.retry_after(BOB) == 0
    clock.now += 6
    assert cooldown.retry_after(ALICE) == 0


def test_cooldown_forgets_expired_users(clock: FakeClock) -> None:
    """Recording a run drops users whose cooldown is over, so memory stays bounded."""
    cooldown = Cooldown(10.0, clock)
    for user in range(100):
        cooldown.record(user)
    clock.now += 11
    cooldown.record(ALICE)
    assert len(cooldown._last) == 1


def test_cooldown_forget_undoes_only_its_own_run(clock: FakeClock) -> None:
    """forget() clears the stamp it was given, not a later run's."""
    cooldown = Cooldown(10.0, clock)
    first = cooldown.record(ALICE)
    cooldown.forget(ALICE, first)
    assert cooldown.retry_after(ALICE) == 0
    old = cooldown.record(ALICE)
    clock.now += 11
    cooldown.record(ALICE)
    cooldown.forget(ALICE, old)
    assert cooldown.retry_after(ALICE) == pytest.approx(10.0)


def test_rate_limit_allows_limit_runs_per_window(clock: FakeClock) -> None:
    """The 4th run in a 60 s window of 3 waits until the 1st leaves the window."""
    rate = RateLimit(3, 60.0, clock)
    for _ in range(3):
        assert rate.retry_after(GUILD) == 0
        rate.record(GUILD)
        clock.now += 5
    assert rate.retry_after(GUILD) == pytest.approx(45.0)  # first run at t, now t+15
    assert rate.retry_after(OTHER_GUILD) == 0
    clock.now += 45
    assert rate.retry_after(GUILD) == 0


def test_rate_limit_drops_quiet_guilds(clock: FakeClock) -> None:
    """A guild whose runs all left the window keeps no entry."""
    rate = RateLimit(3, 60.0, clock)
    rate.record(GUILD)
    clock.now += 61
    assert rate.retry_after(GUILD) == 0
    assert GUILD not in rate._runs


def test_bad_limits_are_refused(clock: FakeClock) -> None:
    """A zero rate or a negative cooldown is a configuration error."""
    with pytest.raises(ValueError, match="limit"):
        RateLimit(0, 60.0, clock)
    with pytest.raises(ValueError, match="per"):
        Cooldown(-1.0, clock)


@pytest.mark.parametrize(("delay", "shown"), [(0.01, "1 s"), (6.2, "7 s"), (7.0, "7 s")])
def test_waits_are_rounded_up(delay: float, shown: str) -> None:
    """ "try again in 0 s" never happens: waits round up to whole seconds."""
    assert seconds(delay) == shown


# --- RunLimits: the order a user meets them ------------------------------------------------------


def test_a_second_run_while_the_first_is_going_is_refused(
    limits: RunLimits, clock: FakeClock
) -> None:
    """One job per user: while it runs, the next is refused even after the cooldown."""
    with limits.admit(ALICE, GUILD):
        clock.now += 60
        with pytest.raises(LimitReached, match="previous run is still going"):
            limits.admit(ALICE, GUILD)
        limits.admit(BOB, GUILD).release()  # someone else may run meanwhile
    limits.admit(ALICE, GUILD).release()


def test_a_run_that_fails_still_frees_the_user(limits: RunLimits, clock: FakeClock) -> None:
    """Leaving the `with` block by an exception releases the user."""
    with pytest.raises(RuntimeError), limits.admit(ALICE, GUILD):
        raise RuntimeError("the runner crashed")
    assert ALICE not in limits.running


def test_cooldown_message_says_when_to_retry(limits: RunLimits, clock: FakeClock) -> None:
    """A run 3 s after the last one is refused with "try again in 7 s"."""
    limits.admit(ALICE, GUILD).release()
    clock.now += 3
    with pytest.raises(LimitReached, match="try again in 7 s") as refused:
        limits.admit(ALICE, GUILD)
    assert refused.value.retry_after == pytest.approx(7.0)
    assert "One run every 10 s" in str(refused.value)
    clock.now += 7
    limits.admit(ALICE, GUILD).release()


def test_guild_rate_message_says_when_to_retry(clock: FakeClock) -> None:
    """The guild's 21st run in a minute is refused with the seconds left; other guilds run."""
    limits = RunLimits(clock, user_cooldown=0.0)
    for user in range(20):
        limits.admit(user, GUILD).release()
        clock.now += 1
    with pytest.raises(LimitReached, match=r"20 runs in the last 60 s.*try again in 40 s"):
        limits.admit(ALICE + 1000, GUILD)
    limits.admit(ALICE + 1000, OTHER_GUILD).release()
    clock.now += 40
    limits.admit(ALICE + 1000, GUILD).release()


def test_direct_messages_have_no_guild_limit(clock: FakeClock) -> None:
    """In DMs (guild None) only the per-user limits apply."""
    limits = RunLimits(clock, user_cooldown=0.0, guild_runs=1)
    for user in range(5):
        limits.admit(user, None).release()


def test_a_refusal_does_not_extend_the_wait(limits: RunLimits, clock: FakeClock) -> None:
    """Asking again during the cooldown doesn't restart it."""
    limits.admit(ALICE, GUILD).release()
    clock.now += 5
    with pytest.raises(LimitReached):
        limits.admit(ALICE, GUILD)
    clock.now += 5
    limits.admit(ALICE, GUILD).release()


def test_refund_gives_back_the_cooldown_and_the_guild_slot(clock: FakeClock) -> None:
    """A run the busy runner never took costs neither the user's cooldown nor a guild slot."""
    limits = RunLimits(clock, guild_runs=1)
    with limits.admit(ALICE, GUILD) as admission:
        admission.refund()
    limits.admit(ALICE, GUILD).release()
