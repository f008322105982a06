"""The runner's torch workers warm up in the background while the bot is already online.

Warming takes seconds (8 to 11 s under load), so `anneal bot` connects to Discord first:
challenges resume and commands answer at once, and only what needs torch (`!run`, the
`fresh` pack) waits for the workers, briefly, or says they are still warming up.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from bot.features.common.errors import UserFacingError

if TYPE_CHECKING:
    from bot.features.common.bot import Services
    from bot.runner import RunnerPool

log = logging.getLogger("anneal")

# How long a command that needs torch waits for the workers before saying "warming up".
WARM_WAIT = 20.0  # warming takes 8 to 11 s, more on a busy machine; typing shows meanwhile


class RunnerWarmingUp(UserFacingError):
    """The torch workers are not warm yet; the message asks to try again shortly."""


def warm_in_background(pool: RunnerPool) -> asyncio.Task[bool]:
    """Start the pool's workers in a task; it ends True once they are warm, False on failure."""

    async def warm() -> bool:
        started = time.perf_counter()
        try:
            await pool.start()
        except Exception:
            log.exception("the runner could not start; `!run` and `fresh` are off")
            return False
        log.info("runner warm in %.1f s", time.perf_counter() - started)
        return True

    return asyncio.create_task(warm(), name="runner warm-up")


async def ready_runner(services: Services, *, wait: float | None = None) -> RunnerPool | None:
    """The runner once warm (None if there is none or it failed to start).

    While it is warming up, waits up to `wait` seconds (WARM_WAIT), then raises
    RunnerWarmingUp.
    """
    runner, warmup = services.runner, services.runner_warmup
    wait = WARM_WAIT if wait is None else wait
    if runner is None or warmup is None:
        return runner
    if not warmup.done():
        try:
            # shield: a command that stops waiting must not cancel the warm-up itself.
            await asyncio.wait_for(asyncio.shield(warmup), wait)
        except TimeoutError:
            raise RunnerWarmingUp(
                "The torch workers are still warming up after a restart; "
                "try again in a few seconds."
            ) from None
    return runner if not warmup.cancelled() and warmup.result() else None
