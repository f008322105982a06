"""The Discord bot: its services, the factory that builds it, and `anneal bot`'s main."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import discord
import discord.gateway
import discord.http
import yarl
from discord.ext import commands

from bot.content import ContentLibrary, load_library
from bot.engine.session import Clock
from bot.settings import Settings
from bot.storage import Database

if TYPE_CHECKING:
    from bot.runner import RunnerPool

log = logging.getLogger("anneal")


@dataclass
class Services:
    """What the bot is built from; tests pass a temp database and a fake Discord's URLs."""

    settings: Settings
    db: Database
    library: ContentLibrary
    runner: RunnerPool | None = None  # None: `!run` answers that it is unavailable
    clock: Clock = field(default=time.time)
    # Once everyone in a challenge is done, latecomers get this long before the reveal.
    reveal_grace: float = 5.0


def intents() -> discord.Intents:
    """Only what Anneal uses: no members, no presences."""
    wanted = discord.Intents.none()
    wanted.guilds = True  # channels and permissions
    wanted.guild_messages = True  # `!` commands
    wanted.message_content = True  # reading the text after `!` (privileged, see README)
    wanted.guild_reactions = True  # answers
    wanted.dm_messages = True  # so DM channels resolve when feedback is sent
    return wanted


def point_at_discord(settings: Settings) -> None:
    """Send REST and gateway traffic to the configured URLs (Discord's by default).

    discord.py keeps both as class attributes, so this is process-wide by design.
    """
    discord.http.Route.BASE = settings.discord_api
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway)


class AnnealBot(commands.Bot):
    """commands.Bot with Anneal's services; the cogs get everything from here."""

    def __init__(self, services: Services, *, guild_ready_timeout: float = 2.0) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned_or(services.settings.prefix),
            intents=intents(),
            help_command=None,  # the help cog answers both `!help` and `/help`
            allowed_mentions=discord.AllowedMentions.none(),  # never ping by accident
            guild_ready_timeout=guild_ready_timeout,
        )
        self.services = services

    async def setup_hook(self) -> None:
        from bot.cogs import add_cogs

        await add_cogs(self)
        await self.sync_commands()

    async def sync_commands(self) -> None:
        guild_id = self.services.settings.dev_guild
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d slash commands to guild %d", len(synced), guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d slash commands globally (may take a while to show)", len(synced))


def create_bot(services: Services, *, guild_ready_timeout: float = 2.0) -> AnnealBot:
    """The one way to build the bot, used by `anneal bot` and by the end-to-end tests."""
    point_at_discord(services.settings)
    return AnnealBot(services, guild_ready_timeout=guild_ready_timeout)


async def serve(settings: Settings) -> None:
    """Settings → database (migrated) → runner pool (warm) → bot, until stopped."""
    from bot.runner import RunnerPool

    assert settings.discord_token is not None
    library = load_library(settings.content_dir)
    async with await Database.open(settings.database) as db, RunnerPool() as runner:
        log.info(
            "database %s, %d packs, runner sandbox: %s",
            settings.database,
            len(library.packs),
            runner.sandbox,
        )
        bot = create_bot(Services(settings, db, library, runner))
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
        async with bot:
            await bot.start(settings.discord_token.get_secret_value())
