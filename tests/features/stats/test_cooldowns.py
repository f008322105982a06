"""Tests for bot.features.stats.cooldowns: a few looks per member, then a friendly wait."""

from __future__ import annotations

import pytest

from bot.features.stats.cooldowns import ReadCooldown, TooSoon, seconds


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_three_looks_then_a_wait_that_names_the_seconds() -> None:
    """The fourth look within the window is refused with the time until the first expires."""
    clock = Clock()
    cooldown = ReadCooldown(clock, looks=3, window=15.0)
    for step in range(3):
        clock.now = 1_000.0 + step
        cooldown.check("profile", 7, what="profiles")
    clock.now = 1_003.5
    with pytest.raises(TooSoon) as refused:
        cooldown.check("profile", 7, what="profiles")
    assert str(refused.value) == (
        "You've checked profiles 3 times in the last 15 s: try again in 12 s."
    )
    assert refused.value.retry_after == pytest.approx(11.5)
    assert not refused.value.repeated


def test_a_look_is_free_again_once_the_oldest_leaves_the_window() -> None:
    """At exactly one window after the first look, the member may look again."""
    clock = Clock()
    cooldown = ReadCooldown(clock, looks=2, window=10.0)
    cooldown.check("leaderboard", 7, what="the leaderboard")
    clock.now += 4
    cooldown.check("leaderboard", 7, what="the leaderboard")
    clock.now += 5.9
    with pytest.raises(TooSoon):
        cooldown.check("leaderboard", 7, what="the leaderboard")
    clock.now += 0.1
    cooldown.check("leaderboard", 7, what="the leaderboard")


def test_refusals_do_not_extend_the_wait_and_repeats_are_marked() -> None:
    """Asking again while refused costs nothing; only the first refusal is not `repeated`."""
    clock = Clock()
    cooldown = ReadCooldown(clock, looks=1, window=10.0)
    cooldown.check("badges", 7, what="the badges")
    clock.now += 1
    with pytest.raises(TooSoon) as first:
        cooldown.check("badges", 7, what="the badges")
    clock.now += 1
    with pytest.raises(TooSoon) as second:
        cooldown.check("badges", 7, what="the badges")
    assert (first.value.repeated, second.value.repeated) == (False, True)
    assert second.value.retry_after == pytest.approx(8.0)
    clock.now += 8
    cooldown.check("badges", 7, what="the badges")
    clock.now += 1
    with pytest.raises(TooSoon) as after_the_wait:
        cooldown.check("badges", 7, what="the badges")
    assert not after_the_wait.value.repeated  # a new wait: told again


def test_members_and_commands_have_their_own_allowance() -> None:
    """One member's looks never hold back another's, nor their other commands."""
    clock = Clock()
    cooldown = ReadCooldown(clock, looks=1, window=10.0)
    cooldown.check("profile", 7, what="profiles")
    cooldown.check("profile", 8, what="profiles")
    cooldown.check("leaderboard", 7, what="the leaderboard")
    with pytest.raises(TooSoon):
        cooldown.check("profile", 7, what="profiles")


def test_members_who_went_quiet_are_forgotten() -> None:
    """Memory holds only members active within the window."""
    clock = Clock()
    cooldown = ReadCooldown(clock, looks=3, window=10.0)
    for member in range(100):
        cooldown.check("profile", member, what="profiles")
    clock.now += 10
    cooldown.check("profile", 1, what="profiles")
    assert len(cooldown._calls) == 1


def test_seconds_round_up() -> None:
    """A wait is shown in whole seconds, never as 0 s."""
    assert (seconds(0.2), seconds(3.0), seconds(3.01)) == ("1 s", "3 s", "4 s")


def test_an_allowance_needs_at_least_one_look() -> None:
    """A cooldown that allows nothing is a configuration error."""
    with pytest.raises(ValueError, match="looks"):
        ReadCooldown(Clock(), looks=0)
