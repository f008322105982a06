"""End to end: restarts keep the game.

The bot goes down mid-problem and comes back: a problem whose deadline passed meanwhile
is revealed with every answer stored before, and the next one opens with its full time;
reactions added while the bot was away are read back and judged, or answered as late;
only an outage longer than the resume window ends the challenge, with its scoreboard.

The in-process tests restart the bot on one FakeClock; the last test kills the
`anneal bot` process with SIGKILL and waits out a real deadline.
"""

from __future__ import annotations

import asyncio
import re
import signal
import time
from pathlib import Path

import pytest

from bot.challenges.resume import LATE_PICK
from bot.features.challenge.render import HINT_EMOJI, LETTER_EMOJI
from bot.features.common import warmup
from bot.runner import RunnerPool
from bot.storage import Database, SessionStatus
from tests.conftest import AnnealCli
from tests.content.test_loader import write_pack
from tests.e2e.anneal import Restartable, restartable, running_anneal
from tests.e2e.fake_discord import FakeDiscord, FakeMessage, World, title_starts
from tests.e2e.test_anneal_bot_process import until_it_answers
from tests.engine.conftest import FakeClock, make_problem

A, B, C = LETTER_EMOJI["A"], LETTER_EMOJI["B"], LETTER_EMOJI["C"]
LIMIT = 60  # seconds per problem in the in-process tests
WINDOW = 120.0  # their resume window


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """The pack `duo`: problem 1 (answer B), then problem 2 (answer C), a level up."""
    directory = tmp_path / "content"
    directory.mkdir()
    write_pack(
        directory,
        "duo",
        make_problem("one", answer="B", time_limit=LIMIT),
        make_problem("two", answer="C", time_limit=LIMIT, level="intermediate"),
    )
    return directory


@pytest.fixture
def clock() -> FakeClock:
    """The challenges' clock, shared by the bot before and after its restart."""
    return FakeClock()


@pytest.fixture
def anneal(
    fake_discord: FakeDiscord, tmp_path: Path, content: Path, clock: FakeClock
) -> Restartable:
    """Starts the bot (again) on the same database and clock; a 2-minute resume window."""
    return restartable(
        fake_discord,
        tmp_path / "anneal.db",
        clock,
        content_dir=content,
        ANNEAL_RESUME_WINDOW=WINDOW,
    )


async def first_problem(fake: FakeDiscord, world: World) -> FakeMessage:
    """alice starts `duo`; problem 1 once its reactions are on."""
    await fake.user_sends_message(world.general.id, world.admin, "!challenge start duo")
    posted = await fake.wait_for_message(world.general.id, title_starts("Problem 1/2"))
    await fake.wait_for_reactions(posted.id, [A, B, C, LETTER_EMOJI["D"], HINT_EMOJI])
    return posted


def closes_at(posted: FakeMessage) -> int:
    """The unix time in a problem's countdown field (`<t:UNIX:R>`)."""
    time_field = next(f["value"] for f in posted.embeds[0]["fields"] if f["name"] == "Time")
    found = re.search(r"<t:(\d+):R>", time_field)
    assert found is not None, time_field
    return int(found[1])


async def test_a_restart_that_outlasts_the_problem_reveals_it_and_goes_on(
    anneal: Restartable, fake_discord: FakeDiscord, world: World, clock: FakeClock
) -> None:
    """Down past problem 1's deadline: its reveal has the answers given before the crash,
    problem 2 opens with its full time, and a pick made while away is answered as late."""
    fake = fake_discord
    async with anneal():
        first = await first_problem(fake, world)
        await fake.user_adds_reaction(world.general.id, first.id, world.member, B)
        await fake.wait_for_dm(world.member)
    clock.advance(LIMIT + 30)  # the outage outlasts the problem
    await fake.user_adds_reaction(world.general.id, first.id, world.admin, B)
    async with anneal():
        back = await fake.wait_for_message(
            world.general.id, lambda m: "ran out of time" in m.content
        )
        assert "Problem 1/2" in back.content
        reveal = await fake.wait_for_message(world.general.id, title_starts("Answer: B)"))
        solved = {f["name"]: f["value"] for f in reveal.embeds[0]["fields"]}["Solved by"]
        assert solved == f"First try: <@{world.member.id}>"
        second = await fake.wait_for_message(world.general.id, title_starts("Problem 2/2"))
        assert closes_at(second) == int(clock.now + LIMIT)  # its full time, from now
        late = await fake.wait_for_dm(world.admin)
        assert late.content == LATE_PICK
        await fake.user_adds_reaction(world.general.id, second.id, world.member, C)
        assert "✅ C is right" in (await fake.wait_for_dm(world.member)).content


async def test_picks_made_while_away_count_on_a_problem_still_open(
    anneal: Restartable, fake_discord: FakeDiscord, world: World, clock: FakeClock
) -> None:
    """A pick added while the bot was down is judged at the resume and hidden; several
    picks from one member are not guessed at: they are removed and the member asked again."""
    fake = fake_discord
    async with anneal():
        first = await first_problem(fake, world)
    clock.advance(10)
    resumed_at = clock.now
    await fake.user_adds_reaction(world.general.id, first.id, world.member, B)
    await fake.user_adds_reaction(world.general.id, first.id, world.admin, A)
    await fake.user_adds_reaction(world.general.id, first.id, world.admin, C)
    async with anneal() as bot:
        await fake.wait_for_message(world.general.id, lambda m: "I'm back" in m.content)
        right = await fake.wait_for_dm(world.member)
        assert right.content.startswith("✅ B is right!")
        await fake.wait_for_reaction_removed(first.id, B, world.member)
        asked = await fake.wait_for_dm(world.admin)
        assert "none of them counted" in asked.content
        await fake.wait_for_reaction_removed(first.id, A, world.admin)
        await fake.wait_for_reaction_removed(first.id, C, world.admin)
        async with await Database.open(bot.services.db.path) as db:
            (session,) = await db.open_sessions()
            attempts = await db.attempts_for_session(session.id)
        assert [(a.user_id, a.option, a.answered_at) for a in attempts] == [
            (world.member.id, "B", resumed_at)
        ]


