"""Tests for bot.features.admin.cog: every admin command sits behind the Manage Server check."""

from __future__ import annotations

from unittest.mock import create_autospec

import pytest
from discord.ext import commands

from bot.features.admin.cog import AdminCog
from tests.features.admin.conftest import MANAGE, PLAIN, context


async def test_the_cog_check_guards_every_admin_command() -> None:
    """The group and all its subcommands (the daily problem's too) live in the cog whose
    check refuses non-admins."""
    cog = AdminCog(create_autospec(commands.Bot, instance=True))
    names = {command.qualified_name for command in cog.walk_commands()}
    assert names == {
        "admin",
        "admin channels",
        "admin allow",
        "admin disallow",
        "admin timer",
        "admin speedbonus",
        "admin resetweek",
        "admin daily",
        "admin daily show",
        "admin daily off",
        "admin daily now",
    }
    with pytest.raises(commands.MissingPermissions):
        await cog.cog_check(context(guild_perms=PLAIN))
    assert await cog.cog_check(context(guild_perms=MANAGE)) is True
