"""The daily review reminder: a loop on the injected clock that DMs players with problems due.

At most one reminder per player per UTC day, even across restarts and several processes
on one database: each is claimed through the player's row first
(`Database.claim_review_reminder`), and only the claim that changed the row sends. A DM
that cannot be delivered because the player's DMs are closed turns reminders off (they
are told at their next `!review`); one that failed for a passing reason gives its claim
back, so a later check retries it that day. No discord here: the Discord edge passes the
function that sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from enum import Enum

from bot.engine.review import ReviewQueue
from bot.engine.session import Clock, Sleep
from bot.storage import Database, StorageError

log = logging.getLogger("anneal.review")

CHECK_EVERY = 300.0  # seconds between checks: a reminder goes out within 5 minutes
DAY = 86_400


class Delivery(Enum):
    """What became of one reminder DM."""

    SENT = "sent"
    DMS_CLOSED = "dms closed"  # the player does not accept DMs: stop trying
    FAILED = "failed"  # a passing failure (Discord down, rate limited): try again later


# Sends one player their reminder about the queue, saying how it went.
SendReminder = Callable[[int, ReviewQueue], Awaitable[Delivery]]


def utc_day(at: float) -> int:
    """The UTC day holding `at`, as days since 1970-01-01: a reminder's unit."""
    return int(at // DAY)


class ReviewReminders:
    """Checks every `every` seconds who is due a reminder, claims it and sends it."""

    def __init__(
        self,
        db: Database,
        send: SendReminder,
        *,
        clock: Clock,
        sleep: Sleep,
        every: float = CHECK_EVERY,
    ) -> None:
        self.db = db
        self.send = send
        self.clock = clock
        self.sleep = sleep
        self.every = every
        self.last_check: float | None = None  # the clock's time of the last finished check

    async def check(self) -> list[int]:
        """One round: remind each player due one today; the players this call reminded."""
        now = self.clock()
        day = utc_day(now)
        sent = []
        for user_id in await self.db.players_to_remind(now, day):
            # Only the claim that changed the row sends: another process (or this one
            # before a restart) may have reminded this player today already.
            if not await self.db.claim_review_reminder(user_id, day):
                continue
            delivery = await self._deliver(user_id, now)
            if delivery is Delivery.SENT:
                sent.append(user_id)
            elif delivery is Delivery.DMS_CLOSED:
                await self.db.review_reminders_undeliverable(user_id, now)
            else:
                await self.db.release_review_reminder(user_id, day)
        self.last_check = now
        return sent

    async def _deliver(self, user_id: int, now: float) -> Delivery:
        try:
            return await self.send(user_id, await self.db.review_queue(user_id, now))
        except StorageError:
            raise
        except Exception:  # a sender's bug must not stop every other player's reminders
            log.exception("review reminder for %d failed", user_id)
            return Delivery.FAILED

    async def run(self) -> None:
        """Check, then sleep `every` seconds, until cancelled; a busy database skips a round."""
        while True:
            try:
                await self.check()
            except StorageError as exc:
                log.warning("review reminders skipped a check: %s", exc)
            await self.sleep(self.every)


async def stop(task: asyncio.Task[None]) -> None:
    """Cancel a running reminder loop and wait for it to end."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
