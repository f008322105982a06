"""End to end: `!run` when its torch worker has died. The member gets a clear line, and the
next run is computed by the replacement.

Whether the pool retries the dead worker's job on a fresh one (the member then simply gets
the result) or says the runner stopped, the member never meets silence or a bare
"something went wrong".
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

import pytest

from bot.runner import RunnerPool
from tests.e2e.anneal import running_anneal
from tests.e2e.fake_discord import FakeDiscord, FakeMessage, World

pytestmark = pytest.mark.torch

CLEAR_CRASH_WORDS = ("stopped", "try again")


def is_dead(pid: int) -> bool:
    """The process is gone, or a zombie (dead, not yet reaped)."""
    try:
        return "State:\tZ" in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True


def reply_to(server: FakeDiscord, world: World, request: FakeMessage) -> FakeMessage | None:
    """The bot's message in #general after `request`, if any."""
    for message in server.messages_in(world.general.id):
        if message.author_id == server.bot_user.id and message.id > request.id:
            return message
    return None


async def test_run_on_a_killed_worker_gets_a_clear_reply(
    fake_discord: FakeDiscord, world: World, tmp_path: Path, shared_runner: RunnerPool
) -> None:
    """The worker is killed between jobs: `!run` answers with the result or a plain
    'the runner stopped, try again', and the next member's run works."""
    pool = shared_runner  # its killed worker is replaced, as in production
    # An earlier test may have killed it too: wait for its replacement to be warm.
    (pid,) = await fake_discord.wait_for(lambda: pool.pids if pool.idle else None, timeout=60)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    # The fake's wait_for re-checks every 50 ms: the next job must meet a dead worker.
    await fake_discord.wait_for(lambda: is_dead(pid) or None, what=f"worker {pid} to die")
    async with running_anneal(fake_discord, tmp_path / "run.db", runner=pool):
        run = "!run StepLR(step_size=2, gamma=0.5) lr=0.1 steps=3"
        request = await fake_discord.user_sends_message(world.general.id, world.member, run)
        reply = await fake_discord.wait_for(
            lambda: reply_to(fake_discord, world, request), timeout=60, what="a reply"
        )
        if reply.embeds:
            assert reply.embeds[0]["title"].startswith("StepLR(step_size=2, gamma=0.5)")
        else:
            assert "went wrong on my side" not in reply.content
            assert all(word in reply.content.lower() for word in CLEAR_CRASH_WORDS)
        again = await fake_discord.user_sends_message(world.general.id, world.admin, run)
        second = await fake_discord.wait_for(
            lambda: reply_to(fake_discord, world, again), timeout=60, what="a second reply"
        )
        assert second.embeds, second.content
        assert second.embeds[0]["title"].startswith("StepLR(step_size=2, gamma=0.5)")
    assert pid not in pool.pids  # the dead worker was replaced
