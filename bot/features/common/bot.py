"""The bot every feature plugs into: its services, its intents, and the guild of a command.

This module imports no feature, so every feature may import it; the app (`bot.app`)
imports the features and hands their `setup` functions to the bot it builds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.content import ContentLibrary
from bot.engine.problems import Problem
from bot.engine.session import Clock, Sleep
from bot.features.common.notify import Notifier
from bot.features.common.outgoing import Outgoing
from bot.settings import Settings
from bot.storage import Database

if TYPE_CHECKING:
    from bot.challenges import ChallengeManager
    from bot.challenges.daily_turns import DailyTurns
    from bot.challenges.solo import SoloPlay
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
    sleep: Sleep = field(default=asyncio.sleep)  # waits on `clock`; tests move a fake one
    # The runner's start() running in the background (None: it was started before the bot).
    runner_warmup: asyncio.Task[bool] | None = None  # True once warm, False if it failed
    # The live challenges, set by the challenge feature when it loads; other features
    # (`!run` hides what is in play) only read it. None: no challenge feature.
    challenges: ChallengeManager | None = None
    # Members' solo runs in DMs (practice, review), set by the practice feature when it
    # loads; review starts its runs through it. None: no practice feature.
    solo: SoloPlay | None = None
    # A member's second pick within this many seconds of their first is a slip: ignored.
    double_tap: float = 1.5
    # The daily problems and their turns, set by the daily feature when it loads; the
    # admin commands schedule through it. None: no daily feature.
    daily: DailyTurns | None = None

    def unrevealed_problems(self, guild_id: int | None) -> list[Problem]:
        """Every problem in play not revealed yet in the guild (None: in any guild), the
        challenges' and the daily problem's: what `!run` must not give away."""
        found: list[Problem] = []
        if self.challenges is not None:
            found += self.challenges.unrevealed_problems(guild_id)
        if self.daily is not None:
            found += self.daily.problems.unrevealed_problems(guild_id)
        return found


# A feature package's `setup`: adds its cogs to the bot, once, before it connects.
Feature = Callable[["AnnealBot"], Awaitable[None]]


def intents() -> discord.Intents:
    """Only what Anneal uses: no members, no presences."""
    wanted = discord.Intents.none()
    wanted.guilds = True  # channels and permissions
    wanted.guild_messages = True  # `!` commands
    wanted.message_content = True  # reading the text after `!` (privileged, see README)
    wanted.guild_reactions = True  # answers
    wanted.dm_messages = True  # `!practice` typed in DMs; DM channels resolve for feedback
    wanted.dm_reactions = True  # answers to practice and review problems in DMs
    return wanted


class AnnealBot(commands.Bot):
    """commands.Bot with Anneal's services; the cogs get everything from here."""

    def __init__(
        self,
        services: Services,
        *,
        features: Sequence[Feature] = (),
        guild_ready_timeout: float = 2.0,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned_or(services.settings.prefix),
            intents=intents(),
            help_command=None,  # the help cog answers both `!help` and `/help`
            allowed_mentions=discord.AllowedMentions.none(),  # never ping by accident
            guild_ready_timeout=guild_ready_timeout,
        )
        self.services = services
        self.features = tuple(features)
        # REST calls that can wait (reaction removals, DMs, notes, edits): see outgoing.py.
        self.outgoing = Outgoing()
        self.notifier = Notifier(self, self.outgoing, services.clock)

    async def setup_hook(self) -> None:
        """Set up every feature, in order, then publish the slash commands."""
        for setup in self.features:
            await setup(self)
        await self.sync_commands()

    async def close(self) -> None:
        """Give queued DMs and notes a moment to go out, then disconnect."""
        await self.outgoing.close()
        await super().close()

    async def sync_commands(self) -> None:
        """Sync the slash commands to the dev guild if one is set (instant), else globally."""
        guild_id = self.services.settings.dev_guild
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d slash commands to guild %d", len(synced), guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d slash commands globally (may take a while to show)", len(synced))


def guild_of(ctx: commands.Context[AnnealBot]) -> discord.Guild:
    """The command's guild. Guild-only checks have refused DMs already; this narrows the type."""
    if ctx.guild is None:
        raise commands.NoPrivateMessage()
    return ctx.guild
