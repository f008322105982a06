"""When an open problem is revealed: at its deadline, or soon after everyone playing is done.

Who is playing: everyone who has answered or taken a hint in the challenge, from the first
problem on. A player is waited for on a problem if they played it or the one before, so a
member who left stops holding problems open after one full problem without them.

A waited-for player is *settled* once they solved the problem, used every attempt, or let
`retry_window` pass after a wrong pick with attempts left (they may still answer until the
reveal). The problem is revealed `grace` seconds after the last player settled (so a
latecomer can still join), never before `join_window` on the first problem (so others can
join at all), and never after its deadline. Everything here is a pure function of the
session's facts, so a restarted bot computes the same reveal time.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.session import ChallengeSession


@dataclass(frozen=True)
class Pace:
    """How quickly a challenge moves on once its players are done (seconds)."""

    grace: float = 5.0  # after the last player is settled: room for a latecomer
    join_window: float = 15.0  # the first problem stays open at least this long
    retry_window: float = 20.0  # after a wrong pick with attempts left, time to try again

    def __post_init__(self) -> None:
        if min(self.grace, self.join_window, self.retry_window) < 0:
            raise ValueError("pace times cannot be negative")


@dataclass(frozen=True)
class Progress:
    """What the open problem's footer shows: who answered, who the bot still waits for."""

    answered: int
    still_trying: int


def waited_for(session: ChallengeSession) -> list[int]:
    """The participants the open problem waits for: those who played it or the one before."""
    current = session.current
    if current is None:
        return []
    before = current.index - 1
    return [
        user_id
        for user_id in session.participants
        if session.played(user_id, current.index)
        or (before >= 0 and session.played(user_id, before))
    ]


def settled_at(session: ChallengeSession, user_id: int, pace: Pace) -> float | None:
    """When the player is done with the open problem, or None while they have not answered."""
    current = session.current
    assert current is not None, "no problem is open"
    attempts = session.attempts_of(user_id)
    if not attempts:
        return None
    last = attempts[-1]
    if last.correct or len(attempts) >= current.problem.attempts:
        return last.answered_at
    return last.answered_at + pace.retry_window


def reveal_at(session: ChallengeSession, pace: Pace) -> float:
    """When the open problem should be revealed, given what its players have done so far."""
    current = session.current
    assert current is not None, "no problem is open"
    players = waited_for(session)
    settled = [settled_at(session, user_id, pace) for user_id in players]
    if not players or None in settled:
        return current.deadline  # nobody playing yet, or someone still to answer
    early = max(t for t in settled if t is not None) + pace.grace
    if current.index == 0:
        early = max(early, current.opened_at + pace.join_window)
    return min(current.deadline, early)


def progress(session: ChallengeSession, pace: Pace, now: float) -> Progress:
    """How many answered the open problem, and how many it still waits for at `now`."""
    if session.current is None:
        return Progress(0, 0)
    still = 0
    for user_id in waited_for(session):
        done = settled_at(session, user_id, pace)
        still += done is None or done > now
    return Progress(session.answered_count(), still)
