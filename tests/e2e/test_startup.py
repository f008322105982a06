"""End to end: the bot built by the real factory starts against the fake Discord."""

from __future__ import annotations

from pathlib import Path

from bot.features.common.bot import intents
from tests.e2e.anneal import running_anneal
from tests.e2e.fake_discord import FakeDiscord, World


async def test_bot_starts_and_syncs_slash_commands(
    fake_discord: FakeDiscord, world: World, tmp_path: Path
) -> None:
    """The factory connects to the URLs from settings and syncs its commands globally."""
    async with running_anneal(fake_discord, tmp_path / "a.db") as bot:
        assert bot.user is not None
        assert [g.id for g in bot.guilds] == [world.guild.id]
        await fake_discord.wait_for_request("PUT", r"/applications/\d+/commands$")


async def test_dev_guild_gets_commands_at_once(
    fake_discord: FakeDiscord, world: World, tmp_path: Path
) -> None:
    """With ANNEAL_DEV_GUILD set, commands sync to that guild."""
    async with running_anneal(fake_discord, tmp_path / "a.db", ANNEAL_DEV_GUILD=world.guild.id):
        await fake_discord.wait_for_request(
            "PUT", rf"/applications/\d+/guilds/{world.guild.id}/commands$"
        )


def test_no_privileged_members_or_presence_intent() -> None:
    """The bot asks for no members or presences intent."""
    wanted = intents()
    assert not wanted.members
    assert not wanted.presences
    assert wanted.guild_reactions
