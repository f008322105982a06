"""End to end: `!run compare` and `/run compare` against the fake Discord, with a real RunnerPool.

One warm worker serves the module. Expected numbers come from torch, imported here in the
test process, never typed in by hand.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.runner import Comparison, Requester, RunnerPool, RunSpec, format_number
from tests.e2e.anneal import running_anneal
from tests.e2e.fake_discord import FakeDiscord, FakeMessage, World, serving_default_world
from tests.e2e.test_run_command import embed_length, torch_rates

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.torch]


class ComparingPool(RunnerPool):
    """The real pool, counting the comparisons asked of it (each one job) and their sizes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.comparisons: list[int] = []

    async def compare(
        self, runs: Sequence[tuple[str, RunSpec]], *, requester: Requester | None = None
    ) -> Comparison:
        """Count the job and its schedules, then compute it with the real pool."""
        self.comparisons.append(len(runs))
        return await super().compare(runs, requester=requester)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def runner() -> AsyncIterator[ComparingPool]:
    """One warm worker with matplotlib, shared by the module."""
    pool = ComparingPool(size=1, job_timeout=30.0)
    await pool.start()
    yield pool
    await pool.close()


@pytest_asyncio.fixture(loop_scope="module")
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """The shared ``fake_discord``, served on the module's event loop (where the pool lives)."""
    async with serving_default_world() as server:
        yield server


def columns(embed: dict[str, Any]) -> dict[int, list[str]]:
    """The step → cells rows of the comparison table in an embed's description."""
    table = embed["description"].split("```text\n", 1)[1].split("```", 1)[0]
    rows: dict[int, list[str]] = {}
    for line in table.splitlines():
        cells = line.split()
        if cells and cells[0].replace(",", "").isdigit() and not cells[0].endswith(":"):
            rows[int(cells[0].replace(",", ""))] = cells[1:]
    return rows


async def bob_sends(server: FakeDiscord, world: World, text: str) -> FakeMessage:
    """Bob sends `text` in #general; returns the bot's answer."""
    await server.user_sends_message(world.general.id, world.member, text)
    return await server.wait_for_message(world.general.id, timeout=60.0)


async def test_compare_answers_one_chart_and_a_column_per_schedule(
    fake_discord: FakeDiscord, world: World, runner: ComparingPool, tmp_path: Path
) -> None:
    """Three schedules: one job, one PNG chart, a key and a column of torch's rates for each."""
    import torch
    from torch.optim import lr_scheduler as sched

    before = list(runner.comparisons)
    text = (
        "!run compare StepLR(step_size=3, gamma=0.5) ; CosineAnnealingLR(T_max=8) ; "
        "OneCycleLR(max_lr=0.2, total_steps=8) ; steps=8"
    )
    async with running_anneal(fake_discord, tmp_path / "a.db", runner=runner):
        reply = await bob_sends(fake_discord, world, text)
    assert runner.comparisons == [*before, 3]
    embed = reply.embeds[0]
    assert embed["title"] == "3 schedules compared · SGD(lr=0.1) · 8 steps"
    assert (
        "1: StepLR(step_size=3, gamma=0.5)\n2: CosineAnnealingLR(T_max=8)\n" in embed["description"]
    )
    assert [a.filename for a in reply.attachments] == ["compare.png"]
    assert reply.attachments[0].data.startswith(b"\x89PNG")
    assert embed["image"]["url"] == reply.attachments[0].url

    def step(o: torch.optim.Optimizer) -> sched.LRScheduler:
        return sched.StepLR(o, step_size=3, gamma=0.5)

    def cosine(o: torch.optim.Optimizer) -> sched.LRScheduler:
        return sched.CosineAnnealingLR(o, T_max=8)

    expected = [torch_rates(make, lr=0.1, steps=8) for make in (step, cosine)]
    rows = columns(embed)
    for s in range(1, 9):
        assert rows[s][:2] == [format_number(expected[0][s - 1]), format_number(expected[1][s - 1])]
    # OneCycleLR really starts at max_lr / div_factor (25), which torch set: step 0 says so.
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
    sched.OneCycleLR(optimizer, max_lr=0.2, total_steps=8)
    assert rows[0] == ["0.1", "0.1", format_number(optimizer.param_groups[0]["lr"])]


