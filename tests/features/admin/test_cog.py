"""Tests for bot.features.admin.cog: the Manage Server check, and parsing and showing the
settings."""

from __future__ import annotations

from typing import Any
from unittest.mock import create_autospec

import discord
import pytest
from discord.ext import commands

from bot.features.admin.cog import (
    AdminCog,
    can_manage_server,
    channel_list,
    missing_permissions,
    on_or_off,
    require_manage_server,
    settings_embed,
    timer_scale,
)
from bot.features.common.errors import UserFacingError, message_for
from bot.invite import permissions as invite_permissions
from bot.storage import GuildSettings

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


async def test_the_cog_check_guards_every_admin_command() -> None:
    """The group and all six subcommands live in the cog whose check refuses non-admins."""
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
    }
    with pytest.raises(commands.MissingPermissions):
        await cog.cog_check(context(guild_perms=PLAIN))
    assert await cog.cog_check(context(guild_perms=MANAGE)) is True


@pytest.mark.parametrize("value", [0.25, 1.0, 2.5, 4.0])
def test_timer_scale_accepts_the_range(value: float) -> None:
    """0.25 to 4, both ends included."""
    assert timer_scale(value) == value


@pytest.mark.parametrize("value", [0.0, 0.2, 4.01, -1.0, float("nan"), float("inf")])
def test_timer_scale_refuses_the_rest_with_the_range(value: float) -> None:
    """Out of range, NaN and infinity are refused with a message naming the range."""
    with pytest.raises(UserFacingError, match=r"from 0\.25 to 4"):
        timer_scale(value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on", True),
        ("ON", True),
        ("yes", True),
        ("off", False),
        (" Off ", False),
        ("no", False),
        ("maybe", None),
    ],
)
def test_on_or_off(text: str, expected: bool | None) -> None:
    """Common words for on and off in any case; anything else is None."""
    assert on_or_off(text) is expected


def test_channel_list_mentions_channels_and_caps_the_list() -> None:
    """Mentions in id order; an empty list means every channel; long lists end in a count."""
    assert channel_list([]) == "every channel"
    assert channel_list([2, 1]) == "<#1>, <#2>"
    many = channel_list(range(1, 31), most=20)
    assert many.endswith("<#20> and 10 more")


def test_missing_permissions_names_what_the_bot_lacks() -> None:
    """Every invite permission present: nothing missing; without Manage Messages it is named."""
    assert missing_permissions(invite_permissions()) == []
    lacking = invite_permissions()
    lacking.manage_messages = False
    assert missing_permissions(lacking) == ["Manage Messages"]


def test_settings_embed_shows_each_setting() -> None:
    """Channels, timer, speed bonus and the last reset appear, with the configured prefix."""
    settings = GuildSettings(
        1, frozenset({5}), timer_scale=1.5, speed_bonus=True, week_reset_at=100.4
    )
    embed = settings_embed(settings, prefix="?")
    shown = {field.name: field.value for field in embed.fields}
    assert shown["Channels"] == "Challenges may run in <#5>"
    assert shown["Timer"] == "1.5 (multiplies every time limit)"
    assert shown["Speed bonus"] == "on"
    assert shown["Weekly board last reset"] == "<t:100:f>"
    assert "`?admin timer 1.5`" in (shown["Change them"] or "")
