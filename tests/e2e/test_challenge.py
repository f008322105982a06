"""End to end: challenges played by reactions against the fake Discord.

The real bot (built by the same factory as `anneal bot`) plays a two-problem pack with
3-second problems; members answer by reactions and get feedback by DM. The challenges'
time is a FakeClock: a deadline passes when a test advances it, never by waiting.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.features.challenge.render import HINT_EMOJI, LETTER_EMOJI
from bot.features.common.bot import AnnealBot
from bot.storage import Database, SessionStatus
from tests.content.test_loader import write_pack
from tests.e2e.anneal import running_anneal
from tests.e2e.fake_discord import FakeDiscord, FakeMessage, MessagePredicate, World, title_starts
from tests.engine.conftest import FakeClock, make_problem

A, B, C = LETTER_EMOJI["A"], LETTER_EMOJI["B"], LETTER_EMOJI["C"]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A pack of two 10-second problems (answers B then C; levels keep that order)."""
    directory = tmp_path / "content"
    directory.mkdir()
    write_pack(
        directory,
        "tiny",
        make_problem("first", answer="B", time_limit=10, hint="Count to two."),
        make_problem("second", answer="C", time_limit=10, level="intermediate"),
    )
    return directory


async def scale_timers(database: Path, guild_id: int, scale: float) -> None:
    """Store the guild's timer scale before the bot starts."""
    async with await Database.open(database) as db:
        await db.upsert_guild(guild_id, "Study group")
        await db.update_guild_settings(guild_id, timer_scale=scale)


PROBLEM_SECONDS = 3.0  # 10 s time limits at a timer scale of 0.3


@pytest.fixture
def clock() -> FakeClock:
    """The challenges' clock: the test moves it."""
    return FakeClock()


@pytest.fixture
async def bot(
    fake_discord: FakeDiscord, world: World, tmp_path: Path, content: Path, clock: FakeClock
) -> AsyncIterator[AnnealBot]:
    """Anneal with 3-second problems and a short grace before an early reveal.

    Members here answer again as soon as they read their feedback, milliseconds later, so
    the double-tap guard (tested in test_challenge_burst.py) is off.
    """
    database = tmp_path / "anneal.db"
    await scale_timers(database, world.guild.id, PROBLEM_SECONDS / 10)
    async with running_anneal(
        fake_discord,
        database,
        content_dir=content,
        reveal_grace=0.2,
        clock=clock,
        sleep=clock.sleep,
        double_tap=0.0,
    ) as running:
        yield running


def is_problem(number: int) -> MessagePredicate:
    """The bot's post of problem ``number``."""
    return title_starts(f"Problem {number}/")


async def start(fake: FakeDiscord, world: World) -> FakeMessage:
    """alice starts the tiny pack; the first problem once all its reactions are on."""
    await fake.user_sends_message(world.general.id, world.admin, "!challenge start tiny")
    problem = await fake.wait_for_message(world.general.id, is_problem(1))
    await fake.wait_for_reactions(problem.id, [A, B, C, LETTER_EMOJI["D"], HINT_EMOJI])
    return problem


