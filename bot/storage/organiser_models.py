"""The records of what a server's organisers set up: role rewards and the weekly digest."""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.rewards import RewardRule

DIGEST_STALE_AFTER = 600.0  # seconds before an unposted digest claim may be taken over
DIGEST_MAX_ATTEMPTS = 3  # claims of one week's digest before it is given up


@dataclass(frozen=True, slots=True)
class RoleReward:
    """A role a server gives for a rule, who set it, and whether they were told of trouble.

    `trouble_told_at` is when the organiser was last told that a grant failed (the bot
    lost Manage Roles, its role went below the reward's); None since a grant succeeded.
    """

    guild_id: int
    role_id: int
    rule: RewardRule
    set_by: int
    set_at: float
    trouble_told_at: float | None = None


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    """Where a server's weekly digest goes, and who asked for it when."""

    guild_id: int
    channel_id: int
    set_by: int
    set_at: float


@dataclass(frozen=True, slots=True)
class DigestClaim:
    """The right to post one week's digest of a server, taken by inserting its row.

    `week_start` is the Monday 00:00 UTC that starts the week the digest is about.
    `attempts` counts the claims of that row: above 1, an earlier claimer stopped before
    recording its post (it may have posted it all the same).
    """

    guild_id: int
    week_start: float
    channel_id: int
    claimed_at: float
    attempts: int


@dataclass(frozen=True, slots=True)
class DigestPost:
    """A week's digest as stored: claimed, and posted once `message_id` is set."""

    guild_id: int
    week_start: float
    channel_id: int
    claimed_at: float
    attempts: int
    message_id: int | None
    posted_at: float | None
    failure: str | None

    @property
    def unfinished(self) -> bool:
        """Claimed but not posted, and not given up: someone may still post it."""
        return self.message_id is None and self.attempts < DIGEST_MAX_ATTEMPTS
