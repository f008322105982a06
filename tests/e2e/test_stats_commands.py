"""End to end: leaderboard, profile, badges, packs and help against the fake Discord.

``scored_bot`` (tests/e2e/conftest.py) starts Anneal on scores seeded through the real
Database (tests/e2e/scores.py), its clock fixed on Wednesday 12 March 2025, so "this week"
began on Monday 10 March (UTC).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.features.common.bot import AnnealBot
from bot.storage import Database, SessionStatus
from tests.e2e.anneal import running_anneal
from tests.e2e.fake_discord import FakeDiscord, FakeUser, World, has_embed
from tests.e2e.scores import NOW, THIS_WEEK, at


async def say(fake: FakeDiscord, world: World, user: FakeUser, text: str) -> dict[str, Any]:
    """Send `text` in #general as `user`; the first embed of the bot's reply."""
    await fake.user_sends_message(world.general.id, user, text)
    reply = await fake.wait_for_message(world.general.id, has_embed)
    return reply.embeds[0]


def lines(embed: dict[str, Any]) -> list[str]:
    """The leaderboard lines (those with points) of an embed's description."""
    return [line for line in embed.get("description", "").splitlines() if "pts" in line]


def field(embed: dict[str, Any], name: str) -> str:
    """The value of the embed field named ``name``."""
    return next(str(f["value"]) for f in embed.get("fields", []) if f["name"] == name)


