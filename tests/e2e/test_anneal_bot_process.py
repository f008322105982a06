"""End to end: `anneal bot` started as a new user would, in its own process, against the
fake Discord; then stopped with SIGTERM, as `docker stop` does."""

from __future__ import annotations

import asyncio
import shutil
import signal

import pytest

from bot.settings import SHIPPED_CONTENT_DIR
from tests.conftest import AnnealCli
from tests.e2e.fake_discord import FakeDiscord, FakeMessage, World, has_embed, title_starts

pytestmark = pytest.mark.torch  # the process starts real torch workers for !run


async def until_it_answers(fake: FakeDiscord, world: World) -> None:
    """Ask `!packs` until the bot has its guild cached and replies (at most ~20 s)."""
    for _ in range(20):
        await fake.user_sends_message(world.general.id, world.member, "!packs")
        try:
            await fake.wait_for_message(world.general.id, has_embed, timeout=1)
        except TimeoutError:
            continue
        return
    raise TimeoutError("the bot never answered !packs")


async def run_once_warm(fake: FakeDiscord, world: World) -> FakeMessage:
    """bob's `!run` reply with its chart; the bot is online before torch is warm, so a
    "warming up" reply is answered by asking again (at most ~60 s in all)."""
    for _ in range(3):
        await fake.user_sends_message(
            world.general.id, world.member, "!run StepLR(step_size=2, gamma=0.5) lr=0.1 steps=3"
        )
        reply = await fake.wait_for_message(
            world.general.id,
            lambda m: (
                "warming up" in m.content
                or (has_embed(m) and "StepLR" in m.embeds[0].get("title", ""))
            ),
            timeout=30,
        )
        if "warming up" not in reply.content:
            return reply
    raise TimeoutError("the runner never warmed up")


async def test_anneal_bot_process_serves_and_stops_cleanly(
    fake_discord: FakeDiscord, world: World, anneal_cli: AnnealCli
) -> None:
    """The CLI builds database, runner and bot; `!run` answers with a chart; SIGTERM exits 0.

    A broken pack file beside the shipped ones is logged and skipped: the bot still serves.
    """
    content = anneal_cli.workdir / "content"
    shutil.copytree(SHIPPED_CONTENT_DIR, content)
    (content / "broken.yaml").write_text("id: [unclosed", encoding="utf-8")
    env = {
        "DISCORD_TOKEN": fake_discord.token,
        "ANNEAL_DISCORD_API": fake_discord.api_base,
        "ANNEAL_DISCORD_GATEWAY": fake_discord.gateway_url,
        "ANNEAL_CONTENT_DIR": str(content),
    }
    process = await anneal_cli.start("bot", env=env)
    try:
        await fake_discord.wait_for_request("PUT", r"/applications/\d+/commands", timeout=60)
        await fake_discord.wait_for_identify(1, timeout=30)
        await until_it_answers(fake_discord, world)
        reply = await run_once_warm(fake_discord, world)
        assert "0.05" in reply.embeds[0]["description"]
        assert reply.attachments[0].data.startswith(b"\x89PNG")
        await fake_discord.user_sends_message(world.general.id, world.member, "!challenge start")
        problem = await fake_discord.wait_for_message(world.general.id, title_starts("Problem 1/"))
        assert problem.embeds[0]["title"].startswith("Problem 1/5")  # five problems by default
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    log = output.decode()
    assert process.returncode == 0, log
    assert "runner sandbox" in log
    assert "skipped pack file" in log
    assert "broken.yaml: cannot read" in log
    assert fake_discord.token not in log  # the token is never logged
