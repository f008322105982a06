"""`leaderboard`, `profile`, `badges` and `packs`: a server's standings and what can be earned.

The cog only reads: it asks storage for rows and the content library for packs, and
turns them into embeds with the pure functions of `render`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import discord
from discord import app_commands
from discord.ext import commands

from bot.content.generator import LEVELS, TIME_LIMIT
from bot.content.generator.templates import TEMPLATES
from bot.features.common import embeds
from bot.features.common.bot import AnnealBot, guild_of
from bot.features.common.errors import UserFacingError
from bot.features.stats.cooldowns import ReadCooldown, TooSoon
from bot.features.stats.render import (
    BOARD_TITLES,
    FreshPacks,
    badges_embed,
    leaderboard_embed,
    packs_embed,
    profile_embed,
)
from bot.features.stats.weeks import Board, parse_board, window

TOP = 10
DEFAULT_FRESH_COUNT = 5  # generate_pack's default: what `!challenge start fresh` plays
BOARD_CHOICES = [app_commands.Choice(name=BOARD_TITLES[b], value=b.value) for b in Board]


class StatsCog(commands.Cog, name="Stats"):
    """Read-only views of this server's scores and of the shipped packs."""

    def __init__(self, bot: AnnealBot) -> None:
        self.bot = bot
        # The services' clock, looked up at each call (the cog is built before it runs).
        self.cooldown = ReadCooldown(lambda: bot.services.clock())

    def _may_answer(self, ctx: commands.Context[AnnealBot], command: str, what: str) -> bool:
        """Count this look against the member's cooldown: False to ignore it silently.

        The first refusal in a wait is a friendly "try again in N s"; later `!` ones get no
        reply, so a loop of commands does not become a loop of refusals in the channel. A
        slash command is always answered (Discord requires it; the reply is ephemeral).
        """
        try:
            self.cooldown.check(command, ctx.author.id, what=what)
        except TooSoon as refusal:
            if refusal.repeated and ctx.interaction is None:
                return False
            raise UserFacingError(str(refusal)) from None
        return True

    # mypy 2.4 cannot solve discord.py's Concatenate-based decorator types for a hybrid
    # command defined in a cog (it reports "expected def (Never, ...)"); the
    # `type: ignore[arg-type]` on each decorator below is only for that.
    @commands.hybrid_command(  # type: ignore[arg-type]
        name="leaderboard", description="Top 10 of this server: this week, last week or all time"
    )
    @commands.guild_only()
    @app_commands.describe(board="this week (default), last week or all time")
    @app_commands.choices(board=BOARD_CHOICES)
    async def leaderboard(
        self, ctx: commands.Context[AnnealBot], board: str = Board.WEEK.value
    ) -> None:
        """Top 10 of this server, and your own rank if you are further down."""
        guild = guild_of(ctx)
        services = self.bot.services
        which = parse_board(board)
        if which is None:
            prefix = services.settings.prefix
            raise UserFacingError(
                f"Which leaderboard? `{prefix}leaderboard week` (the default), "
                f"`{prefix}leaderboard lastweek` or `{prefix}leaderboard all`."
            )
        if not self._may_answer(ctx, "leaderboard", "the leaderboard"):
            return
        settings = await services.db.guild_settings(guild.id)
        span = window(which, services.clock(), settings.week_reset_at)
        rows = await services.db.leaderboard(guild.id, span.since, TOP, span.until)
        caller = next((row for row in rows if row.user_id == ctx.author.id), None)
        if caller is None:
            caller = await services.db.rank_of(guild.id, ctx.author.id, span.since, span.until)
        embed = leaderboard_embed(
            rows,
            span=span,
            guild_name=guild.name,
            caller_id=ctx.author.id,
            caller_row=caller,
            prefix=services.settings.prefix,
        )
        await ctx.send(embed=embed)

    @commands.hybrid_command(  # type: ignore[arg-type]
        name="profile", description="Points, accuracy, streak, badges and rank"
    )
    @commands.guild_only()
    @app_commands.describe(member="whose profile (default: yours)")
    async def profile(
        self, ctx: commands.Context[AnnealBot], member: discord.Member | None = None
    ) -> None:
        """Your (or a member's) points, answers, accuracy, day streak, badges and rank."""
        guild = guild_of(ctx)
        if not self._may_answer(ctx, "profile", "profiles"):
            return
        who: discord.abc.User = member or ctx.author
        services = self.bot.services
        now = services.clock()
        today = datetime.fromtimestamp(now, UTC).date()
        settings = await services.db.guild_settings(guild.id)
        week = window(Board.WEEK, now, settings.week_reset_at)
        stored = await services.db.profile(guild.id, who.id, today)
        all_time = await services.db.rank_of(guild.id, who.id)
        this_week = await services.db.rank_of(guild.id, who.id, week.since, week.until)
        embed = profile_embed(
            stored,
            name=embeds.player_name(stored.display_name or who.display_name),
            all_time=all_time,
            this_week=this_week,
            packs=services.library.packs,
            prefix=services.settings.prefix,
        )
        embed.set_thumbnail(url=who.display_avatar.url)
        await ctx.send(embed=embed)

    @commands.hybrid_command(  # type: ignore[arg-type]
        name="badges", description="Every badge, how to earn it, and yours"
    )
    @commands.guild_only()
    async def badges(self, ctx: commands.Context[AnnealBot]) -> None:
        """Every badge the packs offer and how to earn it; yours are marked with the date."""
        guild = guild_of(ctx)
        if not self._may_answer(ctx, "badges", "the badges"):
            return
        services = self.bot.services
        held = await services.db.badges_for(guild.id, ctx.author.id)
        embed = badges_embed(services.library.packs.values(), held, prefix=services.settings.prefix)
        await ctx.send(embed=embed)

    @commands.hybrid_command(  # type: ignore[arg-type]
        name="packs", description="The problem packs and how to start them"
    )
    @commands.guild_only()
    async def packs(self, ctx: commands.Context[AnnealBot]) -> None:
        """Each pack's id, size, levels, time and badge, with the command that starts it."""
        guild = guild_of(ctx)
        services = self.bot.services
        settings = await services.db.guild_settings(guild.id)
        embed = packs_embed(
            services.library.packs.values(),
            prefix=services.settings.prefix,
            timer_scale=settings.timer_scale,
            # `fresh` is generated by the runner's torch workers: only offered when they run.
            fresh=fresh_packs() if services.runner is not None else None,
        )
        await ctx.send(embed=embed)


def fresh_packs() -> FreshPacks:
    """What the generator makes of `fresh`: its size, time limit, levels and schedulers."""
    return FreshPacks(
        count=DEFAULT_FRESH_COUNT,
        time_limit=TIME_LIMIT,
        levels=LEVELS,
        schedulers=tuple(template.name for template in TEMPLATES),
    )
