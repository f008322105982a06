"""End to end: a pace that fits the group, against the fake Discord.

A solo player does not wait out the first problem; a problem ends a few seconds after
everyone playing is done; `!challenge next` reveals at once; the footer counts who is
still trying; `!challenge start [pack] [count]` plays `count` problems. The challenges'
time is a FakeClock that the tests move.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.features.challenge.render import LETTER_EMOJI
from bot.features.common.bot import AnnealBot
from tests.content.test_loader import write_pack
from tests.e2e.anneal import running_anneal
from tests.e2e.fake_discord import FakeDiscord, FakeMessage, World, title_starts
from tests.engine.conftest import FakeClock, make_problem

A, B = LETTER_EMOJI["A"], LETTER_EMOJI["B"]
LIMIT = 60.0  # every problem's time limit
JOIN, GRACE = 15.0, 1.0  # the pace of these tests' bot


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """The pack `six`: six 60-second problems (answer B), two per level."""
    directory = tmp_path / "content"
    directory.mkdir()
    levels = ("beginner", "intermediate", "advanced")
    problems = [
        make_problem(f"{level}-{n}", time_limit=int(LIMIT), level=level)
        for level in levels
        for n in (1, 2)
    ]
    write_pack(directory, "six", *problems)
    return directory


@pytest.fixture
def clock() -> FakeClock:
    """The challenges' clock: the test moves it."""
    return FakeClock()


@pytest.fixture
async def bot(
    fake_discord: FakeDiscord, tmp_path: Path, content: Path, clock: FakeClock
) -> AsyncIterator[AnnealBot]:
    """Anneal playing `six`, with a 15 s join window and a 1 s grace."""
    async with running_anneal(
        fake_discord,
        tmp_path / "anneal.db",
        content_dir=content,
        clock=clock,
        sleep=clock.sleep,
        reveal_grace=GRACE,
        ANNEAL_JOIN_WINDOW=JOIN,
    ) as running:
        yield running


async def start(fake: FakeDiscord, world: World, command: str = "!challenge start six") -> str:
    """alice sends `command`; the bot's announcement."""
    await fake.user_sends_message(world.general.id, world.admin, command)
    reply = await fake.wait_for_message(world.general.id, lambda m: "starts now" in m.content)
    return reply.content


async def problem(fake: FakeDiscord, world: World, number: int) -> FakeMessage:
    """The post of problem `number` (any total)."""
    return await fake.wait_for_message(world.general.id, title_starts(f"Problem {number}/"))


def level_of(posted: FakeMessage) -> str:
    """The Level field of a problem's embed."""
    return str(next(f["value"] for f in posted.embeds[0]["fields"] if f["name"] == "Level"))


async def test_a_solo_player_waits_only_the_join_window(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World, clock: FakeClock
) -> None:
    """One player, one right answer: the reveal comes after 15 s, not the 60 s deadline."""
    fake = fake_discord
    await start(fake, world)
    first = await problem(fake, world, 1)
    await fake.user_adds_reaction(world.general.id, first.id, world.member, B)
    await fake.wait_for_dm(world.member)
    clock.advance(JOIN)
    reveal = await fake.wait_for_message(world.general.id, title_starts("Answer: B)"))
    assert f"<@{world.member.id}>" in str(reveal.embeds[0]["fields"])
    await problem(fake, world, 2)


async def test_a_problem_ends_soon_after_everyone_playing_is_done(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World, clock: FakeClock
) -> None:
    """Problem 2 waits for both players of problem 1, then ends a grace after the last."""
    fake = fake_discord
    await start(fake, world)
    first = await problem(fake, world, 1)
    for user in (world.admin, world.member):
        await fake.user_adds_reaction(world.general.id, first.id, user, B)
        await fake.wait_for_dm(user)
    clock.advance(JOIN)
    second = await problem(fake, world, 2)
    assert "0 people have answered, 2 still trying" in second.embeds[0]["footer"]["text"]
    await fake.user_adds_reaction(world.general.id, second.id, world.admin, B)
    await fake.wait_for_dm(world.admin)
    edited = await fake.wait_for_edit(second.id)
    assert "1 person has answered, 1 still trying" in edited.embeds[0]["footer"]["text"]
    clock.advance(GRACE)  # bob has not answered: the grace alone changes nothing
    await fake.user_adds_reaction(world.general.id, second.id, world.member, B)
    await fake.wait_for_dm(world.member)
    assert not [m for m in fake.messages_in(world.general.id) if "Answer:" in str(m.embeds)][1:]
    clock.advance(GRACE)
    await fake.wait_for_message(world.general.id, title_starts("Answer: B)"))
    await problem(fake, world, 3)


