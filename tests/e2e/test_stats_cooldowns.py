"""End to end: the read commands' per-member cooldown, by `!` and by slash command.

``scored_bot`` has its clock fixed, so every look falls in the same window.
"""

from __future__ import annotations

from bot.features.common.bot import AnnealBot
from bot.features.stats.cooldowns import LOOKS
from tests.e2e.fake_discord import FakeDiscord, World, has_embed
from tests.e2e.fake_discord.state import FakeMessage

EPHEMERAL = 1 << 6


def asks_to_wait(message: FakeMessage) -> bool:
    """The cooldown's refusal."""
    return "try again in" in message.content


async def test_profile_past_the_allowance_asks_to_wait_once(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`!profile` answers LOOKS times; the next says when to try again; another adds no noise."""
    channel = world.general.id
    for _ in range(LOOKS):
        await fake_discord.user_sends_message(channel, world.member, "!profile")
        await fake_discord.wait_for_message(channel, has_embed)

    await fake_discord.user_sends_message(channel, world.member, "!profile")
    refusal = await fake_discord.wait_for_message(channel, asks_to_wait)
    assert refusal.content == (
        f"You've checked profiles {LOOKS} times in the last 30 s: try again in 30 s."
    )

    await fake_discord.user_sends_message(channel, world.member, "!profile")
    # Another member is not held back, and their answer comes after the ignored fifth.
    await fake_discord.user_sends_message(channel, world.admin, "!profile")
    await fake_discord.wait_for_message(channel, has_embed)
    refusals = [
        message
        for message_id in fake_discord.state.channel_messages[channel]
        if asks_to_wait(message := fake_discord.state.messages[message_id])
    ]
    assert len(refusals) == 1


async def test_slash_leaderboard_shares_the_cooldown_and_answers_privately(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`!leaderboard` and `/leaderboard` count together; the refusal is ephemeral."""
    channel = world.general.id
    for _ in range(LOOKS - 1):
        await fake_discord.user_sends_message(channel, world.admin, "!leaderboard all")
        await fake_discord.wait_for_message(channel, has_embed)
    first = await fake_discord.user_uses_slash_command(
        world.guild.id, channel, world.admin, "leaderboard"
    )
    assert (await fake_discord.interaction_response(first.id)).response_data is not None

    one_too_many = await fake_discord.user_uses_slash_command(
        world.guild.id, channel, world.admin, "leaderboard"
    )
    answered = await fake_discord.interaction_response(one_too_many.id)
    assert answered.response_data is not None
    assert f"checked the leaderboard {LOOKS} times" in answered.response_data["content"]
    assert answered.response_data["flags"] & EPHEMERAL
