"""When weekly digests are due, and the loop that posts each one exactly once.

Plain Python on the injected clock and sleep: every Monday 00:00 UTC (and at start-up, to
catch up after downtime) each server this process serves whose digest was set before
that Monday gets last week's digest. Each week is claimed in the database before it is
posted (storage/_digest.py), so two processes, or a restart, never post it twice; a
claim left unposted by a process that stopped is taken over once stale, after a look
at the channel for the digest it may have posted before it stopped.
"""

from __future__ import annotations

import logging
from typing import Protocol

from bot.engine.session import Clock, Sleep
from bot.features.stats.weeks import WEEK, week_start
from bot.storage import DIGEST_STALE_AFTER, Database, DigestClaim, DigestSchedule

log = logging.getLogger("anneal.digest")


def covered_week(now: float) -> float:
    """The Monday 00:00 UTC that starts the week a digest posted at `now` is about: the
    last whole week."""
    return week_start(now) - WEEK


def next_posting(now: float) -> float:
    """The next Monday 00:00 UTC after `now`."""
    return week_start(now) + WEEK


def is_due(schedule: DigestSchedule, now: float) -> bool:
    """Whether the server's digest of last week is due at `now`: it was set up before this
    week's Monday 00:00 (a digest set on a Wednesday starts with the next Monday)."""
    return schedule.set_at <= week_start(now)


class DigestPoster(Protocol):
    """The Discord side of the loop: which servers this process serves, and posting."""

    def serves(self, guild_id: int) -> bool:
        """Whether this process posts for the server (its shard, the bot still in it)."""
        ...

    async def find(self, schedule: DigestSchedule, claim: DigestClaim) -> int | None:
        """The id of the week's digest if it is already in the channel (an earlier claimer
        posted it, then stopped before recording it), else None."""
        ...

    async def post(self, schedule: DigestSchedule, claim: DigestClaim) -> int:
        """Post the week's digest in the claim's channel; the message id."""
        ...

    async def failed(self, schedule: DigestSchedule, claim: DigestClaim, error: Exception) -> None:
        """Posting failed (the channel is gone, a permission is missing): tell the organiser."""
        ...


class WeeklyDigests:
    """Posts every due digest once per week, on the injected clock."""

    def __init__(
        self,
        db: Database,
        poster: DigestPoster,
        clock: Clock,
        sleep: Sleep,
        *,
        stale_after: float = DIGEST_STALE_AFTER,
    ) -> None:
        self.db = db
        self.poster = poster
        self.clock = clock
        self.sleep = sleep
        self.stale_after = stale_after
        self.rounds = 0  # passes finished, for logs and tests

    async def run(self) -> None:
        """Post what is due now, then sleep until the next Monday (or an earlier retry)."""
        while True:
            try:
                retry_at = await self.post_due()
            except Exception:  # the database was busy, say: try again in a while
                log.exception("weekly digests: a pass failed")
                retry_at = self.clock() + self.stale_after
            self.rounds += 1
            now = self.clock()
            wake = next_posting(now) if retry_at is None else min(next_posting(now), retry_at)
            await self.sleep(max(0.0, wake - now))

    async def post_due(self) -> float | None:
        """Post every digest due now that nobody posted yet; when to look again for claims
        others hold (None: not before next Monday)."""
        now = self.clock()
        week = covered_week(now)
        retry_at: float | None = None
        for schedule in await self.db.digest_schedules():
            if not is_due(schedule, now) or not self.poster.serves(schedule.guild_id):
                continue
            claim = await self.db.claim_digest(
                schedule.guild_id, week, schedule.channel_id, at=now, stale_after=self.stale_after
            )
            if claim is None or not await self._post(schedule, claim):
                held = await self.db.digest_post(schedule.guild_id, week)
                if held is not None and held.unfinished:
                    # Someone else's claim, or our failed one: it may be left unfinished.
                    later = held.claimed_at + self.stale_after + 1.0
                    retry_at = later if retry_at is None else min(retry_at, later)
        return retry_at

    async def _post(self, schedule: DigestSchedule, claim: DigestClaim) -> bool:
        """Post the claimed digest (unless an earlier claimer did) and record it."""
        try:
            message_id = await self.poster.find(schedule, claim) if claim.attempts > 1 else None
            if message_id is None:
                message_id = await self.poster.post(schedule, claim)
        except Exception as error:
            log.warning("digest of guild %d failed: %s", claim.guild_id, error)
            await self.db.fail_digest(claim.guild_id, claim.week_start, str(error)[:500])
            if claim.attempts == 1:
                await self.poster.failed(schedule, claim, error)
            return False
        await self.db.finish_digest(claim.guild_id, claim.week_start, message_id, at=self.clock())
        log.info("digest of guild %d posted as %d", claim.guild_id, message_id)
        return True
