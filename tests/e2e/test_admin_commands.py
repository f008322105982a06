"""End to end: the `admin` commands and the admin part of `help` against the fake Discord.

world.admin (alice) has Manage Server through her role; world.member (bob) does not.
``scored_bot`` (tests/e2e/conftest.py) is Anneal on last week's and this week's scores.
"""

from __future__ import annotations

from pathlib import Path

from bot.features.common.bot import AnnealBot
from bot.storage import GuildSettings
from tests.e2e.anneal import running_anneal
from tests.e2e.fake_discord import FakeDiscord, FakeMessage, FakeUser, P, World
from tests.e2e.scores import NOW

REFUSAL = "Only members with **Manage Server** can do that."


async def say(fake: FakeDiscord, world: World, user: FakeUser, text: str) -> FakeMessage:
    """Send `text` in #general as `user`; the bot's reply."""
    await fake.user_sends_message(world.general.id, user, text)
    return await fake.wait_for_message(world.general.id)


async def settings_of(bot: AnnealBot, world: World) -> GuildSettings:
    """The guild's stored settings, read back through the bot's database."""
    return await bot.services.db.guild_settings(world.guild.id)


def standings(reply: FakeMessage) -> list[str]:
    """The leaderboard lines of a reply's embed."""
    description = reply.embeds[0].get("description", "")
    return [line for line in description.splitlines() if "pts" in line]


