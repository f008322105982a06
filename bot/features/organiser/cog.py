"""`stats`: a server's statistics for its organisers (Manage Server only).

`!stats` is the overview (a chart of the last 8 weeks and the most-missed problems),
`!stats problem <id>` one problem's first tries per option, `!stats export` every attempt
as CSV. Slash replies are ephemeral (they name keys and members' picks); the `!` export
goes by DM, never into the channel. Queries run on the read connections, charts and the
CSV in threads, so a big server's statistics never stall the bot. The name does not
clash: the `stats` feature package holds `!leaderboard` and `!profile`, no `stats` command.
"""

from __future__ import annotations

import asyncio
import io
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.features.admin.permissions import require_manage_server
from bot.features.common.bot import AnnealBot, guild_of
from bot.features.common.errors import UserFacingError
from bot.features.organiser.charts import activity_chart, problem_chart
from bot.features.organiser.export import Export
from bot.features.organiser.numbers import WEEKS_SHOWN, shipped_problems
from bot.features.organiser.reading import read_export, read_overview, read_problem
from bot.features.organiser.render import (
    OVERVIEW_CHART,
    PROBLEM_CHART,
    empty_text,
    export_text,
    in_play_text,
    not_played_text,
    overview_embed,
    problem_embed,
    problem_subtitle,
    suggestions,
)

log = logging.getLogger("anneal.organiser")

PLAYED_IDS_TTL = 30.0  # seconds an autocomplete list of played ids is reused while typing
DM_UPLOAD_LIMIT = discord.utils.DEFAULT_FILE_SIZE_LIMIT_BYTES  # 10 MiB: boosts do not reach DMs


