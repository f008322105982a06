"""End to end: the weekly digest set by an organiser and posted on Monday 00:00 UTC, once,
also across a restart and after a process that claimed the week died.

The bot's clock is a FakeClock that starts on Sunday 16 March 2025, 23:59 UTC; the
week of 10 to 16 March is seeded through the real Database with shipped problems.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.features.common.bot import AnnealBot
from bot.features.digest.cog import DigestCog
from bot.features.digest.render import footer_text
from bot.storage import Database, SessionStatus
from tests.e2e.anneal import running_anneal
from tests.e2e.fake_discord import FakeDiscord, FakeMessage, P, World
from tests.e2e.fake_discord.state import FakeMessage as StoredMessage
from tests.engine.conftest import FakeClock

MONDAY = datetime(2025, 3, 17, tzinfo=UTC).timestamp()  # the digest's Monday, 00:00 UTC
WEEK_START = MONDAY - 7 * 86_400  # Monday 10 March: the week it is about
SUNDAY_NIGHT = MONDAY - 60
STEP = "steplr-rate-each-epoch-trains-at"  # answer D, teaches StepLR
CONSTANT = "constantlr-factor-until-total-iters"  # answer A


async def seed_week(database: Path, world: World) -> None:
    """Alice 150 and Bob 50 in the week of 10 March; both missed the StepLR problem first;
    Bob earned the basics badge on Thursday. Carol played the week before only."""
    alice, bob, carol = world.admin.id, world.member.id, world.closed_dms.id
    wednesday = WEEK_START + 2 * 86_400 + 36_000
    async with await Database.open(database) as db:
        await db.upsert_guild(world.guild.id, world.guild.name, joined_at=WEEK_START - 86_400 * 30)
        for user, name in ((alice, "Alice"), (bob, "Bob"), (carol, "Carol")):
            await db.upsert_user(user, name)
        before = await db.create_session(
            world.guild.id, world.general.id, "basics", [CONSTANT], carol, WEEK_START - 86_400
        )
        await db.record_attempt(before, carol, CONSTANT, "A", True, 1, 100, WEEK_START - 80_000)
        await db.end_session(before, SessionStatus.FINISHED, WEEK_START - 79_000)
        session = await db.create_session(
            world.guild.id, world.general.id, "basics", [CONSTANT, STEP], alice, wednesday
        )
        await db.record_attempt(session, alice, CONSTANT, "A", True, 1, 100, wednesday + 10)
        await db.record_attempt(session, bob, CONSTANT, "B", False, 1, 0, wednesday + 11)
        await db.record_attempt(session, alice, STEP, "B", False, 1, 0, wednesday + 20)
        await db.record_attempt(session, alice, STEP, "D", True, 2, 50, wednesday + 25)
        await db.record_attempt(session, bob, STEP, "B", False, 1, 0, wednesday + 21)
        await db.record_attempt(session, bob, STEP, "D", True, 2, 50, wednesday + 26)
        await db.end_session(session, SessionStatus.FINISHED, wednesday + 60)
        await db.award_badge(world.guild.id, bob, "Step Counter", "basics", wednesday + 86_400)


@pytest.fixture
def clock() -> FakeClock:
    """Sunday 16 March 2025, 23:59 UTC."""
    return FakeClock(SUNDAY_NIGHT)


@pytest.fixture
async def database(tmp_path: Path, world: World) -> Path:
    """The seeded week's database file."""
    path = tmp_path / "anneal.db"
    await seed_week(path, world)
    return path


def anneal(
    fake: FakeDiscord, database: Path, clock: FakeClock
) -> contextlib.AbstractAsyncContextManager[AnnealBot]:
    """The bot on the seeded database, its time on `clock`."""
    return running_anneal(fake, database, clock=clock, sleep=clock.sleep)


@pytest.fixture
async def bot(
    fake_discord: FakeDiscord, database: Path, clock: FakeClock
) -> AsyncIterator[AnnealBot]:
    """Anneal on the seeded week, on Sunday night."""
    async with anneal(fake_discord, database, clock) as running:
        yield running


def digests(fake: FakeDiscord, world: World) -> list[FakeMessage]:
    """The digests posted in #general."""
    return [
        m
        for m in fake.messages_in(world.general.id)
        if m.embeds and m.embeds[0].get("title", "").startswith("📬 Weekly digest")
    ]


async def passes_done(fake: FakeDiscord, bot: AnnealBot, count: int) -> None:
    """Wait until the digest loop finished `count` passes."""
    cog = bot.get_cog("Digest")
    assert isinstance(cog, DigestCog)
    await fake.wait_for(lambda: cog.weekly.rounds >= count or None, what="a digest pass")


async def say(fake: FakeDiscord, world: World, text: str) -> FakeMessage:
    """alice says `text` in #challenges; the bot's reply."""
    await fake.user_sends_message(world.challenges.id, world.admin, text)
    return await fake.wait_for_message(world.challenges.id)