async def test_an_outage_longer_than_the_window_ends_with_the_scoreboard(
    anneal: Restartable, fake_discord: FakeDiscord, world: World, clock: FakeClock
) -> None:
    """Down more than the resume window after the deadline: the reveal, then the scoreboard."""
    fake = fake_discord
    async with anneal():
        first = await first_problem(fake, world)
        await fake.user_adds_reaction(world.general.id, first.id, world.member, B)
        await fake.wait_for_dm(world.member)
    clock.advance(LIMIT + WINDOW + 1)
    async with anneal() as bot:
        notice = await fake.wait_for_message(world.general.id, lambda m: "offline" in m.content)
        assert "more than 2 minutes" in notice.content
        await fake.wait_for_message(world.general.id, title_starts("Answer: B)"))
        summary = await fake.wait_for_message(
            world.general.id, title_starts("Duo: ended while I was offline")
        )
        assert f"<@{world.member.id}> · **100** pts" in summary.embeds[0]["description"]
        assert not [m for m in fake.messages_in(world.general.id) if "Problem 2/2" in str(m.embeds)]
        async with await Database.open(bot.services.db.path) as db:
            assert await db.open_sessions() == []


async def test_run_while_the_workers_warm_up_says_so(
    fake_discord: FakeDiscord, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Online before the runner is warm: challenges play, and `!run` says it is warming up."""
    monkeypatch.setattr(warmup, "WARM_WAIT", 0.05)
    never_warm = asyncio.Event()

    async def warming() -> bool:
        await never_warm.wait()
        return True

    task = asyncio.create_task(warming())
    async with running_anneal(
        fake_discord, tmp_path / "a.db", runner=RunnerPool(), runner_warmup=task
    ):
        await fake_discord.user_sends_message(
            world.general.id, world.member, "!run StepLR(step_size=2, gamma=0.5)"
        )
        reply = await fake_discord.wait_for_message(
            world.general.id, lambda m: "warming up" in m.content
        )
        assert "try again in a few seconds" in reply.content
        await fake_discord.user_sends_message(world.general.id, world.admin, "!challenge start")
        await fake_discord.wait_for_message(world.general.id, title_starts("Problem 1/"))
    task.cancel()


@pytest.mark.torch  # `anneal bot` warms real torch workers (in the background)
async def test_kill_9_mid_problem_then_a_restart_after_its_deadline(
    fake_discord: FakeDiscord, world: World, anneal_cli: AnnealCli, content: Path
) -> None:
    """`anneal bot` is killed with SIGKILL mid-problem and started again after the
    problem's deadline: the problem is revealed with the answer stored before the kill,
    and problem 2 opens with its full time."""
    short = content.parent / "short"
    short.mkdir()
    write_pack(
        short,
        "duo",
        make_problem("one", answer="B", time_limit=10),
        make_problem("two", answer="C", time_limit=10, level="intermediate"),
    )
    env = {
        "DISCORD_TOKEN": fake_discord.token,
        "ANNEAL_DISCORD_API": fake_discord.api_base,
        "ANNEAL_DISCORD_GATEWAY": fake_discord.gateway_url,
        "ANNEAL_CONTENT_DIR": str(short),
    }
    fake = fake_discord
    bot = await anneal_cli.start("bot", env=env)
    try:
        await until_it_answers(fake, world)
        await fake.user_sends_message(world.general.id, world.admin, "!challenge start duo")
        first = await fake.wait_for_message(world.general.id, title_starts("Problem 1/2"))
        await fake.wait_for_reactions(first.id, [A, B, C], timeout=10)  # the bot tracks it
        await fake.user_adds_reaction(world.general.id, first.id, world.member, B)
        await fake.wait_for_dm(world.member, timeout=10)
    finally:
        bot.kill()  # SIGKILL: no shutdown, no goodbye to Discord
        await bot.wait()
    assert bot.returncode == -signal.SIGKILL
    deadline = closes_at(first) + 1  # the countdown is whole seconds, rounded down
    await asyncio.sleep(max(0.0, deadline - time.time()) + 0.5)  # the process's own clock

    again = await anneal_cli.start("bot", env=env)
    try:
        back = await fake.wait_for_message(
            world.general.id, lambda m: "ran out of time" in m.content, timeout=60
        )
        restarted_at = time.time()
        assert "Problem 1/2" in back.content
        reveal = await fake.wait_for_message(world.general.id, title_starts("Answer: B)"))
        assert f"First try: <@{world.member.id}>" in str(reveal.embeds[0]["fields"])
        second = await fake.wait_for_message(world.general.id, title_starts("Problem 2/2"))
        assert closes_at(second) >= int(restarted_at) + 10 - 1  # full time, not what was left
    finally:
        again.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(again.communicate(), timeout=30)
    assert again.returncode == 0, output.decode()
    async with await Database.open(anneal_cli.database) as db:
        (session,) = await db.open_sessions()
        assert session.status is SessionStatus.OPEN
        assert session.current_index == 1