async def test_admin_sets_the_timer_and_it_persists(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`!admin timer 2` by an admin confirms the change and stores it."""
    reply = await say(fake_discord, world, world.admin, "!admin timer 2")

    assert reply.content.startswith("⏱️ Time limits are now multiplied by 2 (before: 1)")
    assert (await settings_of(scored_bot, world)).timer_scale == 2.0


async def test_member_is_refused_politely_by_prefix(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`!admin timer 2` by a plain member is refused and changes nothing."""
    reply = await say(fake_discord, world, world.member, "!admin timer 2")

    assert reply.content == REFUSAL
    assert (await settings_of(scored_bot, world)).timer_scale == 1.0


async def test_member_is_refused_politely_by_slash(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`/admin timer` by a plain member gets a private refusal and changes nothing."""
    interaction = await fake_discord.user_uses_slash_command(
        world.guild.id, world.general.id, world.member, "admin timer", {"scale": 2.0}
    )
    answered = await fake_discord.interaction_response(interaction.id)

    assert answered.response_data is not None
    assert answered.response_data["content"] == REFUSAL
    assert answered.response_data["flags"] & 64  # ephemeral
    assert (await settings_of(scored_bot, world)).timer_scale == 1.0


async def test_slash_uses_the_permissions_discord_sends(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """By slash, the interaction's permissions decide: Manage Server passes, none is refused."""
    refused = await fake_discord.user_uses_slash_command(
        world.guild.id,
        world.general.id,
        world.admin,
        "admin timer",
        {"scale": 3.0},
        member_permissions=int(P.VIEW_CHANNEL | P.SEND_MESSAGES),
    )
    answered = await fake_discord.interaction_response(refused.id)
    assert answered.response_data is not None
    assert answered.response_data["content"] == REFUSAL

    allowed = await fake_discord.user_uses_slash_command(
        world.guild.id,
        world.general.id,
        world.member,
        "admin timer",
        {"scale": 0.5},
        member_permissions=int(P.VIEW_CHANNEL | P.SEND_MESSAGES | P.MANAGE_GUILD),
    )
    answered = await fake_discord.interaction_response(allowed.id)
    assert answered.response_data is not None
    assert "multiplied by 0.5" in answered.response_data["content"]
    assert (await settings_of(scored_bot, world)).timer_scale == 0.5


async def test_slash_admin_group_is_hidden_from_members_by_default(
    scored_bot: AnnealBot, fake_discord: FakeDiscord
) -> None:
    """The synced /admin group needs Manage Server by default and is not offered in DMs."""
    admin = fake_discord.state.commands[None]["admin"]

    assert int(admin["default_member_permissions"]) == int(P.MANAGE_GUILD)
    assert admin["dm_permission"] is False
    subcommands = {option["name"] for option in admin["options"]}
    assert subcommands == {
        "channels", "allow", "disallow", "timer", "speedbonus", "resetweek", "daily",
    }  # fmt: skip
    daily = next(option for option in admin["options"] if option["name"] == "daily")
    assert {option["name"] for option in daily["options"]} == {"set", "show", "off", "now"}


async def test_timer_out_of_range_is_explained(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """A scale outside 0.25 to 4 (or not a number) is refused with the range."""
    for text in ("!admin timer 10", "!admin timer nan"):
        reply = await say(fake_discord, world, world.admin, text)
        assert reply.content.startswith("The timer scale must be a number from 0.25 to 4")
    assert (await settings_of(scored_bot, world)).timer_scale == 1.0


async def test_allow_and_disallow_channels_persist(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """Allowing a channel limits challenges to it; disallowing the last allows all again."""
    challenges = world.challenges.mention
    reply = await say(fake_discord, world, world.admin, f"!admin allow {challenges}")
    assert reply.content.startswith(f"✅ Challenges may now run in {challenges}.")
    assert (await settings_of(scored_bot, world)).allowed_channel_ids == {world.challenges.id}

    listed = await say(fake_discord, world, world.admin, "!admin channels")
    assert listed.content == f"Challenges may run in: {challenges}."

    reply = await say(fake_discord, world, world.admin, f"!admin disallow {challenges}")
    assert "challenges may now run in **every channel**" in reply.content
    assert (await settings_of(scored_bot, world)).allowed_channel_ids == frozenset()


async def test_slash_allow_takes_a_channel_option(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`/admin allow channel:#challenges` stores the channel."""
    interaction = await fake_discord.user_uses_slash_command(
        world.guild.id,
        world.general.id,
        world.admin,
        "admin allow",
        {"channel": world.challenges},
    )
    answered = await fake_discord.interaction_response(interaction.id)

    assert answered.response_data is not None
    assert world.challenges.mention in answered.response_data["content"]
    assert (await settings_of(scored_bot, world)).allowed_channel_ids == {world.challenges.id}


async def test_speedbonus_on_and_off_persist(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`!admin speedbonus on` then `off` is stored each time; other words are explained."""
    reply = await say(fake_discord, world, world.admin, "!admin speedbonus on")
    assert reply.content.startswith("⚡ Speed bonus is **on**")
    assert (await settings_of(scored_bot, world)).speed_bonus is True

    reply = await say(fake_discord, world, world.admin, "!admin speedbonus off")
    assert reply.content.startswith("Speed bonus is **off**")
    assert (await settings_of(scored_bot, world)).speed_bonus is False

    reply = await say(fake_discord, world, world.admin, "!admin speedbonus maybe")
    assert reply.content == "Say `on` or `off`: `!admin speedbonus on`."


async def test_resetweek_empties_the_week_but_keeps_last_week_and_all_time(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """After `!admin resetweek`, the week board is empty; lastweek and all still show data."""
    before = await say(fake_discord, world, world.member, "!leaderboard week")
    assert len(standings(before)) == 2

    reply = await say(fake_discord, world, world.admin, "!admin resetweek")
    assert reply.content.startswith("🔄 The weekly leaderboard restarts now")
    assert (await settings_of(scored_bot, world)).week_reset_at == NOW

    week = await say(fake_discord, world, world.member, "!leaderboard week")
    assert standings(week) == []
    assert "Nobody has answered a problem this week" in week.embeds[0]["description"]
    last_week = await say(fake_discord, world, world.member, "!leaderboard lastweek")
    assert [line.split(" · ")[0] for line in standings(last_week)] == [
        "🥇 **Bob**",
        "🥈 **Alice**",
    ]
    all_time = await say(fake_discord, world, world.member, "!leaderboard all")
    assert len(standings(all_time)) == 3


async def test_bare_admin_shows_the_settings(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`!admin` alone shows the current settings and the commands that change them."""
    reply = await say(fake_discord, world, world.admin, "!admin")

    embed = reply.embeds[0]
    assert embed["title"] == "⚙️ Anneal settings"
    values = {f["name"]: f["value"] for f in embed["fields"]}
    assert values["Channels"] == "Challenges may run in every channel"
    assert values["Speed bonus"] == "off"


async def test_help_shows_admin_commands_only_to_admins(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`!help` lists the admin section for an admin, not for a plain member."""
    for_admin = await say(fake_discord, world, world.admin, "!help")
    for_member = await say(fake_discord, world, world.member, "!help")

    admin_fields = [f["name"] for f in for_admin.embeds[0]["fields"]]
    member_fields = [f["name"] for f in for_member.embeds[0]["fields"]]
    assert "⚙️ Admin (Manage Server)" in admin_fields
    assert "⚙️ Admin (Manage Server)" not in member_fields
    assert admin_fields[-1] == "📊 Statistics (Manage Server)"
    assert member_fields == admin_fields[:-2]


async def test_slash_help_is_private_and_uses_the_prefix(
    fake_discord: FakeDiscord, world: World, tmp_path: Path
) -> None:
    """`/help` answers ephemerally, with commands written in the configured prefix."""
    async with running_anneal(fake_discord, tmp_path / "anneal.db", ANNEAL_PREFIX="?"):
        interaction = await fake_discord.user_uses_slash_command(
            world.guild.id, world.general.id, world.member, "help"
        )
        answered = await fake_discord.interaction_response(interaction.id)

    assert answered.response_data is not None
    assert answered.response_data["flags"] & 64
    text = str(answered.response_data["embeds"][0])
    assert "`?leaderboard [week|lastweek|all]`" in text
    assert "`!leaderboard" not in text
