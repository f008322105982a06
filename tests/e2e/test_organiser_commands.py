"""End to end: `!stats`, `!stats problem <id>` and `!stats export` against the fake Discord.

The seed is small enough to count by hand: in the test guild, MISSED (key C) had five
first tries (B, D, C last week; B, C this week: 2 right) and EASY (key A) two (both
right). Bob's practice in DMs (guild 0) and Carol's answer in another server must show
nowhere. world.admin (alice) has Manage Server; world.member (bob) does not.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.engine.problems import Letter
from bot.features.common.bot import AnnealBot
from bot.storage import Database, SessionMode, SessionStatus
from tests.e2e.anneal import running_anneal
from tests.e2e.fake_discord import FakeDiscord, FakeMessage, FakeUser, P, World
from tests.e2e.scores import LAST_WEEK, NOW, THIS_WEEK

MISSED = "multisteplr-milestones-are-positions"  # MultiStepLR, conceptual, key C
EASY = "constantlr-factor-until-total-iters"  # ConstantLR, conceptual, key A
OTHER_GUILD = 999
REFUSAL = "Only members with **Manage Server** can do that."
PNG = b"\x89PNG\r\n\x1a\n"


async def seed_organiser_scores(database: Path, world: World) -> None:
    """Last week a challenge (MISSED and EASY), this week a race (MISSED), plus noise."""
    alice, bob, carol = world.admin.id, world.member.id, world.closed_dms.id
    async with await Database.open(database) as db:
        await db.upsert_guild(world.guild.id, world.guild.name, joined_at=LAST_WEEK - 86_400)
        await db.upsert_guild(OTHER_GUILD, "Another server", joined_at=LAST_WEEK - 86_400)
        for user, name in ((alice, "Alice"), (bob, "Bob"), (carol, "=Carol")):
            await db.upsert_user(user, name)

        async def session(
            guild: int, mode: SessionMode, at: float, answers: list[tuple[int, str, Letter, int]]
        ) -> None:
            channel = world.general.id if guild == world.guild.id else 0
            sid = await db.create_session(
                guild, channel, "basics", [MISSED, EASY], alice, at, mode=mode
            )
            for offset, (user, problem, option, number) in enumerate(answers):
                right = option == ("C" if problem == MISSED else "A")
                points = (100 if number == 1 else 50) if right else 0
                await db.record_attempt(
                    sid, user, problem, option, right, number, points, at + 10 + offset
                )
            await db.end_session(sid, SessionStatus.FINISHED, at + 60)

        await session(
            world.guild.id,
            SessionMode.CHALLENGE,
            LAST_WEEK,
            [
                (alice, MISSED, "B", 1),
                (alice, MISSED, "C", 2),
                (bob, MISSED, "D", 1),
                (carol, MISSED, "C", 1),
                (alice, EASY, "A", 1),
                (bob, EASY, "A", 1),
            ],
        )
        await session(
            world.guild.id,
            SessionMode.RACE,
            THIS_WEEK,
            [(alice, MISSED, "B", 1), (bob, MISSED, "C", 1)],
        )
        await session(0, SessionMode.PRACTICE, THIS_WEEK, [(bob, MISSED, "B", 1)])
        await session(OTHER_GUILD, SessionMode.CHALLENGE, THIS_WEEK, [(carol, MISSED, "B", 1)])


@pytest.fixture
async def organiser_bot(
    fake_discord: FakeDiscord, world: World, tmp_path: Path
) -> AsyncIterator[AnnealBot]:
    """Anneal on the organiser seed, its clock on Wednesday 12 March 2025."""
    database = tmp_path / "anneal.db"
    await seed_organiser_scores(database, world)
    async with running_anneal(fake_discord, database, clock=lambda: NOW) as running:
        yield running


async def say(fake: FakeDiscord, world: World, user: FakeUser, text: str) -> FakeMessage:
    """Send `text` in #general as `user`; the bot's reply there."""
    await fake.user_sends_message(world.general.id, user, text)
    return await fake.wait_for_message(world.general.id)


async def slash(fake: FakeDiscord, world: World, name: str) -> FakeMessage:
    """Run `/<name>` as the organiser in #general; the message that answers it."""
    interaction = await fake.user_uses_slash_command(
        world.guild.id, world.general.id, world.admin, name
    )
    return await fake.wait_for_interaction_message(interaction.id, timeout=15.0)


def field(message: FakeMessage, name: str) -> str:
    """The value of the first embed's field whose name contains `name`."""
    return next(str(f["value"]) for f in message.embeds[0]["fields"] if name in f["name"])