async def test_a_long_comparison_attaches_every_step_as_csv(
    fake_discord: FakeDiscord, world: World, runner: ComparingPool, tmp_path: Path
) -> None:
    """Past 25 rows the table is elided, and compare.csv holds every step of both schedules."""
    text = (
        "!run compare ExponentialLR(gamma=0.99) ; LinearLR(start_factor=0.5, total_iters=40) ; "
        "steps=60"
    )
    async with running_anneal(fake_discord, tmp_path / "a.db", runner=runner):
        reply = await bob_sends(fake_discord, world, text)
    embed = reply.embeds[0]
    assert len(embed["description"]) <= 4096
    assert embed_length(embed) <= 6000
    assert "steps …" in embed["description"]
    names = [a.filename for a in reply.attachments]
    assert names == ["compare.png", "compare.csv"]
    rows = list(csv.reader(io.StringIO(reply.attachments[1].data.decode())))
    assert rows[0] == [
        "step",
        "ExponentialLR(gamma=0.99)",
        "LinearLR(start_factor=0.5, total_iters=40)",
    ]
    assert len(rows) == 1 + 61
    import torch

    expected = torch_rates(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.99), 0.1, 60)
    assert [float(row[1]) for row in rows[2:]] == expected


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "!run compare StepLR(step_size=2) ; CosineAnnealingLR(T_max=0)",
            "schedule 2 (`CosineAnnealingLR(T_max=0)`): CosineAnnealingLR: T_max=0 is refused",
        ),
        (
            "!run compare " + " ; ".join(f"StepLR(step_size={n})" for n in range(1, 6)),
            "Compare draws at most 4 schedules on one chart, and that's 5",
        ),
        ("!run compare StepLR(step_size=2)", "Compare needs 2 to 4 schedules separated by `;`"),
    ],
)
async def test_refusals_name_the_schedule_and_nothing_runs(
    fake_discord: FakeDiscord,
    world: World,
    runner: ComparingPool,
    tmp_path: Path,
    text: str,
    said: str,
) -> None:
    """A bad schedule, five schedules or one: a friendly refusal, and no job reaches torch."""
    before = list(runner.comparisons)
    async with running_anneal(fake_discord, tmp_path / "a.db", runner=runner):
        reply = await bob_sends(fake_discord, world, text)
    assert said in reply.content
    assert not reply.embeds
    assert runner.comparisons == before


async def test_slash_run_compare_defers_then_follows_up_with_chart_and_table(
    fake_discord: FakeDiscord, world: World, runner: ComparingPool, tmp_path: Path
) -> None:
    """`/run text:compare ...` is deferred, then answered with the comparison's embed and PNG."""
    async with running_anneal(fake_discord, tmp_path / "a.db", runner=runner):
        interaction = await fake_discord.user_uses_slash_command(
            world.guild.id,
            world.general.id,
            world.member,
            "run",
            {"text": "compare StepLR(step_size=2) ; ExponentialLR(gamma=0.5) ; steps=3"},
        )
        answered = await fake_discord.interaction_response(interaction.id)
        assert answered.response_type == 5
        message = await fake_discord.wait_for_interaction_message(interaction.id, timeout=60.0)
        typed = await fake_discord.user_autocompletes(
            world.guild.id,
            world.general.id,
            world.member,
            "run",
            {"text": "compare StepLR(step_size=2) ; Expo"},
            "text",
        )
        suggested = (await fake_discord.interaction_response(typed.id)).choices
    from torch.optim import lr_scheduler as sched

    step = torch_rates(lambda o: sched.StepLR(o, step_size=2), lr=0.1, steps=3)
    exponential = torch_rates(lambda o: sched.ExponentialLR(o, gamma=0.5), lr=0.1, steps=3)
    embed = message.embeds[0]
    assert columns(embed)[3] == [format_number(step[2]), format_number(exponential[2])]
    assert message.attachments[0].filename == "compare.png"
    assert [c["value"] for c in suggested] == [
        "compare StepLR(step_size=2) ; ExponentialLR(gamma=0.9)"
    ]
