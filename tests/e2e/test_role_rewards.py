"""End to end: role rewards set by an organiser, given when a member earns them, refused
when the bot could not give them, and failures told to the organiser once.

The tiny pack has two 3-second problems (answers B then C) on a FakeClock. alice is the
organiser (Admin role); bob plays. Roles made in a test come in at position 1, below the
bot's role (2) and Admin (3), as a new role does on Discord.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.features.common.bot import AnnealBot
from tests.e2e.fake_discord import BOT_PERMISSIONS, FakeDiscord, FakeMessage, FakeRole, P, World
from tests.e2e.fake_discord.server import OptionValue
from tests.e2e.test_challenge import (
    PROBLEM_SECONDS,
    B,
    C,
    content,
    is_problem,
    scale_timers,
    start,
    tiny_anneal,
)
from tests.engine.conftest import FakeClock

__all__ = ["content"]  # the fixture, shared with test_challenge.py

ROLE_PUT = r"/guilds/\d+/members/\d+/roles/\d+"


@pytest.fixture
def clock() -> FakeClock:
    """The challenges' clock: the test moves it."""
    return FakeClock()


@pytest.fixture
async def sage(fake_discord: FakeDiscord, world: World) -> FakeRole:
    """A plain role, "Sage", below the bot's; the bot's role may manage roles."""
    world.bot_role.permissions = int(BOT_PERMISSIONS | P.MANAGE_ROLES)
    return await fake_discord.roles.create_role(world.guild.id, "Sage")


@pytest.fixture
async def bot(
    fake_discord: FakeDiscord,
    world: World,
    tmp_path: Path,
    content: Path,
    clock: FakeClock,
    sage: FakeRole,
) -> AsyncIterator[AnnealBot]:
    """Anneal with 3-second problems, after the roles of the test were made."""
    database = tmp_path / "anneal.db"
    await scale_timers(database, world.guild.id, PROBLEM_SECONDS / 10)
    async with tiny_anneal(fake_discord, database, content, clock) as running:
        yield running


async def say(fake: FakeDiscord, world: World, text: str) -> FakeMessage:
    """alice says `text` in #challenges; the bot's reply."""
    await fake.user_sends_message(world.challenges.id, world.admin, text)
    return await fake.wait_for_message(world.challenges.id)


def announcements(fake: FakeDiscord, world: World) -> list[FakeMessage]:
    """The bot's role reward announcements in #general."""
    return [m for m in fake.messages_in(world.general.id) if "Role rewards" in m.content]


async def bob_answers(fake: FakeDiscord, world: World, problem: FakeMessage, emoji: str) -> None:
    """bob reacts `emoji` under `problem` and reads his feedback."""
    await fake.user_adds_reaction(world.general.id, problem.id, world.member, emoji)
    await fake.wait_for_dm(world.member)