async def test_organiser_gets_the_overview_with_a_weekly_chart(
    organiser_bot: AnnealBot, fake_discord: FakeDiscord, world: World, tmp_path: Path
) -> None:
    """`!stats`: the chart as a PNG in the embed, the most missed problem and accuracies."""
    reply = await say(fake_discord, world, world.admin, "!stats")

    embed = reply.embeds[0]
    assert embed["title"] == f"📊 {world.guild.name}: statistics"
    assert embed["description"].startswith("**7** first tries on **2** problems: **57%** right")
    [chart] = reply.attachments
    assert chart.filename == "stats.png"
    assert chart.data.startswith(PNG)
    assert embed["image"]["url"] == chart.url
    (tmp_path / "stats.png").write_bytes(chart.data)  # to look at: pytest --basetemp=DIR
    missed = field(reply, "Most missed")
    located = organiser_bot.services.library.find_problem(MISSED)
    assert located is not None
    assert missed.startswith(f"1. **{located[1].title}**")
    assert f"(`{MISSED}`): 40% right of 5 · most picked wrong: **B** 2 times" in missed
    assert EASY not in missed  # never missed
    assert field(reply, "by scheduler").splitlines() == [
        "**MultiStepLR**: 40% (5 first tries, 1 problem)",
        "**ConstantLR**: 100% (2 first tries, 1 problem)",
    ]
    assert field(reply, "by kind") == "**🧠 Conceptual**: 57% (7 first tries, 2 problems)"
    assert "Practice and review in DMs" in embed["footer"]["text"]


async def test_problem_command_charts_first_tries_per_option(
    organiser_bot: AnnealBot, fake_discord: FakeDiscord, world: World, tmp_path: Path
) -> None:
    """`!stats problem <id>`: picks per option, the key marked, and who solved it in the end."""
    reply = await say(fake_discord, world, world.admin, f"!stats problem {MISSED}")

    embed = reply.embeds[0]
    assert embed["description"] == "5 first tries · 40% right · 3 of 5 solved it in the end"
    lines = field(reply, "per option").splitlines()
    marks = [line.split(" · ")[0] for line in lines]
    assert marks == ["▫️ **A**", "▫️ **B**", "✅ **C**", "▫️ **D**"]
    assert [line.split(" · ")[1].split(" “")[0] for line in lines] == [
        "0 (0%)",
        "2 (40%)",
        "2 (40%)",
        "1 (20%)",
    ]
    [chart] = reply.attachments
    assert (chart.filename, chart.data[:8]) == ("problem.png", PNG)
    (tmp_path / "problem.png").write_bytes(chart.data)


