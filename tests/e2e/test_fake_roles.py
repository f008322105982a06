"""The fake Discord's roles, proven with a plain discord.py client: giving members roles
under Discord's rules (Manage Roles, the hierarchy, managed roles), and admins' moves."""

from __future__ import annotations

import discord
import pytest

from tests.e2e.fake_discord import P, World, running_client
from tests.e2e.fake_discord.server import FakeDiscord


def client() -> discord.Client:
    """A client with the intents Anneal uses (guilds: roles and their updates)."""
    intents = discord.Intents.none()
    intents.guilds = True
    return discord.Client(intents=intents, guild_ready_timeout=0.1)


async def test_a_role_below_the_bots_is_given_and_taken(
    discord_at_fake: FakeDiscord, world: World
) -> None:
    """With Manage Roles and its role above the target, the bot gives and takes it (204)."""
    fake = discord_at_fake
    await fake.set_role_permissions(world.guild.id, world.bot_role.id, P.MANAGE_ROLES)
    sage = await fake.roles.create_role(world.guild.id, "Sage")
    async with running_client(client(), fake) as bot:
        await bot.http.add_role(world.guild.id, world.member.id, sage.id, reason="reward")
        assert fake.roles.member_roles(world.guild.id, world.member.id) == [sage]
        await bot.http.add_role(world.guild.id, world.member.id, sage.id)  # again: no change
        assert fake.roles.member_roles(world.guild.id, world.member.id) == [sage]

        await bot.http.remove_role(world.guild.id, world.member.id, sage.id)
        assert fake.roles.member_roles(world.guild.id, world.member.id) == []


async def test_a_new_role_comes_in_just_above_everyone(
    discord_at_fake: FakeDiscord, world: World
) -> None:
    """create_role puts the role at position 1 and moves the others up; the bot sees it."""
    fake = discord_at_fake
    async with running_client(client(), fake) as bot:
        sage = await fake.roles.create_role(world.guild.id, "Sage")
        guild = bot.get_guild(world.guild.id)
        assert guild is not None
        cached = await fake.wait_for(lambda: guild.get_role(sage.id), what="the new role cached")
        assert guild.me.top_role.id == world.bot_role.id
        assert guild.me.top_role > cached
        assert (world.everyone_role.position, sage.position, world.bot_role.position) == (0, 1, 2)


@pytest.mark.parametrize("why", ["no manage roles", "bot role below", "managed", "everyone"])
async def test_what_discord_refuses_is_missing_permissions(
    discord_at_fake: FakeDiscord, world: World, why: str
) -> None:
    """Without Manage Roles, above the bot's role, a managed role or @everyone: 403 / 50013."""
    fake = discord_at_fake
    manage = why != "no manage roles"
    await fake.set_role_permissions(
        world.guild.id, world.bot_role.id, P.MANAGE_ROLES if manage else P.SEND_MESSAGES
    )
    target = await fake.roles.create_role(world.guild.id, "Sage", managed=why == "managed")
    if why == "bot role below":
        await fake.roles.move_role(world.guild.id, target.id, world.bot_role.position + 1)
    if why == "everyone":
        target = world.everyone_role
    async with running_client(client(), fake) as bot:
        with pytest.raises(discord.Forbidden) as refused:
            await bot.http.add_role(world.guild.id, world.member.id, target.id)

    assert (refused.value.status, refused.value.code) == (403, 50013)
    assert fake.roles.member_roles(world.guild.id, world.member.id) == []


async def test_moving_a_role_shifts_the_ones_between_and_tells_the_bot(
    discord_at_fake: FakeDiscord, world: World
) -> None:
    """Dragging the bot's role to the bottom puts the others one up; the cache follows."""
    fake = discord_at_fake
    sage = await fake.roles.create_role(world.guild.id, "Sage")
    async with running_client(client(), fake) as bot:
        await fake.roles.move_role(world.guild.id, world.bot_role.id, 1)
        guild = bot.get_guild(world.guild.id)
        assert guild is not None

        def moved() -> bool | None:
            role = guild.get_role(sage.id)
            return True if role is not None and guild.me.top_role < role else None

        await fake.wait_for(moved, what="the bot's role below Sage in its cache")
    positions = {r.name: r.position for r in world.guild.roles.values()}
    assert positions == {"@everyone": 0, "Anneal": 1, "Sage": 2, "Admin": 3}


async def test_an_unknown_member_or_role_is_a_404(
    discord_at_fake: FakeDiscord, world: World
) -> None:
    """Unknown Member (10007) and Unknown Role (10011), as Discord answers."""
    fake = discord_at_fake
    async with running_client(client(), fake) as bot:
        with pytest.raises(discord.NotFound) as no_member:
            await bot.http.add_role(world.guild.id, 42, world.admin_role.id)
        with pytest.raises(discord.NotFound) as no_role:
            await bot.http.add_role(world.guild.id, world.member.id, 42)

    assert (no_member.value.code, no_role.value.code) == (10007, 10011)