async def test_roles_are_given_when_earned_and_said_once(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World, clock: FakeClock, sage: FakeRole
) -> None:
    """100 points gives Sage after the reveal; the pack's badge gives Master at the summary."""
    fake = fake_discord
    master = await fake.roles.create_role(world.guild.id, "Tiny Master")
    reply = await say(fake, world, f"!admin reward <@&{sage.id}> points 100")
    assert reply.content.startswith(f"🎖️ <@&{sage.id}> is now given for 100 points")
    assert reply.mention_roles == [sage.id]  # shown as the role; `allowed_mentions` pings none
    reply = await say(fake, world, f'!admin reward "{master.name}" badge TINY')
    assert "given for the 🏅 **tiny master** badge (`tiny`)" in reply.content

    problem = await start(fake, world)
    await bob_answers(fake, world, problem, B)
    assert fake.requests_matching("PUT", ROLE_PUT) == []  # not before the reveal
    clock.advance(PROBLEM_SECONDS)
    said = await fake.wait_for_message(world.general.id, lambda m: "Role rewards" in m.content)

    assert f"<@{world.member.id}> now has <@&{sage.id}>: reached 100 points" in said.content
    [sent] = [
        r
        for r in fake.requests_matching("POST", rf"/channels/{world.general.id}/messages")
        if "Role rewards" in ((r.json or {}).get("content") or "")
    ]
    assert sent.json["allowed_mentions"]["parse"] == []  # neither bob nor everyone with Sage
    assert fake.roles.member_roles(world.guild.id, world.member.id) == [sage]
    reveal = next(
        m
        for m in fake.messages_in(world.general.id)
        if m.embeds and "Answer" in m.embeds[0]["title"]
    )
    assert reveal.id < said.id  # who was right is public by then
    second = await fake.wait_for_message(world.general.id, is_problem(2))
    await fake.wait_for_reactions(second.id, [C])
    await bob_answers(fake, world, second, C)
    clock.advance(0.2)
    badge = await fake.wait_for_message(
        world.general.id, lambda m: "Role rewards" in m.content and "badge" in m.content
    )
    assert f"now has <@&{master.id}>: earned the 🏅 **tiny master** badge" in badge.content
    assert {r.id for r in fake.roles.member_roles(world.guild.id, world.member.id)} == {
        sage.id,
        master.id,
    }
    assert len(fake.requests_matching("PUT", ROLE_PUT)) == 2  # 200 points: Sage not again
    assert len(announcements(fake, world)) == 2


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ("bot role below", "My highest role, **@Anneal**, is not above **@Sage**"),
        ("no manage roles", "I need the **Manage Roles** permission"),
        ("risky role", "grants Manage Server, Manage Messages"),
        ("above the organiser", "is not below your highest role"),
    ],
)
async def test_a_reward_the_bot_could_not_give_is_refused_at_once(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World, sage: FakeRole, change: str, says: str
) -> None:
    """The reason is given right away, and nothing is stored."""
    fake = fake_discord
    if change == "bot role below":
        await fake.roles.move_role(world.guild.id, world.bot_role.id, sage.position)
    elif change == "no manage roles":
        await fake.set_role_permissions(world.guild.id, world.bot_role.id, BOT_PERMISSIONS)
    elif change == "risky role":
        await fake.set_role_permissions(world.guild.id, sage.id, P.MANAGE_GUILD | P.MANAGE_MESSAGES)
    else:
        await fake.roles.move_role(world.guild.id, sage.id, world.admin_role.position)
    await fake.wait_for(
        lambda: bot.get_guild(world.guild.id) and _cached(bot, world, sage, change),
        what="the bot's cache to see the change",
    )

    reply = await say(fake, world, f"!admin reward <@&{sage.id}> points 100")

    assert reply.content.startswith(f"I can't give <@&{sage.id}> as a reward.")
    assert says in reply.content
    assert await bot.services.db.role_rewards(world.guild.id) == []


def _cached(bot: AnnealBot, world: World, sage: FakeRole, change: str) -> bool | None:
    """Whether the bot's cache shows `change` yet (None: not yet)."""
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    role = guild.get_role(sage.id)
    assert role is not None
    seen = {
        "bot role below": guild.me.top_role < role,
        "no manage roles": not guild.me.guild_permissions.manage_roles,
        "risky role": role.permissions.manage_guild,
        "above the organiser": role > (guild.get_role(world.admin_role.id) or role),
    }[change]
    return seen or None


async def test_a_grant_discord_refuses_is_told_to_the_organiser_once(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World, clock: FakeClock, sage: FakeRole
) -> None:
    """Discord says 403 (a permission went missing unseen): the answers count, alice hears
    once by DM, nobody is announced; once Discord gives it again, the next reveal does."""
    fake = fake_discord
    await say(fake, world, f"!admin reward <@&{sage.id}> points 50")
    fake.inject_error("PUT", ROLE_PUT, status=403, code=50013, times=2)
    problem = await start(fake, world)
    await bob_answers(fake, world, problem, B)
    await fake.user_adds_reaction(world.general.id, problem.id, world.admin, B)
    await fake.wait_for_dm(world.admin)  # her own feedback
    clock.advance(PROBLEM_SECONDS)

    told = await fake.wait_for_dm(world.admin, lambda m: "Role rewards" in m.content)
    assert "I could not give **@Sage**" in told.content
    assert "Discord refused it" in told.content
    await fake.wait_for(
        lambda: len(fake.requests_matching("PUT", ROLE_PUT, status=403)) == 2 or None,
        what="both grants refused",
    )
    second = await fake.wait_for_message(world.general.id, is_problem(2))
    assert announcements(fake, world) == []
    assert fake.roles.member_roles(world.guild.id, world.member.id) == []

    await fake.wait_for_reactions(second.id, [C])
    await bob_answers(fake, world, second, C)
    clock.advance(PROBLEM_SECONDS)  # alice sits this one out: its deadline reveals it
    said = await fake.wait_for_message(world.general.id, lambda m: "Role rewards" in m.content)
    assert f"<@{world.member.id}> now has <@&{sage.id}>" in said.content
    dms = fake.messages_in(fake.dm_channel(world.admin).id)
    assert len([m for m in dms if "Role rewards" in m.content]) == 1


