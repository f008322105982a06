"""Spec'd Discord contexts for the admin tests: a member's roles, or a slash interaction."""

from __future__ import annotations

from typing import Any
from unittest.mock import create_autospec

import discord
from discord.ext import commands

MANAGE = discord.Permissions(manage_guild=True)
PLAIN = discord.Permissions(view_channel=True, send_messages=True)


def context(
    *,
    guild_perms: discord.Permissions | None = None,
    slash: discord.Permissions | None = None,
    in_dm: bool = False,
) -> Any:
    """A spec'd Context: a prefix command by a member with `guild_perms`, or a slash
    command whose interaction carries `slash` permissions."""
    ctx = create_autospec(commands.Context, instance=True)
    ctx.guild = None if in_dm else create_autospec(discord.Guild, instance=True)
    author = create_autospec(discord.Member, instance=True)
    author.guild_permissions = guild_perms if guild_perms is not None else PLAIN
    ctx.author = author
    if slash is None:
        ctx.interaction = None
    else:
        ctx.interaction = create_autospec(discord.Interaction, instance=True)
        ctx.interaction.permissions = slash
    return ctx
