"""`help`: every command with a one-line description and an example, in the server's prefix.

The admin and statistics commands are listed only to members with Manage Server.
"""

from __future__ import annotations

from discord.ext import commands

from bot.features.admin.permissions import can_manage_server
from bot.features.common.bot import AnnealBot
from bot.features.help.render import help_embed


class HelpCog(commands.Cog, name="Help"):
    """`help` for `!` and `/` (the bot's default help command is turned off)."""

    def __init__(self, bot: AnnealBot) -> None:
        self.bot = bot

    # mypy 2.4 cannot solve discord.py's Concatenate-based decorator types for a hybrid
    # command defined in a cog (it reports "expected def (Never, ...)").
    @commands.hybrid_command(  # type: ignore[arg-type]
        name="help", description="Anneal's commands, with examples"
    )
    @commands.guild_only()
    async def help(self, ctx: commands.Context[AnnealBot]) -> None:
        """Anneal's commands with one-line descriptions and examples."""
        embed = help_embed(self.bot.services.settings.prefix, admin=can_manage_server(ctx))
        await ctx.send(embed=embed, ephemeral=True)  # ephemeral for `/help`; `!help` is public
