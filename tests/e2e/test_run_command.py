"""End to end: `!run` and `/run` against the fake Discord, computed by a real RunnerPool.

The suite's warm runner (`shared_runner`: starting torch and matplotlib takes seconds)
computes every run and counts the charts asked of it. Expected numbers come from torch,
imported here in the test process, never typed in by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest
import pytest_asyncio

from bot.content import load_library
from bot.features.common.bot import AnnealBot
from bot.features.run.cog import RunCog
from bot.runner import Chart, Requester, RunnerPool, RunSpec, format_number
from bot.settings import SHIPPED_CONTENT_DIR
from tests.e2e.anneal import running_anneal
from tests.e2e.fake_discord import (
    FakeDiscord,
    FakeMessage,
    FakeUser,
    World,
    serving_default_world,
)
from tests.engine.conftest import FakeClock
from tests.shared_runner import ThreadedRunnerPool as CountingPool

if TYPE_CHECKING:  # the test process imports torch only inside the tests that compare with it
    import torch

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.torch]

EMBED_TOTAL = 6000


class GatedRunner:
    """Holds every chart until `gate` is set, then asks the real pool: time to act mid-run."""

    def __init__(self, pool: RunnerPool) -> None:
        self.pool = pool
        self.gate = asyncio.Event()
        self.charts = 0

    async def chart(self, spec: RunSpec, *, requester: Requester | None = None) -> Chart:
        """Count the chart, wait for the gate, then ask the real pool."""
        self.charts += 1
        await self.gate.wait()
        return await self.pool.chart(spec, requester=requester)


@pytest.fixture
def runner(shared_runner: CountingPool) -> CountingPool:
    """The suite's warm worker with matplotlib; it counts the charts asked of it."""
    return shared_runner


@pytest_asyncio.fixture(loop_scope="module")
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """The shared ``fake_discord``, served on the module's event loop."""
    async with serving_default_world() as server:
        yield server


def table_rows(embed: dict[str, Any]) -> dict[int, list[str]]:
    """The step → cells rows of the ```text table in an embed's description."""
    table = embed["description"].split("```text\n", 1)[1].split("```", 1)[0]
    rows: dict[int, list[str]] = {}
    for line in table.splitlines():
        cells = line.split()
        if cells and cells[0].replace(",", "").isdigit():
            rows[int(cells[0].replace(",", ""))] = cells[1:]
    return rows


def torch_rates(
    make: Callable[[torch.optim.Optimizer], torch.optim.lr_scheduler.LRScheduler],
    lr: float,
    steps: int,
) -> list[float]:
    """Rates after each step, stepping torch directly as a learner's script would."""
    import torch

    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler = make(optimizer)
    rates: list[float] = []
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        rates.append(optimizer.param_groups[0]["lr"])
    return rates


def embed_length(embed: dict[str, Any]) -> int:
    """Characters Discord counts toward the 6,000 of an embed."""
    fields = embed.get("fields", [])
    return (
        len(embed.get("title", ""))
        + len(embed.get("description", ""))
        + sum(len(f["name"]) + len(f["value"]) for f in fields)
        + len(embed.get("footer", {}).get("text", ""))
    )


async def run_is_over(server: FakeDiscord, bot: AnnealBot, user: FakeUser) -> None:
    """Wait until the bot lets go of ``user``'s run, which it does just after its reply is sent.

    The fake sees the reply before the bot has read the response to it, so a test that
    answers the reply at once could still find the run going.
    """
    cog = bot.get_cog("RunCog")
    assert isinstance(cog, RunCog)
    await server.wait_for(
        lambda: True if user.id not in cog.limits.running else None, what="the run to be over"
    )


async def bob_runs(server: FakeDiscord, world: World, text: str) -> FakeMessage:
    """Bob sends `!run <text>` in #general; returns the bot's answer."""
    await server.user_sends_message(world.general.id, world.member, f"!run {text}")
    return await server.wait_for_message(world.general.id, timeout=30.0)


