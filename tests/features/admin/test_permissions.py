"""Tests for bot.features.admin.permissions: the Manage Server check on both paths, and what
the bot lacks in a channel."""

from __future__ import annotations

import pytest
from discord.ext import commands

from bot.features.admin.permissions import (
    can_manage_server,
    missing_permissions,
    require_manage_server,
)
from bot.features.common.errors import message_for
from bot.invite import permissions as invite_permissions
from tests.features.admin.conftest import MANAGE, PLAIN, context


async def test_prefix_member_with_manage_server_passes() -> None:
    """A `!admin` caller whose roles give Manage Server passes the check."""
    assert await require_manage_server(context(guild_perms=MANAGE)) is True


async def test_prefix_member_without_manage_server_is_refused_politely() -> None:
    """Without Manage Server: MissingPermissions, which the errors cog turns into the refusal."""
    with pytest.raises(commands.MissingPermissions) as caught:
        await require_manage_server(context(guild_perms=PLAIN))
    assert caught.value.missing_permissions == ["manage_guild"]
    assert message_for(caught.value, "!") == "Only members with **Manage Server** can do that."


async def test_slash_uses_the_interaction_permissions_not_the_roles() -> None:
    """By slash, the permissions Discord sent decide, whatever the cached roles say."""
    assert await require_manage_server(context(guild_perms=PLAIN, slash=MANAGE)) is True
    with pytest.raises(commands.MissingPermissions):
        await require_manage_server(context(guild_perms=MANAGE, slash=PLAIN))


async def test_dms_are_refused_as_guild_only() -> None:
    """In a DM the check raises NoPrivateMessage, not a permissions error."""
    with pytest.raises(commands.NoPrivateMessage):
        await require_manage_server(context(in_dm=True))


def test_can_manage_server_answers_without_raising() -> None:
    """The quiet variant (used by help) gives True or False on both paths."""
    assert can_manage_server(context(guild_perms=MANAGE)) is True
    assert can_manage_server(context(guild_perms=PLAIN)) is False
    assert can_manage_server(context(slash=MANAGE)) is True
    assert can_manage_server(context(guild_perms=MANAGE, in_dm=True)) is False


def test_missing_permissions_names_what_the_bot_lacks() -> None:
    """Every invite permission present: nothing missing; without Manage Messages it is named."""
    assert missing_permissions(invite_permissions()) == []
    lacking = invite_permissions()
    lacking.manage_messages = False
    assert missing_permissions(lacking) == ["Manage Messages"]
