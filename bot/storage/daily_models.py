"""The records of the daily problem that storage returns: schedules, days and claims."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DailySchedule:
    """A server's daily problem: where, at which local time (minutes after midnight) in
    which zone, whether it is on, and since when (earlier posting times are not caught up)."""

    guild_id: int
    channel_id: int
    minute: int
    timezone: str
    enabled: bool
    since: float
    set_by: int


@dataclass(frozen=True, slots=True)
class DailyChoiceRecord:
    """What a day's problem is: a shipped problem by pack and id, or a generated one kept
    as its JSON (with the pack it was made in)."""

    pack_id: str
    problem_id: str
    kind: str
    subject: tuple[str, ...]
    problem_json: str | None = None

    @property
    def generated(self) -> bool:
        """Whether the problem was generated (it is in no pack file)."""
        return self.problem_json is not None


@dataclass(frozen=True, slots=True)
class DailyRecord:
    """A server's daily problem of one local day (days since 1970-01-01): the claim, the
    problem chosen, when and where it was posted, and its reveal."""

    guild_id: int
    day: int
    claimed_by: str
    claimed_at: float
    choice: DailyChoiceRecord | None
    posted_at: float | None
    channel_id: int | None
    message_id: int | None
    reveal_claimed_by: str | None
    reveal_claimed_at: float | None
    revealed_at: float | None

    @property
    def posted(self) -> bool:
        """Whether the day's problem is out (its post is recorded)."""
        return self.posted_at is not None

    @property
    def revealed(self) -> bool:
        """Whether the day's answer has been posted."""
        return self.revealed_at is not None


@dataclass(frozen=True, slots=True)
class DailyClaim:
    """The outcome of claiming a day: the row as it stands, and whether the caller holds it.

    Held by another (`ours` False, not posted): it may be taken over at `claimed_at` plus
    the lease, if it is still not posted then.
    """

    record: DailyRecord
    ours: bool