class OrganiserCog(commands.Cog, name="Organiser"):
    """Statistics of the server's own answers, for members with Manage Server."""

    def __init__(self, bot: AnnealBot) -> None:
        self.bot = bot
        # One export at a time in the whole bot: each holds a read connection while it runs.
        self._export_lock = asyncio.Lock()
        self._played: dict[int, tuple[float, list[str]]] = {}  # guild -> (read at, ids)

    async def cog_check(self, ctx: commands.Context[Any]) -> bool:
        """Only members with Manage Server, in a server, get past this (`!` and `/` alike)."""
        return await require_manage_server(ctx)

    # mypy 2.4 cannot solve discord.py's Concatenate-based decorator types for hybrid
    # commands defined in a cog (it reports "expected def (Never, ...)"); each
    # `type: ignore[arg-type]` below is only for that.
    @commands.hybrid_group(  # type: ignore[arg-type]
        name="stats",
        fallback="overview",
        description="This server's last 8 weeks, most-missed problems, accuracy (Manage Server)",
    )
    @commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def stats(self, ctx: commands.Context[AnnealBot]) -> None:
        """The weekly chart, the most-missed problems and accuracy by scheduler and kind."""
        guild = guild_of(ctx)
        services = self.bot.services
        async with ctx.typing(ephemeral=True):
            stats, problems = await read_overview(
                services.db,
                services.library,
                guild.id,
                now=services.clock(),
                in_play=self._in_play(guild.id),
            )
            if stats.is_empty:
                await ctx.send(empty_text(guild.name, self._prefix), ephemeral=True)
                return
            title = f"{guild.name}: the last {WEEKS_SHOWN} weeks"
            png = await asyncio.to_thread(activity_chart, stats.weeks, title=title)
            embed = overview_embed(stats, problems, guild_name=guild.name, prefix=self._prefix)
            chart = discord.File(io.BytesIO(png), OVERVIEW_CHART)
            await ctx.send(embed=embed, file=chart, ephemeral=True)

    @stats.command(  # type: ignore[arg-type]
        name="problem", description="One problem: how often each option was a first try"
    )
    @app_commands.describe(problem_id="the problem's id (suggested from those played here)")
    async def problem(self, ctx: commands.Context[AnnealBot], problem_id: str) -> None:
        """A bar chart of one problem's first tries per option, the key highlighted."""
        guild = guild_of(ctx)
        wanted = problem_id.strip().lower()
        if wanted in self._in_play(guild.id):
            raise UserFacingError(in_play_text(wanted))
        services = self.bot.services
        async with ctx.typing(ephemeral=True):
            view, known = await read_problem(services.db, services.library, guild.id, wanted)
            if view is None:
                raise UserFacingError(not_played_text(wanted, known=known, prefix=self._prefix))
            name = view.problem.title if view.problem is not None else None
            png = await asyncio.to_thread(
                problem_chart,
                view.accuracy.picks,
                view.options,
                view.key,
                title=f"{name} ({wanted})" if name else wanted,
                subtitle=problem_subtitle(view.accuracy, view.outcome),
            )
            embed = problem_embed(view.accuracy, view.outcome, view.problem)
            chart = discord.File(io.BytesIO(png), PROBLEM_CHART)
            await ctx.send(embed=embed, file=chart, ephemeral=True)

    @problem.autocomplete("problem_id")
    async def _suggest_played(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        guild_id = interaction.guild_id
        if guild_id is None or not interaction.permissions.manage_guild:
            return []
        hidden = self._in_play(guild_id)
        played = [pid for pid in await self._played_ids(guild_id) if pid not in hidden]
        known = shipped_problems(self.bot.services.library, played)
        titles = {pid: problem.title for pid, problem in known.items()}
        return [
            app_commands.Choice(name=label, value=pid)
            for label, pid in suggestions(played, current, titles)
        ]

    @stats.command(  # type: ignore[arg-type]
        name="export", description="Every attempt in this server as a CSV file"
    )
    async def export(self, ctx: commands.Context[AnnealBot]) -> None:
        """This server's attempts as CSV: by DM for `!stats export`, privately for `/stats`."""
        guild = guild_of(ctx)
        if self._export_lock.locked():
            raise UserFacingError(
                "An export is being prepared right now (one at a time): try again in a minute."
            )
        by_dm = ctx.interaction is None
        # A DM takes what any member may upload; a reply in the server, what it allows.
        limit = DM_UPLOAD_LIMIT if by_dm else guild.filesize_limit
        async with self._export_lock, ctx.typing(ephemeral=True):
            made = await self._build_export(guild, limit)
        if made.rows == 0:
            await ctx.send(empty_text(guild.name, self._prefix), ephemeral=True)
            return
        text = export_text(made, guild_name=guild.name)
        if not by_dm:
            await _send_parts(ctx, text, made, by_dm=False)
            return
        try:
            await _send_parts(ctx, text, made, by_dm=True)
        except discord.Forbidden:
            raise UserFacingError(
                "I could not send you the export by DM (your DMs are closed to me). It lists "
                "every member's answers, so it never goes into a channel: open your DMs, or "
                "use `/stats export`, which only you see."
            ) from None
        await ctx.reply("📬 The export is in your DMs.")

    async def _build_export(self, guild: discord.Guild, limit: int) -> Export:
        """The server's attempts as files of at most `limit` bytes each."""
        stamp = discord.utils.utcnow().strftime("%Y-%m-%d")
        made = await read_export(
            self.bot.services.db,
            guild.id,
            stem=f"anneal-{guild.id}-attempts-{stamp}",
            limit=limit,
        )
        log.info("export of guild %d: %d attempts, %d files", guild.id, made.rows, len(made.files))
        return made

    async def _played_ids(self, guild_id: int) -> list[str]:
        """The problem ids the server played, re-read at most every PLAYED_IDS_TTL seconds."""
        now = self.bot.services.clock()
        cached = self._played.get(guild_id)
        if cached is not None and now - cached[0] < PLAYED_IDS_TTL:
            return cached[1]
        ids = await self.bot.services.db.played_problem_ids(guild_id)
        self._played[guild_id] = (now, ids)
        return ids

    def _in_play(self, guild_id: int) -> set[str]:
        """The ids of the server's problems not revealed yet (a challenge's, the daily one):
        their picks stay private."""
        return {problem.id for problem in self.bot.services.unrevealed_problems(guild_id)}

    @property
    def _prefix(self) -> str:
        return self.bot.services.settings.prefix


async def _send_parts(
    ctx: commands.Context[AnnealBot], text: str, made: Export, *, by_dm: bool
) -> None:
    """The first file with the explanation, each further part in its own message."""
    # One message per file: Discord's upload limit is per request, not per file.
    for number, part in enumerate(made.files):
        content = text if number == 0 else f"Part {number + 1} of {len(made.files)}."
        file = discord.File(io.BytesIO(part.data), part.name)
        if by_dm:
            await ctx.author.send(content, file=file)
        else:
            await ctx.send(content, file=file, ephemeral=True)
