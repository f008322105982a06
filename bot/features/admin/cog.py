"""`admin`: a server's Anneal settings (channels, timer, speed bonus, weekly reset, the
daily problem's schedule).

Only members with Manage Server may use it. Discord hides the slash group from the others
(default permissions), and the cog check refuses them on both paths, because a server can
override default permissions and `!admin` has no such gate.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.challenges.daily_turns import DailyOff, DailyTurns, schedule_time
from bot.engine.daily_times import DailyTime, matching_zones, parse_time_of_day, parse_zone
from bot.engine.scoring import SPEED_BONUS_MAX
from bot.features.admin.permissions import missing_permissions, require_manage_server
from bot.features.admin.render import channel_list, settings_embed
from bot.features.admin.values import on_or_off, timer_scale
from bot.features.common.bot import AnnealBot, guild_of
from bot.features.common.errors import UserFacingError
from bot.features.daily import render as daily_render
from bot.storage import Database


class AdminCog(commands.Cog, name="Admin"):
    """Per-server settings, stored in the database; every change is confirmed in the reply."""

    def __init__(self, bot: AnnealBot) -> None:
        self.bot = bot

    async def cog_check(self, ctx: commands.Context[Any]) -> bool:
        """Only members with Manage Server, in a server, get past this."""
        # Runs for `!admin ...` and for every `/admin ...` subcommand alike (a hybrid
        # group's own checks do not run for its slash subcommands). Context[Any]: the
        # base class declares the check for any bot type.
        return await require_manage_server(ctx)

    # mypy 2.4 cannot solve discord.py's Concatenate-based decorator types for hybrid
    # commands defined in a cog (it reports "expected def (Never, ...)"); each
    # `type: ignore[arg-type]` below is only for that.
    @commands.hybrid_group(  # type: ignore[arg-type]
        name="admin", description="Anneal's settings for this server (Manage Server)"
    )
    @commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def admin(self, ctx: commands.Context[AnnealBot]) -> None:
        """Show this server's settings and how to change them."""
        settings = await self.bot.services.db.guild_settings(guild_of(ctx).id)
        await ctx.send(embed=settings_embed(settings, prefix=self.bot.services.settings.prefix))

    @admin.command(  # type: ignore[arg-type]
        name="channels", description="List the channels where challenges may run"
    )
    async def channels(self, ctx: commands.Context[AnnealBot]) -> None:
        """List the channels where challenges may run (none listed: every channel)."""
        settings = await self.bot.services.db.guild_settings(guild_of(ctx).id)
        if not settings.allowed_channel_ids:
            text = (
                "Challenges may run in **every channel**. "
                f"Limit them with `{self._prefix}admin allow #channel`."
            )
        else:
            text = f"Challenges may run in: {channel_list(settings.allowed_channel_ids)}."
        await ctx.send(text)

    @admin.command(  # type: ignore[arg-type]
        name="allow", description="Let challenges run in a channel (then only in listed ones)"
    )
    @app_commands.describe(channel="the text channel to add to the list")
    async def allow(self, ctx: commands.Context[AnnealBot], channel: discord.TextChannel) -> None:
        """Add a channel to the list where challenges may run."""
        guild = guild_of(ctx)
        db = await self._record(guild)
        current, new = await db.set_channel_allowed(guild.id, channel.id, True)
        if channel.id in current.allowed_channel_ids:
            await ctx.send(
                f"{channel.mention} was already allowed. Challenges may run in: "
                f"{channel_list(current.allowed_channel_ids)}."
            )
            return
        text = (
            f"✅ Challenges may now run in {channel.mention}. "
            f"Allowed channels: {channel_list(new.allowed_channel_ids)}."
        )
        if not current.allowed_channel_ids:
            text += " Other channels are no longer allowed."
        missing = missing_permissions(channel.permissions_for(guild.me))
        if missing:
            text += f"\n⚠️ I still need these permissions there: {', '.join(missing)}."
        await ctx.send(text)

    @admin.command(  # type: ignore[arg-type]
        name="disallow", description="Stop challenges from running in a channel"
    )
    @app_commands.describe(channel="the text channel to remove from the list")
    async def disallow(
        self, ctx: commands.Context[AnnealBot], channel: discord.TextChannel
    ) -> None:
        """Remove a channel from the list where challenges may run."""
        guild = guild_of(ctx)
        db = await self._record(guild)
        current, new = await db.set_channel_allowed(guild.id, channel.id, False)
        if channel.id not in current.allowed_channel_ids:
            if not current.allowed_channel_ids:
                raise UserFacingError(
                    "No channel list is set, so challenges may run in every channel. "
                    f"Use `{self._prefix}admin allow #channel` to limit them to some channels."
                )
            raise UserFacingError(
                f"{channel.mention} is not on the list. Challenges may run in: "
                f"{channel_list(current.allowed_channel_ids)}."
            )
        if new.allowed_channel_ids:
            text = (
                f"✅ Challenges may no longer run in {channel.mention}. "
                f"Allowed channels: {channel_list(new.allowed_channel_ids)}."
            )
        else:
            text = (
                f"✅ {channel.mention} was the last channel on the list, so the list is empty "
                "and challenges may now run in **every channel**."
            )
        await ctx.send(text)

    @admin.command(  # type: ignore[arg-type]
        name="timer", description="Multiply every time limit (0.25 to 4)"
    )
    @app_commands.describe(scale="0.25 to 4: 2 doubles every time limit, 0.5 halves it")
    async def timer(self, ctx: commands.Context[AnnealBot], scale: float) -> None:
        """Multiply every problem's time limit by `scale` (0.25 to 4)."""
        guild = guild_of(ctx)
        scale = timer_scale(scale)
        before = (await self.bot.services.db.guild_settings(guild.id)).timer_scale
        db = await self._record(guild)
        new = await db.update_guild_settings(guild.id, timer_scale=scale)
        example = round(60 * new.timer_scale)
        await ctx.send(
            f"⏱️ Time limits are now multiplied by {new.timer_scale:g} (before: {before:g}), "
            f"so a 60-second problem gets {example} seconds. It applies to challenges "
            "started from now on."
        )

    @admin.command(  # type: ignore[arg-type]
        name="speedbonus", description="Extra points for fast correct answers: on or off"
    )
    @app_commands.describe(state="on or off")
    @app_commands.choices(state=[app_commands.Choice(name=v, value=v) for v in ("on", "off")])
    async def speedbonus(self, ctx: commands.Context[AnnealBot], state: str) -> None:
        """Turn the speed bonus on or off."""
        guild = guild_of(ctx)
        wanted = on_or_off(state)
        if wanted is None:
            raise UserFacingError(f"Say `on` or `off`: `{self._prefix}admin speedbonus on`.")
        db = await self._record(guild)
        new = await db.update_guild_settings(guild.id, speed_bonus=wanted)
        if new.speed_bonus:
            text = (
                f"⚡ Speed bonus is **on**: a correct answer earns up to {SPEED_BONUS_MAX} "
                "extra points, more the sooner it comes."
            )
        else:
            text = "Speed bonus is **off**: points depend only on the attempt and hints."
        text += " It applies to challenges started from now on."
        await ctx.send(text)

    @admin.command(  # type: ignore[arg-type]
        name="resetweek", description="Restart this week's leaderboard now (nothing is deleted)"
    )
    async def resetweek(self, ctx: commands.Context[AnnealBot]) -> None:
        """Restart the weekly leaderboard from now; no answer or point is deleted."""
        guild = guild_of(ctx)
        now = self.bot.services.clock()
        db = await self._record(guild)
        await db.update_guild_settings(guild.id, week_reset_at=now)
        prefix = self._prefix
        await ctx.send(
            f"🔄 The weekly leaderboard restarts now (<t:{round(now)}:f>). Nothing is deleted: "
            f"earlier answers still count in `{prefix}leaderboard all` and "
            f"`{prefix}profile`, and last week stays in `{prefix}leaderboard lastweek`."
        )

    # -- the daily problem ---------------------------------------------------------------

    @admin.group(  # type: ignore[arg-type]
        name="daily", fallback="set", description="The daily problem: channel, time and zone"
    )
    @app_commands.describe(
        channel="where to post it (leave out to see the schedule)",
        time="the local time, 24-hour HH:MM, e.g. 09:00",
        timezone="an IANA time zone, e.g. Europe/Paris (default UTC)",
    )
    async def daily(
        self,
        ctx: commands.Context[AnnealBot],
        channel: discord.TextChannel | None = None,
        time: str | None = None,
        timezone: str | None = None,
    ) -> None:
        """Post one problem a day in `channel` at `time` (HH:MM) in `timezone`; with no
        channel, show the schedule."""
        turns = self._daily_turns()
        if channel is None:
            await self.daily_show(ctx)
            return
        if time is None:
            raise UserFacingError(
                f"At what time? For example `{self._prefix}admin daily {channel.mention} 09:00 "
                "Europe/Paris` (24-hour time; the zone defaults to UTC)."
            )
        hour, minute = parse_time_of_day(time)
        when = DailyTime(hour, minute, parse_zone(timezone))
        guild = guild_of(ctx)
        db = await self._record(guild)
        now = self.bot.services.clock()
        await db.set_daily_schedule(
            guild.id,
            channel.id,
            when.minute_of_day,
            when.zone,
            since=now,
            set_by=ctx.author.id,
            display_name=ctx.author.display_name,
        )
        await turns.rescheduled(guild.id)
        text = daily_render.schedule_set_text(
            when,
            channel.id,
            when.next_slot(now),
            today_open_until=_open_until(turns, guild.id),
            prefix=self._prefix,
        )
        missing = missing_permissions(channel.permissions_for(guild.me))
        if missing:
            text += f"\n⚠️ I still need these permissions there: {', '.join(missing)}."
        await ctx.send(text)

    @daily.autocomplete("timezone")
    async def _zones(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=name, value=name) for name in matching_zones(current)]

    @daily.command(name="show", description="The daily problem's schedule")  # type: ignore[arg-type]
    async def daily_show(self, ctx: commands.Context[AnnealBot]) -> None:
        """Show where and when the daily problem is posted."""
        schedule = await self.bot.services.db.daily_schedule(guild_of(ctx).id)
        if schedule is None or not schedule.enabled:
            text = daily_render.schedule_shown_text(None, None, None, prefix=self._prefix)
        else:
            when = schedule_time(schedule)
            next_at = when.next_slot(self.bot.services.clock())
            text = daily_render.schedule_shown_text(
                when, schedule.channel_id, next_at, prefix=self._prefix
            )
        await ctx.send(text)

    @daily.command(name="off", description="Stop posting a daily problem")  # type: ignore[arg-type]
    async def daily_off(self, ctx: commands.Context[AnnealBot]) -> None:
        """Stop the daily problem; today's stays open until its time, then is revealed."""
        turns = self._daily_turns()
        guild = guild_of(ctx)
        before = await self.bot.services.db.disable_daily_schedule(guild.id)
        turns.wake()  # the loop no longer waits for this server's posting time
        was_on = before is not None and before.enabled
        text = daily_render.schedule_off_text(
            was_on, _open_until(turns, guild.id), prefix=self._prefix
        )
        await ctx.send(text)

    @daily.command(name="now", description="Post today's daily problem now")  # type: ignore[arg-type]
    async def daily_now(self, ctx: commands.Context[AnnealBot]) -> None:
        """Post today's daily problem at once, if it is not out yet."""
        turns = self._daily_turns()
        guild = guild_of(ctx)
        await ctx.defer()
        try:
            turn = await turns.post_now(guild.id)
        except DailyOff:
            raise UserFacingError(
                "Daily problems are off here: start them first, e.g. "
                f"`{self._prefix}admin daily #general 09:00 Europe/Paris`."
            ) from None
        await ctx.send(daily_render.post_now_text(turn, guild.id))

    def _daily_turns(self) -> DailyTurns:
        turns = self.bot.services.daily
        if turns is None:
            raise UserFacingError("Daily problems are not available on this bot.")
        return turns

    @property
    def _prefix(self) -> str:
        return self.bot.services.settings.prefix

    async def _record(self, guild: discord.Guild) -> Database:
        """The database, with the guild recorded in it (its settings row needs it)."""
        db = self.bot.services.db
        await db.upsert_guild(guild.id, guild.name, joined_at=self.bot.services.clock())
        return db


def _open_until(turns: DailyTurns, guild_id: int) -> float | None:
    """When the server's daily problem open now closes, if one is open in this process."""
    live = turns.problems.live_in(guild_id)
    current = live.session.current if live is not None else None
    return current.deadline if current is not None else None
