"""The bot factory: settings + storage + runner → the Discord bot with every feature, and
`anneal bot`'s main (online first, torch workers warming in the background)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Final

import discord
import discord.gateway
import discord.http
import yarl

import bot.features.admin
import bot.features.challenge
import bot.features.common
import bot.features.daily
import bot.features.help
import bot.features.learn
import bot.features.organiser
import bot.features.practice
import bot.features.review
import bot.features.run
import bot.features.stats
from bot.content import load_library
from bot.features.common.bot import AnnealBot, Feature, Services
from bot.features.common.warmup import warm_in_background
from bot.settings import Settings
from bot.storage import Database

log = logging.getLogger("anneal")

# What the bot is made of, in the order it sets them up; a new mode adds its package here.
FEATURES: Final[tuple[Feature, ...]] = (
    bot.features.common.setup,
    bot.features.challenge.setup,
    bot.features.daily.setup,  # before admin, which schedules it
    bot.features.practice.setup,  # after challenge (it reads the problems in play)
    bot.features.run.setup,
    bot.features.learn.setup,
    bot.features.stats.setup,
    bot.features.review.setup,
    bot.features.admin.setup,
    bot.features.organiser.setup,
    bot.features.help.setup,
)


def point_at_discord(settings: Settings) -> None:
    """Send REST and gateway traffic to the configured URLs (Discord's by default).

    discord.py keeps both as class attributes, so this is process-wide by design.
    """
    discord.http.Route.BASE = settings.discord_api
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway)


def create_bot(services: Services, *, guild_ready_timeout: float = 2.0) -> AnnealBot:
    """The one way to build the bot, used by `anneal bot` and by the end-to-end tests."""
    point_at_discord(services.settings)
    return AnnealBot(services, features=FEATURES, guild_ready_timeout=guild_ready_timeout)


async def serve(settings: Settings) -> None:
    """Settings → database (migrated) → bot online, with the runner warming in the background.

    Connecting first means a restart costs the open problem only the seconds it takes to
    reconnect, not the runner's warm-up; `!run` waits for the workers or says they warm up.
    """
    from bot.runner import RunnerPool

    assert settings.discord_token is not None
    library = load_library(settings.content_dir)
    async with await Database.open(settings.database, review_steps=settings.review_steps) as db:
        log.info("database %s, %d packs", settings.database, len(library.packs))
        runner = RunnerPool()
        warmup = warm_in_background(runner)
        try:
            services = Services(settings, db, library, runner, runner_warmup=warmup)
            anneal = create_bot(services)
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(signum, lambda: asyncio.ensure_future(anneal.close()))
            async with anneal:
                await anneal.start(settings.discord_token.get_secret_value())
        finally:
            warmup.cancel()  # a pool still starting kills the workers it spawned
            with contextlib.suppress(asyncio.CancelledError):
                await warmup
            await runner.close()