async def test_unplayed_and_unknown_problems_are_explained(
    organiser_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """A shipped problem nobody here played, and an id no pack has, each get a clear reply."""
    unplayed = await say(fake_discord, world, world.admin, "!stats problem steplr-three-epochs")
    assert unplayed.content.startswith("`steplr-three-epochs` has no answers in this server yet.")
    unknown = await say(fake_discord, world, world.admin, "!stats problem no-such-thing")
    assert unknown.content.startswith("There is no problem `no-such-thing` in the packs")


async def test_slash_problem_autocompletes_the_ids_played_here(
    organiser_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`/stats problem` suggests the problems this server played, with their titles."""

    async def suggested(typed: str) -> list[dict[str, str]]:
        interaction = await fake_discord.user_autocompletes(
            world.guild.id,
            world.general.id,
            world.admin,
            "stats problem",
            {"problem_id": typed},
            "problem_id",
        )
        return list((await fake_discord.interaction_response(interaction.id)).choices)

    everything = await suggested("")
    assert [choice["value"] for choice in everything] == [EASY, MISSED]
    assert everything[0]["name"].startswith(f"{EASY} · ")
    assert [choice["value"] for choice in await suggested("mile")] == [MISSED]
    assert await suggested("steplr-three") == []  # shipped, but never played here


async def test_slash_overview_is_private_to_the_organiser(
    organiser_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`/stats overview` is deferred, then answered ephemerally with the embed and chart."""
    message = await slash(fake_discord, world, "stats overview")

    assert message.embeds[0]["title"].endswith(": statistics")
    assert message.attachments[0].data.startswith(PNG)
    assert message.flags & 64  # ephemeral


async def test_prefix_export_goes_by_dm_as_csv_of_every_attempt(
    organiser_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`!stats export`: the CSV arrives by DM, one row per stored attempt of this server."""
    reply = await say(fake_discord, world, world.admin, "!stats export")
    dm = await fake_discord.wait_for_dm(world.admin)

    assert reply.content == "📬 The export is in your DMs."
    [attachment] = dm.attachments
    assert attachment.filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(attachment.data.decode())))
    db = organiser_bot.services.db
    stored = []
    for session_id in range(1, 5):  # the seed's four sessions; two are this server's
        session = await db.session(session_id)
        assert session is not None
        if session.guild_id == world.guild.id:
            attempts = await db.attempts_for_session(session_id)
            stored += [(session.mode.value, a) for a in attempts]
    assert len(rows) == len(stored) == 8
    assert sorted(
        (r["mode"], r["member_id"], r["problem"], r["option"], r["attempt"]) for r in rows
    ) == sorted(
        (mode, str(a.user_id), a.problem_id, a.option, str(a.attempt_number)) for mode, a in stored
    )
    carol = next(r for r in rows if r["member_id"] == str(world.closed_dms.id))
    assert carol["display_name"] == "'=Carol"  # never read as a spreadsheet formula
    assert "8 attempts as CSV" in dm.content


async def test_slash_export_is_an_ephemeral_attachment(
    organiser_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`/stats export` answers only the organiser, with the file attached."""
    message = await slash(fake_discord, world, "stats export")

    assert message.flags & 64
    assert message.attachments[0].data.startswith(b"session,mode,member_id,display_name")


async def test_export_to_closed_dms_never_lands_in_the_channel(
    organiser_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """An organiser whose DMs are closed is told how to get it; the channel gets no file."""
    everyone = int(P.VIEW_CHANNEL | P.SEND_MESSAGES | P.READ_MESSAGE_HISTORY | P.MANAGE_GUILD)
    await fake_discord.set_role_permissions(world.guild.id, world.everyone_role.id, everyone)
    reply = await say(fake_discord, world, world.closed_dms, "!stats export")

    assert "your DMs are closed" in reply.content
    assert "`/stats export`" in reply.content
    assert not any(m.attachments for m in fake_discord.messages_in(world.general.id))


async def test_members_without_manage_server_are_refused(
    organiser_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """Bob is refused politely by `!` for every subcommand, and privately by slash."""
    for text in ("!stats", f"!stats problem {MISSED}", "!stats export"):
        reply = await say(fake_discord, world, world.member, text)
        assert reply.content == REFUSAL
        assert not reply.attachments
    interaction = await fake_discord.user_uses_slash_command(
        world.guild.id, world.general.id, world.member, "stats overview"
    )
    answered = await fake_discord.interaction_response(interaction.id)
    assert answered.response_data is not None
    assert answered.response_data["content"] == REFUSAL
    assert answered.response_data["flags"] & 64
    typed = await fake_discord.user_autocompletes(
        world.guild.id,
        world.general.id,
        world.member,
        "stats problem",
        {"problem_id": ""},
        "problem_id",
    )
    assert (await fake_discord.interaction_response(typed.id)).choices == []


async def test_slash_stats_group_needs_manage_server_by_default(
    organiser_bot: AnnealBot, fake_discord: FakeDiscord
) -> None:
    """The synced /stats group is hidden from members by default and not offered in DMs."""
    synced = fake_discord.state.commands[None]["stats"]

    assert int(synced["default_member_permissions"]) == int(P.MANAGE_GUILD)
    assert synced["dm_permission"] is False
    assert {option["name"] for option in synced["options"]} == {"overview", "problem", "export"}


async def test_a_server_without_answers_gets_a_friendly_note(
    fake_discord: FakeDiscord, world: World, tmp_path: Path
) -> None:
    """`!stats` and `!stats export` before the first answer say so, and attach nothing."""
    async with running_anneal(fake_discord, tmp_path / "empty.db", clock=lambda: NOW):
        for text in ("!stats", "!stats export"):
            reply = await say(fake_discord, world, world.admin, text)
            assert reply.content.startswith("📊 No answers in **Anneal Test Guild** yet")
            assert not reply.attachments


async def test_a_problem_in_play_keeps_its_picks_private(
    organiser_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """While a challenge runs, `!stats problem` refuses its unrevealed problems."""
    await fake_discord.user_sends_message(
        world.challenges.id, world.admin, "!challenge start basics 2"
    )
    await fake_discord.wait_for_message(world.challenges.id, lambda m: bool(m.embeds))
    manager = organiser_bot.services.challenges
    assert manager is not None
    [in_play, *_] = [p.id for p in manager.unrevealed_problems(world.guild.id)]

    reply = await say(fake_discord, world, world.admin, f"!stats problem {in_play}")

    assert reply.content.startswith(f"`{in_play}` is in play in this server right now")
    await fake_discord.user_sends_message(world.challenges.id, world.admin, "!challenge stop")
