"""Start the real Anneal bot (the same factory as `anneal bot`) against a FakeDiscord."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from bot.app import create_bot
from bot.content import load_library
from bot.engine.session import Clock, Sleep
from bot.features.common.bot import AnnealBot, Services
from bot.runner import RunnerPool
from bot.settings import SHIPPED_CONTENT_DIR, Settings
from bot.storage import Database
from tests.e2e.fake_discord import FakeDiscord, point_discord_at, running_client
from tests.engine.conftest import FakeClock


def settings_for(server: FakeDiscord, database: Path, **changes: object) -> Settings:
    """Settings as a new user would write them in .env, pointed at the fake."""
    # Any: pydantic validates each value against its field; mypy cannot see the aliases.
    values: dict[str, Any] = {
        "_env_file": None,  # the developer's .env never reaches a test
        "DISCORD_TOKEN": server.token,
        "ANNEAL_DATABASE": database,
        "ANNEAL_CONTENT_DIR": SHIPPED_CONTENT_DIR,
        "ANNEAL_DISCORD_API": server.api_base,
        "ANNEAL_DISCORD_GATEWAY": server.gateway_url,
        **changes,
    }
    return Settings(**values)


@contextlib.asynccontextmanager
async def running_anneal(
    server: FakeDiscord,
    database: Path,
    *,
    runner: RunnerPool | None = None,
    clock: Clock = time.time,
    sleep: Sleep = asyncio.sleep,
    runner_warmup: asyncio.Task[bool] | None = None,
    content_dir: Path = SHIPPED_CONTENT_DIR,
    reveal_grace: float = 5.0,
    double_tap: float = 1.5,
    **settings_changes: object,
) -> AsyncIterator[AnnealBot]:
    """The bot built by `create_bot`, connected and ready; closed (not killed) on exit.

    Pass a FakeClock as `clock=clock, sleep=clock.sleep` to move the challenges' time by
    hand; other settings go in as their variables, e.g. ``ANNEAL_RESUME_WINDOW="60"``.
    """
    settings = settings_for(
        server,
        database,
        ANNEAL_CONTENT_DIR=content_dir,
        ANNEAL_REVEAL_GRACE=reveal_grace,
        **settings_changes,
    )
    with point_discord_at(server):  # restores discord.py's URLs after the test
        async with await Database.open(database, review_steps=settings.review_steps) as db:
            library = load_library(content_dir)
            services = Services(
                settings,
                db,
                library,
                runner,
                clock,
                sleep,
                runner_warmup,
                double_tap=double_tap,
            )
            bot = create_bot(services, guild_ready_timeout=0.1)
            async with running_client(bot, server):
                yield bot


# Starts the bot; entering it again after leaving it is a restart on the same database.
Restartable = Callable[[], contextlib.AbstractAsyncContextManager[AnnealBot]]


def restartable(
    server: FakeDiscord,
    database: Path,
    clock: FakeClock,
    *,
    content_dir: Path = SHIPPED_CONTENT_DIR,
    **settings_changes: Any,  # Any: they are settings' variables, checked by pydantic
) -> Restartable:
    """`running_anneal` on one database and one FakeClock, to start again and again."""

    def started() -> contextlib.AbstractAsyncContextManager[AnnealBot]:
        return running_anneal(
            server,
            database,
            content_dir=content_dir,
            clock=clock,
            sleep=clock.sleep,
            **settings_changes,
        )

    return started
