"""Who may change a server's settings, and what the bot itself lacks in a channel."""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.features.common.bot import AnnealBot
from bot.invite import NEEDED

_HAS_MANAGE_GUILD = commands.has_guild_permissions(manage_guild=True).predicate


def can_manage_server(ctx: commands.Context[AnnealBot]) -> bool:
    """Whether the author has Manage Server here.

    For a slash command, Discord computed the member's permissions (owner, Administrator,
    roles) and sent them with the interaction; for a `!` command, the member's roles say.
    """
    if ctx.guild is None:
        return False
    if ctx.interaction is not None:
        return ctx.interaction.permissions.manage_guild
    author = ctx.author
    return isinstance(author, discord.Member) and author.guild_permissions.manage_guild


async def require_manage_server(ctx: commands.Context[AnnealBot]) -> bool:
    """The admin commands' check: NoPrivateMessage in DMs, MissingPermissions without
    Manage Server (the errors cog answers both politely)."""
    if ctx.guild is None:
        raise commands.NoPrivateMessage()
    if ctx.interaction is None:
        return await _HAS_MANAGE_GUILD(ctx)
    if not ctx.interaction.permissions.manage_guild:
        raise commands.MissingPermissions(["manage_guild"])
    return True


def missing_permissions(permissions: discord.Permissions) -> list[str]:
    """The names (as Discord shows them) of what the bot needs in a channel but lacks
    (a permission only one feature needs, such as Manage Roles, is that feature's to ask)."""
    return [
        needed.label
        for needed in NEEDED
        if needed.only_for is None and not getattr(permissions, needed.flag)
    ]
