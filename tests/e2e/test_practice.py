"""End to end: practice in DMs against the fake Discord, answered by reactions.

The real bot (the same factory as `anneal bot`) plays a small content directory: three
StepLR problems on three levels and one CosineAnnealingLR problem. Members type
`!practice` in the server, get "check your DMs", and answer in their DM channel.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.features.challenge.render import HINT_EMOJI, LETTER_EMOJI
from bot.features.common.bot import AnnealBot
from bot.storage import LOCAL_GUILD_ID, Database, SessionMode
from tests.content.test_loader import write_pack
from tests.e2e.anneal import running_anneal
from tests.e2e.fake_discord import (
    FakeDiscord,
    FakeMessage,
    FakeUser,
    World,
    has_embed,
    title_starts,
)
from tests.engine.conftest import FakeClock, make_problem

A, B, C, D = (LETTER_EMOJI[letter] for letter in "ABCD")
EMOJIS = [A, B, C, D, HINT_EMOJI]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """`steps`: StepLR problems s1 (beginner, B), s2 (intermediate, C), s3 (advanced, A),
    and a CosineAnnealingLR one, c1 (beginner, D)."""
    directory = tmp_path / "content"
    directory.mkdir()
    cosine = {"schedulers": ["CosineAnnealingLR"], "subject": ["CosineAnnealingLR"]}
    write_pack(
        directory,
        "steps",
        make_problem("s1", answer="B", hint="Count the steps."),
        make_problem("s2", answer="C", level="intermediate"),
        make_problem("s3", answer="A", level="advanced", kind="debug"),
        make_problem("c1", answer="D", **cosine),
    )
    return directory


@pytest.fixture
def clock() -> FakeClock:
    """The bot's clock; nothing in practice waits on it."""
    return FakeClock()


def anneal(
    fake: FakeDiscord, database: Path, content: Path, clock: FakeClock
) -> contextlib.AbstractAsyncContextManager[AnnealBot]:
    """The bot on `database`, started (again) on the same content and clock."""
    return running_anneal(fake, database, content_dir=content, clock=clock, sleep=clock.sleep)


@pytest.fixture
async def bot(
    fake_discord: FakeDiscord, tmp_path: Path, content: Path, clock: FakeClock
) -> AsyncIterator[AnnealBot]:
    """Anneal on a fresh database."""
    async with anneal(fake_discord, tmp_path / "anneal.db", content, clock) as running:
        yield running


async def dm_problem(fake: FakeDiscord, user: FakeUser, number: int) -> FakeMessage:
    """The DM posting problem `number`, once its reactions are on."""
    posted = await fake.wait_for_dm(user, title_starts(f"Problem {number}/"))
    await fake.wait_for_reactions(posted.id, EMOJIS)
    return posted


async def practised(database: Path, user: FakeUser) -> tuple[int, int]:
    """(answered, right) of the member's practice, once no run is left open."""
    async with await Database.open(database) as db:
        assert await db.open_sessions([SessionMode.PRACTICE]) == []
        (totals,) = await db.mode_totals(LOCAL_GUILD_ID, user.id)
    assert totals.mode is SessionMode.PRACTICE
    return totals.answered, totals.correct


async def react(fake: FakeDiscord, user: FakeUser, message: FakeMessage, emoji: str) -> None:
    """`user` reacts in their DM channel."""
    await fake.user_adds_reaction(fake.dm_channel(user).id, message.id, user, emoji)