async def test_leaderboard_all_ranks_everyone_and_marks_the_caller(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`!leaderboard all` ranks all-time points; the caller's line is marked."""
    embed = await say(fake_discord, world, world.member, "!leaderboard all")

    assert embed["title"] == f"🏆 {world.guild.name}: all time"
    assert lines(embed) == [
        "🥇 **Alice** · 250 pts · 3/4 correct",
        "🥈 **Bob** · 100 pts · 1/1 correct ← you",
        "🥉 **Carol** · 100 pts · 1/1 correct",
    ]


async def test_slash_leaderboard_defaults_to_this_week(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`/leaderboard` shows this week only, and tells a caller with no answers so."""
    interaction = await fake_discord.user_uses_slash_command(
        world.guild.id, world.general.id, world.member, "leaderboard"
    )
    answered = await fake_discord.interaction_response(interaction.id)

    assert answered.response_data is not None
    embed = answered.response_data["embeds"][0]
    assert embed["title"].endswith(": this week")
    assert lines(embed) == [
        "🥇 **Alice** · 200 pts · 2/3 correct",
        "🥈 **Carol** · 100 pts · 1/1 correct",
    ]
    assert embed["footer"]["text"] == "You have no answers this week yet."


async def test_slash_leaderboard_last_week(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`/leaderboard board:lastweek` shows the previous Monday-to-Monday week."""
    interaction = await fake_discord.user_uses_slash_command(
        world.guild.id, world.general.id, world.admin, "leaderboard", {"board": "lastweek"}
    )
    answered = await fake_discord.interaction_response(interaction.id)

    assert answered.response_data is not None
    embed = answered.response_data["embeds"][0]
    assert lines(embed) == [
        "🥇 **Bob** · 100 pts · 1/1 correct",
        "🥈 **Alice** · 50 pts · 1/1 correct ← you",
    ]
    assert f"<t:{round(at(3, 0))}:f>" in embed["description"]


async def test_caller_below_the_top_ten_sees_their_own_rank(
    fake_discord: FakeDiscord, world: World, tmp_path: Path
) -> None:
    """With eleven players ahead, the caller's own line follows the top 10."""
    database = tmp_path / "anneal.db"
    carol = world.closed_dms.id
    async with await Database.open(database) as db:
        await db.upsert_guild(world.guild.id, world.guild.name)
        await db.upsert_user(carol, "Carol")
        session = await db.create_session(
            world.guild.id, world.general.id, "basics", ["p1"], carol, THIS_WEEK
        )
        for n in range(11):
            await db.upsert_user(1000 + n, f"Player {n}")
            await db.record_attempt(session, 1000 + n, "p1", "A", True, 1, 100, THIS_WEEK + n)
        await db.record_attempt(session, carol, "p1", "A", True, 2, 50, THIS_WEEK + 20)
        await db.end_session(session, SessionStatus.FINISHED, THIS_WEEK + 60)
    async with running_anneal(fake_discord, database, clock=lambda: NOW):
        embed = await say(fake_discord, world, world.closed_dms, "!leaderboard")

    shown = lines(embed)
    assert len(shown) == 11
    assert shown[0] == "🥇 **Player 0** · 100 pts · 1/1 correct"
    assert shown[9].startswith("`10.` **Player 9**")
    assert shown[10] == "`12.` **Carol** · 50 pts · 1/1 correct ← you"
    assert "⋯" in embed["description"]


async def test_leaderboard_of_a_new_server_says_how_to_start(
    fake_discord: FakeDiscord, world: World, tmp_path: Path
) -> None:
    """No answers yet: the board says so and names the command that starts a challenge."""
    async with running_anneal(fake_discord, tmp_path / "anneal.db", clock=lambda: NOW):
        embed = await say(fake_discord, world, world.member, "!leaderboard all")

    assert "Nobody has answered a problem here" in embed["description"]
    assert "`!challenge start`" in embed["description"]


async def test_profile_shows_points_accuracy_streak_rank_and_dated_badge(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`!profile`: the caller's points (all time and week), accuracy, streak, rank and badge."""
    embed = await say(fake_discord, world, world.admin, "!profile")

    assert embed["title"] == "📇 Alice"
    assert field(embed, "Points") == "**250** all time\n200 this week"
    assert field(embed, "Rank") == "#1 all time\n#1 this week"
    assert field(embed, "Answered") == "4 problems"
    assert field(embed, "Accuracy") == "75% (3 correct)"
    assert field(embed, "Day streak") == "🔥 1 day"
    assert field(embed, "Badges") == "🪜 **Step Counter** · 11 Mar 2025"


async def test_profile_of_another_member_by_mention_and_by_slash(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`!profile @Bob` and `/profile member:Bob` show Bob's numbers, not the caller's."""
    embed = await say(fake_discord, world, world.admin, f"!profile {world.member.mention}")
    assert embed["title"] == "📇 Bob"
    assert field(embed, "Points") == "**100** all time\n0 this week"
    assert field(embed, "Rank") == "#2 all time\n— this week"
    assert field(embed, "Badges").startswith("None yet")

    interaction = await fake_discord.user_uses_slash_command(
        world.guild.id, world.general.id, world.admin, "profile", {"member": world.member}
    )
    answered = await fake_discord.interaction_response(interaction.id)
    assert answered.response_data is not None
    assert answered.response_data["embeds"][0]["title"] == "📇 Bob"


async def test_badges_lists_every_pack_badge_and_marks_the_held_one(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`!badges` shows each pack's badge with how to earn it; Alice's is dated."""
    embed = await say(fake_discord, world, world.admin, "!badges")

    names = [f["name"] for f in embed["fields"]]
    packs = scored_bot.services.library.packs.values()
    assert names == [f"{p.badge.emoji} {p.badge.name}" for p in packs]
    held = field(embed, "🪜 Step Counter")
    assert "Pack: `basics` (Scheduler Basics)" in held
    assert held.endswith("✅ Earned 11 Mar 2025")
    assert "Answer every problem" in held
    others = [f["value"] for f in embed["fields"] if f["name"] != "🪜 Step Counter"]
    assert all(value.endswith("Not earned yet") for value in others)


async def test_packs_lists_each_pack_with_the_command_to_start_it(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`!packs`: one field per shipped pack, with its size, time and `!challenge start <id>`;
    no `fresh` on a bot whose runner is off."""
    embed = await say(fake_discord, world, world.member, "!packs")

    library = scored_bot.services.library.packs
    assert [f["name"] for f in embed["fields"]] == [p.title for p in library.values()]
    count = len(library["basics"].problems)
    basics = field(embed, library["basics"].title)
    assert f"`basics` · {count} problems" in basics
    assert "Levels: " in basics
    assert "Time: 5 problems: up to " in basics
    assert f"all {count}: up to " in basics
    assert basics.endswith(
        f"Start: `!challenge start basics` · all of it: `!challenge start basics {count}`"
    )


async def test_stats_commands_refuse_dms(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """In a DM, `!leaderboard` explains that it works in a server channel."""
    await fake_discord.user_sends_dm(world.member, "!leaderboard")
    reply = await fake_discord.wait_for_dm(world.member)
    assert reply.content == "That command works in a server channel, not in DMs."


async def test_slash_commands_are_offered_in_servers_only(
    scored_bot: AnnealBot, fake_discord: FakeDiscord
) -> None:
    """The synced leaderboard, profile, badges, packs and help are not offered in DMs."""
    synced = fake_discord.state.commands[None]
    for name in ("leaderboard", "profile", "badges", "packs", "help"):
        assert synced[name]["dm_permission"] is False, name
    assert [c["value"] for c in synced["leaderboard"]["options"][0]["choices"]] == [
        "week",
        "lastweek",
        "all",
    ]
