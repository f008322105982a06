"""End to end: while a challenge is in play, `!run` and `/run` keep its answers to themselves.

A challenge of two problems runs in #challenges: the shipped `steplr-three-epochs` first,
then an expert StepLR problem. Members try every way round the rule in #general, in a DM
and by slash command; a second server, where nothing is in play, runs the same commands.
After the first reveal that problem runs again, while the second one stays hidden.
The suite's warm worker (real torch, `shared_runner`) computes the runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.content import load_library
from bot.engine.problems import Problem
from bot.features.common.bot import AnnealBot
from bot.runner import RunnerPool, format_number
from bot.settings import SHIPPED_CONTENT_DIR
from bot.storage import Database
from tests.content.test_loader import write_pack
from tests.e2e.anneal import running_anneal
from tests.e2e.fake_discord import (
    BOT_PERMISSIONS,
    FakeChannel,
    FakeDiscord,
    FakeMessage,
    World,
    has_embed,
    serving_default_world,
    title_starts,
)
from tests.engine.conftest import FakeClock, make_problem

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.torch]

OPEN = "steplr-three-epochs"  # StepLR(step_size=2, gamma=0.5) from lr 0.1
LATER = "steplr-slow-halving"  # StepLR(step_size=3, gamma=0.5), played second
ASIDE = "steplr-aside"  # in a pack nobody plays: always runnable
LATER_SCHEDULE = "StepLR(step_size=3, gamma=0.5)"
TIMER_SCALE = 0.25  # 10-second problems close after 2.5 s of the challenges' clock


@pytest.fixture
def runner(shared_runner: RunnerPool) -> RunnerPool:
    """The suite's warm worker."""
    return shared_runner


@pytest_asyncio.fixture(loop_scope="module")
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """The shared ``fake_discord``, served on the module's event loop."""
    async with serving_default_world() as server:
        yield server


def shipped(problem_id: str) -> Problem:
    """A shipped problem."""
    found = load_library(SHIPPED_CONTENT_DIR).find_problem(problem_id)
    assert found is not None
    return found[1]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """The pack `leaky` (OPEN, 10 s, then LATER, expert) and the pack `aside` (ASIDE)."""
    directory = tmp_path / "content"
    directory.mkdir()
    first = shipped(OPEN).model_dump(mode="json", exclude_none=True)
    first["time_limit"] = 10
    later = make_problem(
        LATER,
        level="expert",
        time_limit=60,
        run={"expression": LATER_SCHEDULE, "lr": 0.1, "steps": 6},
    )
    write_pack(directory, "leaky", first, later)
    aside = make_problem(ASIDE, run={"expression": "StepLR(step_size=4, gamma=0.2)"})
    write_pack(directory, "aside", aside)
    return directory


@pytest_asyncio.fixture(loop_scope="module")
async def other_general(fake_discord: FakeDiscord, world: World) -> FakeChannel:
    """Another server with the bot, bob and alice, where no challenge runs: its #general."""
    state = fake_discord.state
    guild = state.add_guild("Other study group")
    role = state.add_role(guild.id, state.bot.username, BOT_PERMISSIONS, managed=True)
    state.add_member(guild.id, state.bot.id, roles=[role.id])
    state.add_member(guild.id, world.member.id)
    state.add_member(guild.id, world.admin.id)
    return state.add_text_channel(guild.id, "general")


@pytest.fixture
def clock() -> FakeClock:
    """The challenges' clock: a problem stays in play, however slow the machine, until a
    test moves the clock past its deadline."""
    return FakeClock()


@pytest_asyncio.fixture(loop_scope="module")
async def bot(
    fake_discord: FakeDiscord,
    world: World,
    other_general: FakeChannel,
    tmp_path: Path,
    content: Path,
    runner: RunnerPool,
    clock: FakeClock,
) -> AsyncIterator[AnnealBot]:
    """Anneal on the two packs in both servers, its timers scaled to TIMER_SCALE."""
    database = tmp_path / "anneal.db"
    async with await Database.open(database) as db:
        await db.upsert_guild(world.guild.id, world.guild.name)
        await db.update_guild_settings(world.guild.id, timer_scale=TIMER_SCALE)
    async with running_anneal(
        fake_discord, database, runner=runner, content_dir=content, clock=clock, sleep=clock.sleep
    ) as on:
        yield on
        # Closing the bot leaves the challenge's timers on the module's loop; stop them here.
        assert on.services.challenges is not None
        await on.services.challenges.close()


async def start_challenge(fake: FakeDiscord, world: World) -> None:
    """alice starts `leaky` in #challenges; returns once its first problem is posted."""
    await fake.user_sends_message(world.challenges.id, world.admin, "!challenge start leaky")
    await fake.wait_for_message(world.challenges.id, title_starts("Problem 1/"))


async def bob_runs(
    fake: FakeDiscord, world: World, channel_id: int, text: str, *, as_alice: bool = False
) -> FakeMessage:
    """bob (or alice: one run every 10 s each) sends `!run <text>`; the bot's answer."""
    author = world.admin if as_alice else world.member
    await fake.user_sends_message(channel_id, author, f"!run {text}")
    return await fake.wait_for_message(channel_id, timeout=30.0)