async def test_a_permission_lost_is_seen_before_asking_discord(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World, clock: FakeClock, sage: FakeRole
) -> None:
    """Manage Roles taken from the bot after the reward was set: no call that would be
    refused, alice is told why, and bob's answer counted as ever."""
    fake = fake_discord
    await say(fake, world, f"!admin reward <@&{sage.id}> points 50")
    await fake.set_role_permissions(world.guild.id, world.bot_role.id, BOT_PERMISSIONS)
    problem = await start(fake, world)
    await bob_answers(fake, world, problem, B)
    clock.advance(PROBLEM_SECONDS)

    told = await fake.wait_for_dm(world.admin, lambda m: "Role rewards" in m.content)

    assert "I need the **Manage Roles** permission" in told.content
    assert fake.requests_matching("PUT", ROLE_PUT) == []
    profile = await bot.services.db.profile(world.guild.id, world.member.id, _today(clock))
    assert profile.points == 100


def _today(clock: FakeClock) -> date:
    """The UTC day of the fake clock."""
    return datetime.fromtimestamp(clock(), UTC).date()


async def test_slash_reward_set_list_remove_and_autocomplete(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World, sage: FakeRole
) -> None:
    """/admin reward set|list|remove, and the badge ids suggested as the value is typed."""
    fake = fake_discord
    admin = fake.state.commands[None]["admin"]
    reward = next(o for o in admin["options"] if o["name"] == "reward")
    assert {o["name"] for o in reward["options"]} == {"set", "list", "remove"}

    async def suggested(kind: str, typed: str) -> list[tuple[str, str]]:
        options: dict[str, OptionValue] = {"role": sage, "kind": kind, "value": typed}
        asked = await fake.user_autocompletes(
            world.guild.id, world.challenges.id, world.admin, "admin reward set", options, "value"
        )
        return [
            (c["name"], c["value"]) for c in (await fake.interaction_response(asked.id)).choices
        ]

    assert await suggested("badge", "ti") == [("🏅 tiny master (tiny)", "tiny")]
    assert await suggested("points", "25") == [("25 points", "25"), ("2,500 points", "2500")]

    async def slash(name: str, options: Mapping[str, OptionValue]) -> str:
        used = await fake.user_uses_slash_command(
            world.guild.id,
            world.challenges.id,
            world.admin,
            name,
            options,
        )
        response = await fake.wait_for_interaction_message(used.id)
        return response.content or response.embeds[0].get("description", "")

    assert "is now given for" in await slash(
        "admin reward set", {"role": sage, "kind": "streak", "value": "7"}
    )
    listed = await slash("admin reward list", {})
    assert listed == f"<@&{sage.id}>: a 7-day streak (days in a row with an answer) · given to 0"
    assert "no longer given" in await slash("admin reward remove", {"role": sage})
    assert "is not a reward here" in await slash("admin reward remove", {"role": sage})
    assert "No role is given" in await slash("admin reward list", {})


async def test_members_cannot_set_rewards(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World, sage: FakeRole
) -> None:
    """bob, without Manage Server, is refused politely."""
    fake = fake_discord
    await fake.user_sends_message(
        world.challenges.id, world.member, f"!admin reward <@&{sage.id}> points 1"
    )
    reply = await fake.wait_for_message(world.challenges.id)
    assert reply.content == "Only members with **Manage Server** can do that."
    assert await bot.services.db.role_rewards(world.guild.id) == []


async def test_a_deleted_role_is_no_reward_any_more(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World, sage: FakeRole
) -> None:
    """Deleting the role in Server Settings removes its reward."""
    fake = fake_discord
    await say(fake, world, f"!admin reward <@&{sage.id}> streak 3")
    assert len(await bot.services.db.role_rewards(world.guild.id)) == 1

    await fake.roles.delete_role(world.guild.id, sage.id)

    async def removed() -> bool:
        return await bot.services.db.role_rewards(world.guild.id) == []

    for _ in range(200):
        if await removed():
            break
        await asyncio.sleep(0.01)
    assert await removed()
    listed = await say(fake, world, "!admin reward list")
    assert listed.embeds[0]["description"] == "No role is given as a reward yet."