async def test_challenge_start_posts_the_problem_with_reactions(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """The first problem shows kind, level, attempts, a live countdown, and A-D + 💡."""
    problem = await start(fake_discord, world)
    embed = problem.embeds[0]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Attempts"] == "2 attempts each"
    assert fields["Time"].startswith("⏱ closes <t:")
    assert fields["Time"].endswith(":R>")
    assert "🇦 one" in embed["description"]
    assert "0 people have answered" in embed["footer"]["text"]


async def test_answers_right_wrong_and_too_often(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """Each reaction is an attempt, removed at once, with private feedback by DM."""
    fake = fake_discord
    problem = await start(fake, world)
    # alice takes the hint first: a participant not yet done keeps the problem open.
    await fake.user_adds_reaction(world.general.id, problem.id, world.admin, HINT_EMOJI)
    await fake.wait_for_dm(world.admin)
    await fake.user_adds_reaction(world.general.id, problem.id, world.member, A)
    await fake.wait_for_reaction_removed(problem.id, A, world.member)
    wrong = await fake.wait_for_dm(world.member)
    assert "A is not it. 1 attempt left" in wrong.content
    await fake.user_adds_reaction(world.general.id, problem.id, world.member, C)
    last = await fake.wait_for_dm(world.member)
    assert "that was your last attempt" in last.content
    await fake.user_adds_reaction(world.general.id, problem.id, world.member, B)
    refused = await fake.wait_for_dm(world.member)
    assert "used all 2 attempts" in refused.content
    await fake.user_adds_reaction(world.general.id, problem.id, world.admin, B)
    right = await fake.wait_for_dm(world.admin)
    assert right.content.startswith("✅ B is right! +70 points")  # after the hint


async def test_reveal_then_next_problem_then_summary_with_badge(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World, clock: FakeClock
) -> None:
    """The reveal, the next problem (ended early: everyone is done), and the badge."""
    fake = fake_discord
    problem = await start(fake, world)
    await fake.user_adds_reaction(world.general.id, problem.id, world.admin, B)
    await fake.wait_for_dm(world.admin)
    # Problem 1 stays open its (short) join window, here its whole 3 s.
    clock.advance(PROBLEM_SECONDS)
    reveal = await fake.wait_for_message(world.general.id, title_starts("Answer: B)"))
    fields = {f["name"]: f["value"] for f in reveal.embeds[0]["fields"]}
    assert fields["Solved by"] == f"First try: <@{world.admin.id}>"
    assert {"Why not A", "Why not C", "Why not D"} <= set(fields)
    second = await fake.wait_for_message(world.general.id, is_problem(2))
    await fake.wait_for_reactions(second.id, [C])  # members click the bot's reactions
    await fake.user_adds_reaction(world.general.id, second.id, world.admin, C)
    await fake.wait_for_dm(world.admin)
    clock.advance(0.2)  # alice, the only player, is done: only the grace is left
    summary = await fake.wait_for_message(world.general.id, title_starts("Tiny: complete"))
    scoreboard = summary.embeds[0]["description"].splitlines()
    assert len(scoreboard) == 1  # the bot's own reactions never count as answers
    assert f"<@{world.admin.id}> · **200** pts" in scoreboard[0]
    badge_field = summary.embeds[0]["fields"][0]
    assert "New badge: tiny master" in badge_field["name"]
    async with await Database.open(bot.services.db.path) as db:
        assert [b.badge for b in await db.badges_for(world.guild.id, world.admin.id)] == [
            "tiny master"
        ]


async def test_answer_after_the_deadline_is_refused(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World, clock: FakeClock
) -> None:
    """A reaction on a problem that was already revealed gets a 'closed' reply."""
    fake = fake_discord
    problem = await start(fake, world)
    clock.advance(PROBLEM_SECONDS)
    await fake.wait_for_message(world.general.id, title_starts("Answer: B)"))
    await fake.user_adds_reaction(world.general.id, problem.id, world.member, B)
    closed = await fake.wait_for_dm(world.member)
    assert "That problem is closed" in closed.content


async def test_hint_by_reaction_is_sent_privately_and_costs_points(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """💡 DMs the hint; the right answer after it is worth less than 100."""
    fake = fake_discord
    problem = await start(fake, world)
    await fake.user_adds_reaction(world.general.id, problem.id, world.member, HINT_EMOJI)
    hint = await fake.wait_for_dm(world.member)
    assert "Count to two." in hint.content
    await fake.user_adds_reaction(world.general.id, problem.id, world.member, B)
    right = await fake.wait_for_dm(world.member)
    assert "+70 points" in right.content


async def test_closed_dms_get_a_self_deleting_note_without_the_option(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """A member with closed DMs gets a short channel note that never names the pick."""
    fake = fake_discord
    bot.notifier.note_seconds = 0.5  # the note's lifetime (10 s) is not what is tested here
    problem = await start(fake, world)
    await fake.user_adds_reaction(world.general.id, problem.id, world.closed_dms, A)
    note = await fake.wait_for_message(
        world.general.id, lambda m: m.content.startswith(f"<@{world.closed_dms.id}>")
    )
    assert "not right" in note.content
    assert "A" not in note.content.split(">", 1)[1]
    await fake.wait_for_deleted(note.id)


async def test_second_challenge_in_the_channel_links_the_running_one(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """Starting twice in one channel says one is running, with a link to it."""
    fake = fake_discord
    problem = await start(fake, world)
    await fake.user_sends_message(world.general.id, world.member, "!challenge start")
    reply = await fake.wait_for_message(
        world.general.id, lambda m: "already running here" in m.content
    )
    assert f"/{world.general.id}/{problem.id}" in reply.content


async def test_slash_challenge_start(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """/challenge start through INTERACTION_CREATE starts the same challenge."""
    fake = fake_discord
    interaction = await fake.user_uses_slash_command(
        world.guild.id, world.challenges.id, world.member, "challenge start", {"pack": "tiny"}
    )
    response = await fake.interaction_response(interaction.id)
    assert response.response_type == 5  # deferred: starting may take more than 3 s
    await fake.wait_for_message(world.challenges.id, is_problem(1))


async def test_restart_mid_challenge_keeps_every_attempt(
    fake_discord: FakeDiscord, world: World, tmp_path: Path, content: Path, clock: FakeClock
) -> None:
    """The bot goes down mid-problem; after the restart old reactions still count."""
    fake = fake_discord
    database = tmp_path / "restart.db"
    await scale_timers(database, world.guild.id, PROBLEM_SECONDS / 10)

    def anneal() -> contextlib.AbstractAsyncContextManager[AnnealBot]:
        return running_anneal(
            fake,
            database,
            content_dir=content,
            reveal_grace=0.2,
            clock=clock,
            sleep=clock.sleep,
            double_tap=0.0,
        )

    async with anneal():
        problem = await start(fake, world)
        await fake.user_adds_reaction(world.general.id, problem.id, world.member, A)
        await fake.wait_for_dm(world.member)
    async with anneal():
        back = await fake.wait_for_message(world.general.id, lambda m: "I'm back" in m.content)
        assert "Problem 1/2 is still open" in back.content
        await fake.user_adds_reaction(world.general.id, problem.id, world.member, A)
        again = await fake.wait_for_dm(world.member)
        assert "You already tried A" in again.content
        await fake.user_adds_reaction(world.general.id, problem.id, world.member, B)
        right = await fake.wait_for_dm(world.member)
        assert "+50 points" in right.content
    async with await Database.open(database) as db:
        (session,) = await db.open_sessions()
        attempts = await db.attempts_for_session(session.id)
        assert [(a.option, a.attempt_number) for a in attempts] == [("A", 1), ("B", 2)]
        assert session.status is SessionStatus.OPEN


async def test_without_manage_messages_answers_count_and_it_says_so_once(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """Lacking Manage Messages, the bot still counts answers and asks for it once."""
    fake = fake_discord
    fake.inject_error("DELETE", r".*/reactions/.*", status=403, code=50013, times=2)
    problem = await start(fake, world)
    await fake.user_adds_reaction(world.general.id, problem.id, world.member, A)
    warning = await fake.wait_for_message(
        world.general.id, lambda m: "Manage Messages" in m.content
    )
    assert "still count" in warning.content
    assert "not it" in (await fake.wait_for_dm(world.member)).content
    await fake.user_adds_reaction(world.general.id, problem.id, world.admin, B)
    await fake.wait_for_dm(world.admin)
    assert (
        len([m for m in fake.messages_in(world.general.id) if "Manage Messages" in m.content]) == 1
    )


async def test_footer_counts_answers_without_naming_them(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """After an answer the problem's footer shows how many have answered."""
    fake = fake_discord
    problem = await start(fake, world)
    await fake.user_adds_reaction(world.general.id, problem.id, world.admin, HINT_EMOJI)
    await fake.user_adds_reaction(world.general.id, problem.id, world.member, A)
    edited = await fake.wait_for_edit(
        problem.id, lambda m: "1 person has answered" in m.embeds[0]["footer"]["text"]
    )
    assert edited.embeds[0]["title"] == problem.embeds[0]["title"]