async def test_the_digest_is_posted_on_monday_once_even_after_a_restart(
    fake_discord: FakeDiscord, world: World, database: Path, clock: FakeClock
) -> None:
    """Set on Sunday night, posted at Monday 00:00 with the week's numbers, not again when
    the bot restarts that morning."""
    fake = fake_discord
    async with anneal(fake, database, clock) as bot:
        reply = await say(fake, world, f"!admin digest <#{world.general.id}>")
        assert reply.content.startswith(f"📬 The weekly digest goes to <#{world.general.id}>")
        assert f"<t:{round(MONDAY)}:R>" in reply.content
        await passes_done(fake, bot, 1)
        assert digests(fake, world) == []
        clock.advance(60)
        posted = await fake.wait_for_message(world.general.id)

    embed = posted.embeds[0]
    assert embed["title"] == "📬 Weekly digest: 10 to 16 March 2025"
    assert embed["description"].startswith("2 members answered 4 problems.")
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["🏆 Top 10"].splitlines() == [
        "🥇 **Alice** · 150 pts · 2/2 correct",
        "🥈 **Bob** · 50 pts · 1/2 correct",
    ]
    assert fields["🏅 Badges earned"] == f"🪜 **Step Counter**: <@{world.member.id}>"
    missed = fields["🎯 Most missed"]
    assert missed.startswith(
        f"**The rate each epoch actually trains at** (`{STEP}`): 0% right of 2"
    )
    assert "most picked wrong: **B** 2 times" in missed
    assert "Practise its scheduler: `!practice StepLR` · read its card: `!learn StepLR`" in missed
    assert embed["footer"]["text"] == footer_text(WEEK_START)

    clock.advance(3600)
    async with anneal(fake, database, clock) as bot:
        await passes_done(fake, bot, 1)
        reply = await say(fake, world, "!admin digest")
        assert f"The last one: <https://discord.com/channels/{world.guild.id}/" in reply.content
    assert digests(fake, world) == [posted]


async def test_a_week_a_dead_process_claimed_is_finished_without_a_second_post(
    fake_discord: FakeDiscord, world: World, database: Path, clock: FakeClock
) -> None:
    """Another process claimed the week at 00:00, posted it and died before recording it:
    eleven minutes later the bot finds that post in the channel and keeps it."""
    fake = fake_discord
    async with await Database.open(database) as db:
        await db.set_digest(
            world.guild.id, world.general.id, set_by=world.admin.id, at=SUNDAY_NIGHT
        )
        await db.claim_digest(world.guild.id, WEEK_START, world.general.id, at=MONDAY)
    earlier = fake.state.add_message(
        StoredMessage(
            id=fake.state.snowflake(),
            channel_id=world.general.id,
            guild_id=world.guild.id,
            author_id=fake.bot_user.id,
            embeds=[
                {
                    "title": "📬 Weekly digest: 10 to 16 March 2025",
                    "footer": {"text": footer_text(WEEK_START)},
                }
            ],
        )
    )
    clock.advance(60 + 11 * 60)

    async with anneal(fake, database, clock) as bot:
        await passes_done(fake, bot, 1)
        post = await bot.services.db.digest_post(world.guild.id, WEEK_START)

    assert post is not None
    assert post.message_id == earlier.id
    assert digests(fake, world) == [earlier]


async def test_a_claim_still_fresh_is_left_to_its_process_then_taken_over(
    fake_discord: FakeDiscord, world: World, database: Path, clock: FakeClock
) -> None:
    """A claim a minute old is someone's post on its way; once stale, the bot posts it."""
    fake = fake_discord
    async with await Database.open(database) as db:
        await db.set_digest(
            world.guild.id, world.general.id, set_by=world.admin.id, at=SUNDAY_NIGHT
        )
        await db.claim_digest(world.guild.id, WEEK_START, world.general.id, at=MONDAY)
    clock.advance(120)
    async with anneal(fake, database, clock) as bot:
        await passes_done(fake, bot, 1)
        assert digests(fake, world) == []
        clock.advance(10 * 60)
        posted = await fake.wait_for_message(world.general.id)
    assert digests(fake, world) == [posted]


async def test_digest_commands_by_prefix_and_slash(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """Shown, refused where the bot cannot post, set by slash, stopped; members refused."""
    fake = fake_discord
    assert (await say(fake, world, "!admin digest")).content.startswith("No weekly digest is set.")
    await fake.set_channel_overwrite(world.challenges.id, world.bot_role, deny=P.EMBED_LINKS)
    refused = await say(fake, world, f"!admin digest <#{world.challenges.id}>")
    assert refused.content == (
        f"I can't post the digest in <#{world.challenges.id}>: I need Embed Links there."
    )
    used = await fake.user_uses_slash_command(
        world.guild.id,
        world.general.id,
        world.admin,
        "admin digest set",
        {"channel": world.general},
    )
    answer = await fake.wait_for_interaction_message(used.id)
    assert answer.content.startswith(f"📬 The weekly digest goes to <#{world.general.id}>")
    shown = await say(fake, world, "!admin digest")
    assert shown.content.startswith(f"📬 The weekly digest goes to <#{world.general.id}>")
    assert (await say(fake, world, "!admin digest off")).content == (
        f"📭 No more weekly digests in <#{world.general.id}>."
    )
    assert "none to stop" in (await say(fake, world, "!admin digest off")).content
    await fake.user_sends_message(world.challenges.id, world.member, "!admin digest off")
    member_reply = await fake.wait_for_message(world.challenges.id)
    assert member_reply.content == "Only members with **Manage Server** can do that."
