"""`admin digest`: a server's weekly digest, posted every Monday 00:00 UTC (Manage Server).

`!admin digest #channel` sets where it goes, `!admin digest off` stops it, `!admin digest`
alone says where it goes. The loop (weekly.py) runs on the injected clock from the
moment the bot is ready; this module is its Discord side: which servers this process
serves, posting the embed, finding one posted before a crash, telling the organiser of
a failure. The group is defined here and moved under `admin` when the feature is set up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.features.admin.permissions import require_manage_server
from bot.features.common.bot import AnnealBot, guild_of
from bot.features.common.errors import UserFacingError
from bot.features.digest.reading import read_digest
from bot.features.digest.render import digest_embed, footer_text, schedule_text, set_text
from bot.features.digest.weekly import WeeklyDigests, covered_week, next_posting
from bot.storage import DigestClaim, DigestSchedule

log = logging.getLogger("anneal.digest")

LOOK_BACK = 50  # recent messages searched for a digest an earlier claimer posted
# What the bot needs in the digest's channel: (discord.Permissions flag, name in Discord).
NEEDED = (
    ("view_channel", "View Channel"),
    ("send_messages", "Send Messages"),
    ("embed_links", "Embed Links"),
    ("read_message_history", "Read Message History"),
)


class DiscordDigestPoster:
    """The Discord side of WeeklyDigests."""

    def __init__(self, bot: AnnealBot) -> None:
        self.bot = bot

    def serves(self, guild_id: int) -> bool:
        """This process sees the server (its shard; the bot was not removed from it)."""
        return self.bot.get_guild(guild_id) is not None

    async def _channel(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise TypeError(f"channel {channel_id} cannot receive messages")
        return channel

    async def find(self, schedule: DigestSchedule, claim: DigestClaim) -> int | None:
        """The week's digest among the channel's last messages, if the bot posted it."""
        channel = await self._channel(claim.channel_id)
        footer = footer_text(claim.week_start)
        me = self.bot.user
        async for message in channel.history(limit=LOOK_BACK):
            mine = me is not None and message.author.id == me.id
            if mine and message.embeds and message.embeds[0].footer.text == footer:
                return message.id
        return None

    async def post(self, schedule: DigestSchedule, claim: DigestClaim) -> int:
        """Read the week and post its digest; the message id."""
        services = self.bot.services
        live = services.challenges
        hidden = {p.id for p in live.unrevealed_problems(claim.guild_id)} if live else set()
        digest = await read_digest(
            services.db, services.library, claim.guild_id, claim.week_start, in_play=hidden
        )
        embed = digest_embed(digest, services.library.packs, prefix=services.settings.prefix)
        message = await (await self._channel(claim.channel_id)).send(embed=embed)
        return message.id

    async def failed(self, schedule: DigestSchedule, claim: DigestClaim, error: Exception) -> None:
        """Tell the organiser who set the digest, by DM, why it did not go out."""
        prefix = self.bot.services.settings.prefix
        if isinstance(error, discord.NotFound):
            why = "that channel is gone"
        elif isinstance(error, discord.Forbidden):
            names = ", ".join(name for _, name in NEEDED)
            why = f"I am missing a permission there (I need {names})"
        else:
            why = "something went wrong on my side (it is logged); I will try again"
        guild = self.bot.get_guild(claim.guild_id)
        where = f" on **{discord.utils.escape_markdown(guild.name)}**" if guild else ""
        self.bot.notifier.dm(
            schedule.set_by,
            f"⚠️ I could not post the weekly digest in <#{claim.channel_id}>{where}: {why}. "
            f"`{prefix}admin digest #channel` moves it.",
        )


class DigestCog(commands.Cog, name="Digest"):
    """The weekly digest: the organisers' commands and the loop that posts it."""

    def __init__(self, bot: AnnealBot) -> None:
        self.bot = bot
        services = bot.services
        poster = DiscordDigestPoster(bot)
        self.weekly = WeeklyDigests(services.db, poster, services.clock, services.sleep)
        self._loop: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        """Start the weekly loop once the bot is ready (the servers are known by then)."""
        self._loop = asyncio.create_task(self._run_when_ready(), name="weekly digests")
        self._loop.add_done_callback(_log_end)

    async def cog_unload(self) -> None:
        """Stop the loop; a week claimed but not posted is finished by the next start."""
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop

    async def _run_when_ready(self) -> None:
        await self.bot.wait_until_ready()
        await self.weekly.run()

    async def cog_check(self, ctx: commands.Context[Any]) -> bool:
        """Only members with Manage Server, in a server, get past this (`!` and `/` alike)."""
        return await require_manage_server(ctx)

    # mypy cannot solve discord.py's decorator types for hybrid commands defined in a cog
    # ("expected def (Never, ...)"); each `type: ignore[arg-type]` below is only for that.
    @commands.hybrid_group(  # type: ignore[arg-type]
        name="digest",
        fallback="set",
        description="Every Monday: last week's top 10, badges and most-missed problem",
    )
    @commands.guild_only()
    @app_commands.describe(channel="where the digest goes; leave it out to see where it goes now")
    async def digest(
        self, ctx: commands.Context[AnnealBot], channel: discord.TextChannel | None = None
    ) -> None:
        """Post the weekly digest in `channel` from now on; alone, say where it goes."""
        guild = guild_of(ctx)
        services = self.bot.services
        now = services.clock()
        if channel is None:
            await ctx.send(await self._schedule_text(guild, now))
            return
        permissions = channel.permissions_for(guild.me)
        missing = [name for flag, name in NEEDED if not getattr(permissions, flag)]
        if missing:
            raise UserFacingError(
                f"I can't post the digest in {channel.mention}: I need {', '.join(missing)} there."
            )
        await services.db.upsert_guild(guild.id, guild.name, joined_at=now)
        before = await services.db.set_digest(guild.id, channel.id, set_by=ctx.author.id, at=now)
        await ctx.send(set_text(channel.id, before, next_at=next_posting(now)))

    @digest.command(name="off", description="Post no more weekly digests")  # type: ignore[arg-type]
    async def digest_off(self, ctx: commands.Context[AnnealBot]) -> None:
        """Stop the weekly digest."""
        guild = guild_of(ctx)
        stopped = await self.bot.services.db.stop_digest(guild.id)
        if stopped is None:
            prefix = self.bot.services.settings.prefix
            raise UserFacingError(
                f"No weekly digest is set, so there is none to stop. "
                f"`{prefix}admin digest #channel` sets one."
            )
        await ctx.send(f"📭 No more weekly digests in <#{stopped.channel_id}>.")

    async def _schedule_text(self, guild: discord.Guild, now: float) -> str:
        db = self.bot.services.db
        schedule = await db.digest_schedule(guild.id)
        last = await db.digest_post(guild.id, covered_week(now))
        link = None
        if last is not None and last.message_id is not None:
            link = f"https://discord.com/channels/{guild.id}/{last.channel_id}/{last.message_id}"
        return schedule_text(
            schedule,
            next_at=next_posting(now),
            last_message=link,
            prefix=self.bot.services.settings.prefix,
        )


def _log_end(loop: asyncio.Task[None]) -> None:
    """The weekly loop never ends by itself: if it does, say why."""
    if not loop.cancelled() and (error := loop.exception()) is not None:
        log.error("the weekly digest loop stopped", exc_info=error)
