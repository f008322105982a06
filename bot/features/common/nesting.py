"""Putting one feature's command group under another's: `!admin reward`, `/admin digest`.

A cog defines its group at the top level (so discord.py binds it to the cog); once the
cog is added, the group moves under the other feature's hybrid group, prefix and slash
alike. The owning group must be set up first (earlier in `FEATURES`).
"""

from __future__ import annotations

from typing import Any

from discord.ext import commands


def nest_under(bot: commands.Bot, parent: str, group: commands.HybridGroup[Any, ..., Any]) -> None:
    """Move `group`, a top-level hybrid group of an added cog, under the group `parent`."""
    owner = bot.get_command(parent)
    if not isinstance(owner, commands.HybridGroup):
        raise RuntimeError(f"`{parent}` must be a hybrid group set up before `{group.name}`")
    bot.remove_command(group.name)
    bot.tree.remove_command(group.name)
    owner.add_command(group)