async def test_challenge_next_reveals_now_for_the_starter_only(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """bob may not skip alice's problem; alice's `!challenge next` reveals it at once."""
    fake = fake_discord
    await start(fake, world)
    await problem(fake, world, 1)
    await fake.user_sends_message(world.general.id, world.member, "!challenge next")
    refused = await fake.wait_for_message(world.general.id, lambda m: "Only the" in m.content)
    assert "started this challenge, or a moderator" in refused.content
    await fake.user_sends_message(world.general.id, world.admin, "!challenge next")
    await fake.wait_for_message(world.general.id, title_starts("Answer: B)"))
    await problem(fake, world, 2)


async def test_slash_challenge_next_is_answered_privately(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """/challenge next reveals the problem and answers the interaction (only alice sees it)."""
    fake = fake_discord
    await start(fake, world)
    await problem(fake, world, 1)
    used = await fake.user_uses_slash_command(
        world.guild.id, world.general.id, world.admin, "challenge next"
    )
    await fake.wait_for_message(world.general.id, title_starts("Answer: B)"))
    note = await fake.wait_for_interaction_message(used.id)
    assert "Revealed" in note.content


async def test_start_plays_the_count_asked_for(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`!challenge start six 2` plays two problems and says the badge needs all six."""
    fake = fake_discord
    announced = await start(fake, world, "!challenge start six 2")
    assert "2 of its 6 problems, easiest first" in announced
    assert "`!challenge start six all`" in announced
    first = await problem(fake, world, 1)
    assert first.embeds[0]["title"].startswith("Problem 1/2")
    await fake.user_sends_message(world.general.id, world.admin, "!challenge next")
    second = await problem(fake, world, 2)
    levels = [level_of(first), level_of(second)]
    assert levels == sorted(levels, key=["Beginner", "Intermediate", "Advanced"].index)


async def test_default_is_five_and_all_plays_the_whole_pack(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """No count: five problems. `all`: six, with the badge in reach."""
    fake = fake_discord
    await start(fake, world)
    assert (await problem(fake, world, 1)).embeds[0]["title"].startswith("Problem 1/5")
    await fake.user_sends_message(world.general.id, world.admin, "!challenge stop")
    await fake.wait_for_message(world.general.id, lambda m: "stopped" in m.content)
    announced = await start(fake, world, "!challenge start six all")
    assert "all 6 problems" in announced
    assert "Get every problem right for" in announced


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("!challenge start six zero", "not a number of problems"),
        ("!challenge start six 0", "at least 1"),
    ],
)
async def test_a_bad_count_gets_a_friendly_reply(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World, command: str, says: str
) -> None:
    """A count that is no number of problems is explained; no challenge starts."""
    fake = fake_discord
    await fake.user_sends_message(world.general.id, world.admin, command)
    reply = await fake.wait_for_message(world.general.id, lambda m: says in m.content)
    assert "`all`" in reply.content or "at least" in reply.content
    assert bot.get_cog("ChallengeCog").manager.in_channel(world.general.id) is None  # type: ignore[union-attr]


async def test_a_count_alone_plays_the_default_pack(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`!challenge start 3` reads 3 as the count, not as a pack called "3"."""
    fake = fake_discord
    await start(fake, world, "!challenge start 3")
    assert (await problem(fake, world, 1)).embeds[0]["title"].startswith("Problem 1/3")


async def test_slash_count_autocomplete_offers_all_with_the_pack_size(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """Typing the count of /challenge start suggests a few numbers and `all` (6)."""
    fake = fake_discord
    typed = await fake.user_autocompletes(
        world.guild.id,
        world.general.id,
        world.member,
        "challenge start",
        {"pack": "six", "count": ""},
        "count",
    )
    answered = await fake.interaction_response(typed.id)
    assert answered.response_type == 8
    names = [c["name"] for c in answered.choices]
    assert names == ["3 problems", "5 problems (default)", "all 6 problems"]