async def test_expression_run_shows_table_and_chart(
    fake_discord: FakeDiscord, world: World, runner: CountingPool, tmp_path: Path
) -> None:
    """`!run StepLR(...)` answers with an embed of torch's rates and a PNG chart, pinging no one."""
    async with running_anneal(fake_discord, tmp_path / "a.db", runner=runner):
        reply = await bob_runs(fake_discord, world, "StepLR(step_size=2, gamma=0.5) lr=0.1 steps=3")
    embed = reply.embeds[0]
    assert embed["title"].startswith("StepLR(step_size=2, gamma=0.5)")
    import torch

    expected = torch_rates(
        lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5), lr=0.1, steps=3
    )
    assert format_number(expected[2]) == "0.05"
    assert table_rows(embed)[3] == ["0.05"]
    assert reply.attachments[0].filename == "schedule.png"
    assert reply.attachments[0].data.startswith(b"\x89PNG")
    assert embed["image"]["url"] == reply.attachments[0].url
    # The pool queues runs fairly by server and member, so the cog says whose run it is.
    assert runner.requesters[-1] == Requester(guild_id=world.guild.id, user_id=world.member.id)
    sent = fake_discord.requests_matching("POST", rf"/channels/{world.general.id}/messages")[-1]
    assert sent.json["allowed_mentions"]["parse"] == []
    assert not sent.json["allowed_mentions"].get("replied_user")


async def test_problem_run_with_a_change_shows_the_code_that_ran(
    fake_discord: FakeDiscord, world: World, runner: CountingPool, tmp_path: Path
) -> None:
    """`!run steplr-three-epochs gamma=0.3` runs the recipe with that change and shows its code."""
    found = load_library(SHIPPED_CONTENT_DIR).find_problem("steplr-three-epochs")
    assert found is not None
    recipe = found[1].run
    assert recipe is not None
    assert recipe.expression == "StepLR(step_size=2, gamma=0.5)"  # what the numbers below assume
    assert isinstance(recipe.lr, float)
    async with running_anneal(fake_discord, tmp_path / "a.db", runner=runner):
        reply = await bob_runs(fake_discord, world, "steplr-three-epochs gamma=0.3")
    embed = reply.embeds[0]
    code = embed["description"].split("```py\n", 1)[1].split("```", 1)[0]
    assert "StepLR(optimizer, step_size=2, gamma=0.3)" in code
    import torch

    expected = torch_rates(
        lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.3),
        lr=recipe.lr,
        steps=recipe.steps,
    )
    rows = table_rows(embed)
    assert [rows[step][0] for step in range(1, recipe.steps + 1)] == [
        format_number(rate) for rate in expected
    ]
    # The code shown is the code that ran: running it prints the same rates.
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, {})  # our own rendering of a vetted spec, not user text
    last = printed.getvalue().splitlines()[-1]
    assert last == f"{recipe.steps} {[expected[-1]]}"
    assert "gamma" in embed["footer"]["text"]
    assert reply.attachments[0].data.startswith(b"\x89PNG")


SNIPPET = """```py
import torch
from torch.optim.lr_scheduler import MultiStepLR

optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.2)
scheduler = MultiStepLR(optimizer, milestones=[2, 4], gamma=0.1)
for epoch in range(5):
    optimizer.step()
    scheduler.step()
```"""


async def test_a_pasted_training_loop_in_a_code_block_runs(
    fake_discord: FakeDiscord, world: World, runner: CountingPool, tmp_path: Path
) -> None:
    """A ```py block after `!run` is read as a training loop and answered with torch's rates."""
    async with running_anneal(fake_discord, tmp_path / "a.db", runner=runner):
        reply = await bob_runs(fake_discord, world, SNIPPET)
    import torch

    expected = torch_rates(
        lambda opt: torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 4], gamma=0.1),
        lr=0.2,
        steps=5,
    )
    rows = table_rows(reply.embeds[0])
    assert [rows[step][0] for step in range(1, 6)] == [format_number(r) for r in expected]
    assert reply.attachments[0].data.startswith(b"\x89PNG")