async def test_practice_steplr_in_a_server_plays_three_problems_in_dms(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`!practice StepLR 3`: "check your DMs", three problems easiest first, a verdict
    with the explanation after each reaction, then the summary."""
    fake, bob = fake_discord, world.member
    await fake.user_sends_message(world.general.id, bob, "!practice steplr 3")
    reply = await fake.wait_for_message(world.general.id, lambda m: "Check your DMs" in m.content)
    assert "Practice: StepLR" in reply.content
    assert "3 problems" in reply.content
    intro = await fake.wait_for_dm(bob)
    assert "one at a time, no timer" in intro.content

    first = await dm_problem(fake, bob, 1)
    assert first.embeds[0]["title"] == "Problem 1/3 · Problem s1"
    await react(fake, bob, first, B)
    right = await fake.wait_for_dm(bob, lambda m: bool(m.embeds))
    assert right.embeds[0]["title"] == "✅ Right: B) two"
    assert right.message_reference is not None
    assert right.message_reference["message_id"] == str(first.id)
    names = [f["name"] for f in right.embeds[0]["fields"]]
    assert names == ["Why not A", "Why not C", "Why not D"]

    second = await dm_problem(fake, bob, 2)
    assert second.embeds[0]["title"].endswith("Problem s2")
    await react(fake, bob, second, A)
    wrong = await fake.wait_for_dm(bob, lambda m: bool(m.embeds))
    assert wrong.embeds[0]["title"] == "❌ Not A: the answer is C) three"
    assert "Why not A" in [f["name"] for f in wrong.embeds[0]["fields"]]

    third = await dm_problem(fake, bob, 3)
    await react(fake, bob, third, HINT_EMOJI)
    hint = await fake.wait_for_dm(bob)
    assert hint.content == f"{HINT_EMOJI} Hint: It is not one."
    await react(fake, bob, third, A)
    await fake.wait_for_dm(bob, title_starts("✅ Right: A)"))
    summary = await fake.wait_for_dm(bob, title_starts("🏁"))
    embed = summary.embeds[0]
    assert embed["title"] == "🏁 Practice: StepLR: 2/3 right"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["By scheduler"] == "StepLR 2/3"
    assert "`s2`" in fields["To review"]
    assert "`!practice StepLR`" in fields["Next"]

    assert await practised(bot.services.db.path, bob) == (3, 2)


async def test_closed_dms_get_the_way_to_open_them_and_start_nothing(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """carol's DMs are closed: the reply says where to open them; no run is left open."""
    await fake_discord.user_sends_message(world.general.id, world.closed_dms, "!practice StepLR")
    reply = await fake_discord.wait_for_message(world.general.id)
    assert "Privacy Settings" in reply.content
    assert "Direct Messages" in reply.content
    assert "`!practice` again" in reply.content
    assert await bot.services.db.open_sessions([SessionMode.PRACTICE]) == []


async def test_a_typo_gets_a_did_you_mean_in_the_channel(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`!practice steplt 2`: did you mean StepLR, and nothing is sent to the DMs."""
    await fake_discord.user_sends_message(world.general.id, world.member, "!practice steplt 2")
    reply = await fake_discord.wait_for_message(world.general.id)
    assert "I don't know the topic `steplt`. Did you mean `StepLR`" in reply.content
    assert fake_discord.messages_in(fake_discord.dm_channel(world.member).id) == []


async def test_slash_practice_answers_only_the_member_and_suggests_topics(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`/practice`: topics are suggested as typed; the "check your DMs" is ephemeral."""
    fake, bob = fake_discord, world.member
    typed = await fake.user_autocompletes(
        world.guild.id, world.general.id, bob, "practice", {"topic": "cos"}, "topic"
    )
    suggested = await fake.interaction_response(typed.id)
    assert [c["value"] for c in suggested.choices] == ["CosineAnnealingLR"]
    used = await fake.user_uses_slash_command(
        world.guild.id, world.general.id, bob, "practice", {"topic": "CosineAnnealingLR"}
    )
    answered = await fake.interaction_response(used.id)
    assert answered.response_type == 5  # deferred while the run starts
    reply = await fake.wait_for_interaction_message(used.id)
    assert reply.content == "📬 Check your DMs: **Practice: CosineAnnealingLR**, 1 problem."
    assert reply.is_ephemeral
    posted = await dm_problem(fake, bob, 1)
    assert posted.embeds[0]["title"] == "Problem 1/1 · Problem c1"


async def test_practice_typed_in_dms_plays_there_and_stops_on_request(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """In DMs there is no "check your DMs"; `!practice` alone posts the open problem
    again, `!practice stop` ends the run with its summary, and `/practice` works there."""
    fake, bob = fake_discord, world.member
    await fake.user_sends_dm(bob, "!practice debug")
    first = await dm_problem(fake, bob, 1)
    assert first.embeds[0]["title"] == "Problem 1/1 · Problem s3"
    await fake.user_sends_dm(bob, "!practice")
    again = await dm_problem(fake, bob, 1)
    assert again.id != first.id
    await fake.user_sends_dm(bob, "!practice stop")
    summary = await fake.wait_for_dm(bob, title_starts("🏁"))
    assert summary.embeds[0]["title"] == "🏁 Practice: Debug: 0/0 right (stopped early)"
    used = await fake.user_uses_slash_command(
        None, fake.dm_channel(bob).id, bob, "practice", {"topic": "beginner", "count": "1"}
    )
    ack = await fake.wait_for_interaction_message(used.id)
    assert ack.content == "Here it comes: **Practice: Beginner** ⬇️"
    assert ack.is_ephemeral
    await dm_problem(fake, bob, 1)
    assert fake.messages_in(world.general.id) == []


async def test_a_restart_mid_practice_keeps_the_run_and_reads_back_a_reaction(
    fake_discord: FakeDiscord, world: World, tmp_path: Path, content: Path, clock: FakeClock
) -> None:
    """Down after problem 1: a pick on problem 2 made while the bot was away is judged
    when it is back, and the reaction on problem 3 afterwards works as ever."""
    fake, bob, database = fake_discord, world.member, tmp_path / "restart.db"
    async with anneal(fake, database, content, clock):
        await fake.user_sends_message(world.general.id, bob, "!practice StepLR 3")
        await react(fake, bob, await dm_problem(fake, bob, 1), B)
        second = await dm_problem(fake, bob, 2)
    await react(fake, bob, second, C)  # while the bot is down
    async with anneal(fake, database, content, clock):
        verdict = await fake.wait_for_dm(bob, title_starts("✅ Right: C)"))
        assert verdict.message_reference is not None
        assert verdict.message_reference["message_id"] == str(second.id)
        third = await dm_problem(fake, bob, 3)
        await react(fake, bob, third, B)
        await fake.wait_for_dm(bob, title_starts("❌ Not B"))
        summary = await fake.wait_for_dm(bob, title_starts("🏁"))
        assert summary.embeds[0]["title"] == "🏁 Practice: StepLR: 2/3 right"
    assert await practised(database, bob) == (3, 2)


async def test_practice_shows_on_the_profile_and_never_on_the_leaderboard(
    scored_bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """Bob practises two shipped problems (`step` is StepLR, as for `!learn`):
    `!leaderboard all` is what it was, and `!profile` has his practice on its own line."""
    fake, bob = fake_discord, world.member
    await fake.user_sends_message(world.general.id, bob, "!leaderboard all")
    before = await fake.wait_for_message(world.general.id, has_embed)
    await fake.user_sends_message(world.general.id, bob, "!practice step 2")  # a card's alias
    started = await fake.wait_for_message(world.general.id, lambda m: "Check your DMs" in m.content)
    assert "**Practice: StepLR**, 2 problems" in started.content
    library = scored_bot.services.library
    for number in (1, 2):
        posted = await dm_problem(fake, bob, number)
        title = posted.embeds[0]["title"].split(" · ", 1)[1]
        problem = next(p for _, p in library.problems() if p.title == title)
        await react(fake, bob, posted, LETTER_EMOJI[problem.answer])  # both right
    await fake.wait_for_dm(bob, title_starts("🏁"))
    await fake.user_sends_message(world.general.id, bob, "!leaderboard all")
    after = await fake.wait_for_message(world.general.id, has_embed)
    assert after.embeds[0]["description"] == before.embeds[0]["description"]
    await fake.user_sends_message(world.general.id, bob, "!profile")
    profile = await fake.wait_for_message(world.general.id, has_embed)
    fields = {f["name"]: f["value"] for f in profile.embeds[0]["fields"]}
    assert fields["Practice"] == "2 problems alone · 100% right (2) · not on the leaderboard"
    assert fields["Answered"] == "1 problem"  # his one challenge answer, as seeded