def assert_refused(reply: FakeMessage, where: str = "in a challenge on this server") -> None:
    """The reply is the leak refusal: a friendly line, no numbers, no chart."""
    assert "still in play" in reply.content, reply.content
    assert where in reply.content
    assert "after the reveal" in reply.content
    assert not reply.embeds
    assert not reply.attachments


def assert_ran(reply: FakeMessage) -> dict[str, Any]:
    """The reply is a run: an embed with the table, and the chart; the embed."""
    assert has_embed(reply), reply.content
    assert reply.attachments[0].data.startswith(b"\x89PNG")
    embed: dict[str, Any] = reply.embeds[0]
    return embed


def fenced(code: str) -> str:
    """Code as a member pastes it in Discord."""
    return f"```py\n{code}\n```"


async def test_the_open_problem_is_refused_by_id_and_as_a_variant(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`!run <open id>` and `!run <open id> gamma=0.3` say it can run after the reveal."""
    await start_challenge(fake_discord, world)
    assert_refused(await bob_runs(fake_discord, world, world.general.id, OPEN))
    assert_refused(await bob_runs(fake_discord, world, world.general.id, f"{OPEN} gamma=0.3"))


async def test_its_snippet_and_its_schedule_by_hand_are_refused(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """The problem's code pasted, its schedule typed at another lr, and the problem still
    to come are refused; a schedule of one's own runs meanwhile."""
    await start_challenge(fake_discord, world)
    code = shipped(OPEN).code
    assert code is not None
    general = world.general.id
    for text in (
        fenced(code.replace("optimizer", "opt")),
        "StepLR(gamma=0.5, step_size=2) lr=1.0 steps=12",
        f"{LATER_SCHEDULE} steps=20",
    ):
        assert_refused(await bob_runs(fake_discord, world, general, text))
    embed = assert_ran(
        await bob_runs(fake_discord, world, general, "StepLR(step_size=2, gamma=0.3)")
    )
    assert embed["title"].startswith("StepLR(step_size=2, gamma=0.3)")


async def test_slash_run_is_refused_privately_and_autocomplete_hides_what_is_in_play(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`/run <open id>` gets an ephemeral refusal; typing `steplr` suggests only ASIDE."""
    await start_challenge(fake_discord, world)
    used = await fake_discord.user_uses_slash_command(
        world.guild.id, world.general.id, world.member, "run", {"text": OPEN}
    )
    answered = await fake_discord.interaction_response(used.id)
    assert answered.response_data is not None
    assert answered.response_data["flags"] & 64  # only bob sees it
    assert "still in play" in answered.response_data["content"]
    typed = await fake_discord.user_autocompletes(
        world.guild.id, world.general.id, world.member, "run", {"text": "steplr"}, "text"
    )
    assert [c["value"] for c in (await fake_discord.interaction_response(typed.id)).choices] == [
        ASIDE
    ]


async def test_a_dm_is_refused_while_the_problem_is_in_play(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """bob cannot get round it by asking the bot in a DM."""
    await start_challenge(fake_discord, world)
    await fake_discord.user_sends_dm(world.member, f"!run {OPEN}")
    assert_refused(await fake_discord.wait_for_dm(world.member), "in a challenge right now")


async def test_another_server_is_not_affected(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World, other_general: FakeChannel
) -> None:
    """In a server with no challenge the same problem runs, by id and by snippet, and
    autocomplete offers every problem."""
    await start_challenge(fake_discord, world)
    code = shipped(OPEN).code
    assert code is not None
    by_id = assert_ran(await bob_runs(fake_discord, world, other_general.id, OPEN))
    assert f"Problem `{OPEN}`" in by_id["description"]
    pasted = await bob_runs(fake_discord, world, other_general.id, fenced(code), as_alice=True)
    assert_ran(pasted)
    assert other_general.guild_id is not None
    typed = await fake_discord.user_autocompletes(
        other_general.guild_id, other_general.id, world.member, "run", {"text": "steplr"}, "text"
    )
    choices = (await fake_discord.interaction_response(typed.id)).choices
    assert {c["value"] for c in choices} == {OPEN, LATER, ASIDE}


async def test_after_the_reveal_it_runs_and_the_next_problem_stays_hidden(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World, clock: FakeClock
) -> None:
    """Once problem 1 is revealed, `!run <its id>` shows torch's numbers; problem 2 waits."""
    await start_challenge(fake_discord, world)
    clock.advance(10 * TIMER_SCALE)  # problem 1's time is up
    await fake_discord.wait_for_message(world.challenges.id, title_starts("Answer:"), timeout=15)
    recipe = shipped(OPEN).run
    assert recipe is not None
    assert isinstance(recipe.lr, float)
    embed = assert_ran(await bob_runs(fake_discord, world, world.general.id, OPEN))
    import torch

    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=recipe.lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    for _ in range(recipe.steps):
        optimizer.step()
        scheduler.step()
    assert format_number(optimizer.param_groups[0]["lr"]) in embed["description"]
    assert_refused(await bob_runs(fake_discord, world, world.general.id, LATER))