async def test_hostile_input_is_refused_and_nothing_runs(
    fake_discord: FakeDiscord, world: World, runner: CountingPool, tmp_path: Path
) -> None:
    """`!run __import__('os').system('id')` gets a friendly refusal with an example; no job runs."""
    before = runner.charts
    async with running_anneal(fake_discord, tmp_path / "a.db", runner=runner):
        reply = await bob_runs(fake_discord, world, "__import__('os').system('id')")
    assert "double underscores are never allowed" in reply.content
    assert "`!run StepLR(step_size=2, gamma=0.5) lr=0.1 steps=5`" in reply.content
    assert not reply.embeds
    assert not reply.attachments
    assert runner.charts == before


async def test_quick_second_run_gets_the_cooldown_message(
    fake_discord: FakeDiscord, world: World, runner: CountingPool, tmp_path: Path
) -> None:
    """A second run 3 s after the first is refused with when to retry; after 10 s it runs."""
    clock = FakeClock(start=1_700_000_000.0)
    async with running_anneal(fake_discord, tmp_path / "a.db", runner=runner, clock=clock) as bot:
        first = await bob_runs(fake_discord, world, "ExponentialLR(gamma=0.9) steps=4")
        assert first.embeds
        await run_is_over(fake_discord, bot, world.member)
        clock.advance(3)
        refused = await bob_runs(fake_discord, world, "ExponentialLR(gamma=0.8) steps=4")
        assert "try again in 7 s" in refused.content
        assert not refused.embeds
        clock.advance(7)
        again = await bob_runs(fake_discord, world, "ExponentialLR(gamma=0.8) steps=4")
        assert again.embeds


async def test_second_run_while_the_first_is_going_is_refused(
    fake_discord: FakeDiscord, world: World, runner: CountingPool, tmp_path: Path
) -> None:
    """While a user's run is computing, their next one is told the previous is still going."""
    gated = GatedRunner(runner)
    async with running_anneal(fake_discord, tmp_path / "a.db", runner=cast(RunnerPool, gated)):
        first_run = "!run StepLR(step_size=3)"
        await fake_discord.user_sends_message(world.general.id, world.member, first_run)
        await fake_discord.wait_for(lambda: gated.charts == 1 or None)
        refused = await bob_runs(fake_discord, world, "StepLR(step_size=2)")
        assert "previous run is still going" in refused.content
        gated.gate.set()
        first = await fake_discord.wait_for_message(world.general.id, timeout=30.0)
        assert first.embeds
        assert gated.charts == 1


async def test_slash_run_defers_then_follows_up_with_embed_and_chart(
    fake_discord: FakeDiscord, world: World, runner: CountingPool, tmp_path: Path
) -> None:
    """`/run` is deferred at once, then the followup carries the embed and the PNG."""
    async with running_anneal(fake_discord, tmp_path / "a.db", runner=runner):
        interaction = await fake_discord.user_uses_slash_command(
            world.guild.id,
            world.general.id,
            world.member,
            "run",
            {"text": "CosineAnnealingLR(T_max=5) lr=0.1 steps=10"},
        )
        answered = await fake_discord.interaction_response(interaction.id)
        assert answered.response_type == 5  # deferred: "Anneal is thinking..."
        message = await fake_discord.wait_for_interaction_message(interaction.id, timeout=30.0)
    embed = message.embeds[0]
    assert embed["title"].startswith("CosineAnnealingLR(T_max=5)")
    import torch

    expected = torch_rates(
        lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=5), lr=0.1, steps=10
    )
    rows = table_rows(embed)
    assert [rows[step][0] for step in range(1, 11)] == [format_number(r) for r in expected]
    assert message.attachments[0].data.startswith(b"\x89PNG")
    assert embed["image"]["url"] == message.attachments[0].url
    followup = fake_discord.requests_matching("POST", r"/webhooks/\d+/[^/]+")[-1]
    assert followup.json["allowed_mentions"]["parse"] == []


async def test_slash_refusal_is_ephemeral_and_nothing_runs(
    fake_discord: FakeDiscord, world: World, runner: CountingPool, tmp_path: Path
) -> None:
    """A refused `/run` is answered at once, only to the user, with a /run example."""
    before = runner.charts
    async with running_anneal(fake_discord, tmp_path / "a.db", runner=runner):
        interaction = await fake_discord.user_uses_slash_command(
            world.guild.id, world.general.id, world.member, "run", {"text": "StepLR(gamma=2"}
        )
        answered = await fake_discord.interaction_response(interaction.id)
    assert answered.response_type == 4  # answered, not deferred: nothing was started
    assert answered.response_data is not None
    assert answered.response_data["flags"] & 64  # ephemeral
    assert (
        "`/run StepLR(step_size=2, gamma=0.5) lr=0.1 steps=5`" in answered.response_data["content"]
    )
    assert runner.charts == before


async def test_slash_autocomplete_suggests_problem_ids_with_recipes(
    fake_discord: FakeDiscord, world: World, tmp_path: Path
) -> None:
    """Typing part of an id in `/run text:` suggests runnable problems; an expression, none."""
    async with running_anneal(fake_discord, tmp_path / "a.db"):
        typed = await fake_discord.user_autocompletes(
            world.guild.id, world.general.id, world.member, "run", {"text": "steplr-thr"}, "text"
        )
        answered = await fake_discord.interaction_response(typed.id)
        synced = fake_discord.state.commands[None]["run"]
        assert synced["options"][0]["name"] == "text"
        assert synced["options"][0]["autocomplete"] is True
        assert answered.response_type == 8
        assert [c["value"] for c in answered.choices] == ["steplr-three-epochs"]
        expression = await fake_discord.user_autocompletes(
            world.guild.id, world.general.id, world.member, "run", {"text": "StepLR("}, "text"
        )
        assert (await fake_discord.interaction_response(expression.id)).choices == []


async def test_without_a_runner_run_is_not_available(
    fake_discord: FakeDiscord, world: World, tmp_path: Path
) -> None:
    """A bot started with runner=None answers `!run` with a plain "not available"."""
    async with running_anneal(fake_discord, tmp_path / "a.db", runner=None):
        reply = await bob_runs(fake_discord, world, "StepLR(step_size=2, gamma=0.5)")
    assert reply.content == "`!run` is not available on this bot right now."


async def test_empty_run_explains_with_examples(
    fake_discord: FakeDiscord, world: World, runner: CountingPool, tmp_path: Path
) -> None:
    """A bare `!run` gets examples of each form instead of an error."""
    async with running_anneal(fake_discord, tmp_path / "a.db", runner=runner):
        await fake_discord.user_sends_message(world.general.id, world.member, "!run")
        reply = await fake_discord.wait_for_message(world.general.id)
    assert "`!run StepLR(step_size=2, gamma=0.5) lr=0.1 steps=5`" in reply.content
    assert re.search(r"`!run [a-z0-9-]+ \w+=[\d.]+`", reply.content)
    assert "code block that starts with `` ```py ``" in reply.content


async def test_10000_steps_of_8_groups_fit_discords_limits(
    fake_discord: FakeDiscord, world: World, runner: CountingPool, tmp_path: Path
) -> None:
    """The largest run allowed still answers within Discord's embed limits, with its chart."""
    lrs = ", ".join(f"0.{g + 1}" for g in range(8))
    text = f"StepLR(step_size=2, gamma=0.5) lr=[{lrs}] steps=10000"
    async with running_anneal(fake_discord, tmp_path / "a.db", runner=runner):
        reply = await bob_runs(fake_discord, world, text)
    embed = reply.embeds[0]
    assert len(embed["description"]) <= 4096
    assert embed_length(embed) <= EMBED_TOTAL
    assert 10_000 in table_rows(embed)
    assert reply.attachments[0].data.startswith(b"\x89PNG")
