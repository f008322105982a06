"""End to end: `!learn` and `/learn` against the fake Discord, charts drawn by a real RunnerPool.

One warm worker serves the module, so its tests and fixtures share one event loop. The
pool counts the charts asked of it, so a test can tell a cached chart from a new job.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.content.card_library import load_cards
from bot.runner import Chart, Requester, RunnerPool, RunSpec, parse_run
from bot.settings import SHIPPED_CONTENT_DIR
from tests.content.test_loader import write_pack
from tests.e2e.anneal import running_anneal
from tests.e2e.fake_discord import (
    FakeDiscord,
    FakeMessage,
    World,
    serving_default_world,
    title_starts,
)
from tests.engine.conftest import make_problem

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.torch]

STEPLR = load_cards(SHIPPED_CONTENT_DIR / "cards", strict=True).cards["StepLR"]


class ChartCountingPool(RunnerPool):
    """The real pool, counting the charts it draws."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.charts = 0

    async def chart(self, spec: RunSpec, *, requester: Requester | None = None) -> Chart:
        """Count the chart, then draw it with the real pool."""
        self.charts += 1
        return await super().chart(spec, requester=requester)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def runner() -> AsyncIterator[ChartCountingPool]:
    """One warm worker with matplotlib, shared by the module."""
    pool = ChartCountingPool(size=1, job_timeout=30.0)
    await pool.start()
    yield pool
    await pool.close()


@pytest_asyncio.fixture(loop_scope="module")
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """The shared ``fake_discord``, served on the module's event loop (where the pool lives)."""
    async with serving_default_world() as server:
        yield server


async def bob_learns(server: FakeDiscord, world: World, text: str) -> FakeMessage:
    """Bob sends `!learn <text>` in #general; returns the bot's answer."""
    await server.user_sends_message(world.general.id, world.member, f"!learn {text}".strip())
    return await server.wait_for_message(world.general.id, timeout=30.0)


def fields_of(message: FakeMessage) -> dict[str, str]:
    """The first embed's fields, name → value."""
    return {field["name"]: field["value"] for field in message.embeds[0].get("fields", [])}


async def test_learn_shows_the_card_and_its_chart_then_serves_it_from_the_cache(
    fake_discord: FakeDiscord, world: World, runner: ChartCountingPool, tmp_path: Path
) -> None:
    """`!learn steplr` draws the chart once; `!learn StepLR` again costs no runner job."""
    before = runner.charts
    async with running_anneal(fake_discord, tmp_path / "a.db", runner=runner):
        first = await bob_learns(fake_discord, world, "steplr")
        assert runner.charts == before + 1
        second = await bob_learns(fake_discord, world, "StepLR")
    assert runner.charts == before + 1  # the second card came from the cache
    embed = first.embeds[0]
    assert embed["title"] == "📘 StepLR"
    fields = fields_of(first)
    assert "`gamma=0.1`" in fields["⚙️ Parameters (torch's defaults)"]
    assert "drops to 0.01 at epoch 10" in fields["📈 Typical schedule"]
    assert "`!practice StepLR`" in fields["➡️ Next steps"]
    assert "`steplr-three-epochs`" in fields["➡️ Next steps"]  # from the packs' subjects
    [chart] = first.attachments
    assert chart.filename == "steplr.png"
    assert embed["image"]["url"] == chart.url
    # The attachment is the runner's chart of the card's typical schedule.
    drawn = await runner.chart(parse_run(STEPLR.typical.run))
    assert chart.data == drawn.png
    assert fields_of(second) == fields
    assert second.embeds[0]["image"]["url"] == second.attachments[0].url
    assert second.attachments[0].data == chart.data
    sent = fake_discord.requests_matching("POST", rf"/channels/{world.general.id}/messages")[-1]
    assert sent.json["allowed_mentions"]["parse"] == []


async def test_a_typo_finds_the_card_and_says_so(
    fake_discord: FakeDiscord, world: World, runner: ChartCountingPool, tmp_path: Path
) -> None:
    """`!learn OneCycelLR` shows OneCycleLR's card, saying it is the closest to what was typed."""
    async with running_anneal(fake_discord, tmp_path / "a.db", runner=runner):
        reply = await bob_learns(fake_discord, world, "OneCycelLR")
    assert reply.embeds[0]["title"] == "📘 OneCycleLR"
    assert reply.embeds[0]["description"].startswith("*The closest card to `OneCycelLR`:*")
    assert reply.attachments[0].data.startswith(b"\x89PNG")


async def test_an_unknown_name_lists_close_cards_and_runs_nothing(
    fake_discord: FakeDiscord, world: World, runner: ChartCountingPool, tmp_path: Path
) -> None:
    """`!learn MultLR` answers with the close names as commands; no chart is drawn."""
    before = runner.charts
    async with running_anneal(fake_discord, tmp_path / "a.db", runner=runner):
        reply = await bob_learns(fake_discord, world, "MultLR")
    assert reply.content.startswith(
        "There is no card for `MultLR`. Did you mean `!learn MultiStepLR`"
    )
    assert not reply.embeds
    assert runner.charts == before


async def test_learn_alone_lists_the_cards(
    fake_discord: FakeDiscord, world: World, tmp_path: Path
) -> None:
    """A bare `!learn` lists all 16 cards."""
    async with running_anneal(fake_discord, tmp_path / "a.db"):
        reply = await bob_learns(fake_discord, world, "")
    assert reply.embeds[0]["title"] == "📘 Learn cards"
    listed = "\n".join(field["value"] for field in reply.embeds[0]["fields"])
    assert listed.count("\n") + 1 == 16


async def test_without_a_runner_the_card_comes_without_its_chart(
    fake_discord: FakeDiscord, world: World, tmp_path: Path
) -> None:
    """A bot with no runner still shows the card, and says why the chart is missing."""
    async with running_anneal(fake_discord, tmp_path / "a.db", runner=None):
        reply = await bob_learns(fake_discord, world, "plateau")
    assert reply.embeds[0]["title"] == "📘 ReduceLROnPlateau"
    assert "not available right now" in fields_of(reply)["📈 Typical schedule"]
    assert not reply.attachments
    assert "image" not in reply.embeds[0]


async def test_learn_works_in_a_dm(
    fake_discord: FakeDiscord, world: World, runner: ChartCountingPool, tmp_path: Path
) -> None:
    """A learner can look a scheduler up in a DM with the bot."""
    async with running_anneal(fake_discord, tmp_path / "a.db", runner=runner):
        await fake_discord.user_sends_dm(world.member, "!learn swa")
        reply = await fake_discord.wait_for_dm(world.member, timeout=30.0)
    assert reply.embeds[0]["title"] == "📘 SWALR"
    assert reply.attachments[0].data.startswith(b"\x89PNG")


async def test_slash_learn_defers_then_follows_up_with_the_card(
    fake_discord: FakeDiscord, world: World, runner: ChartCountingPool, tmp_path: Path
) -> None:
    """`/learn scheduler:cosine` is deferred while the chart is drawn, then gets the card."""
    async with running_anneal(fake_discord, tmp_path / "a.db", runner=runner):
        interaction = await fake_discord.user_uses_slash_command(
            world.guild.id, world.general.id, world.member, "learn", {"scheduler": "cosine"}
        )
        answered = await fake_discord.interaction_response(interaction.id)
        assert answered.response_type == 5  # deferred: "Anneal is thinking..."
        message = await fake_discord.wait_for_interaction_message(interaction.id, timeout=30.0)
    assert message.embeds[0]["title"] == "📘 CosineAnnealingLR"
    assert "`/run CosineAnnealingLR(T_max=20, eta_min=0.001)" in fields_of(message)["➡️ Next steps"]
    assert message.attachments[0].data.startswith(b"\x89PNG")


async def test_slash_autocomplete_offers_the_cards(
    fake_discord: FakeDiscord, world: World, tmp_path: Path
) -> None:
    """Typing in `/learn scheduler:` suggests cards by name or alias."""
    async with running_anneal(fake_discord, tmp_path / "a.db"):
        typed = await fake_discord.user_autocompletes(
            world.guild.id,
            world.general.id,
            world.member,
            "learn",
            {"scheduler": "cos"},
            "scheduler",
        )
        answered = await fake_discord.interaction_response(typed.id)
        synced = fake_discord.state.commands[None]["learn"]
    assert synced["options"][0]["name"] == "scheduler"
    assert synced["options"][0]["autocomplete"] is True
    assert [c["value"] for c in answered.choices] == [
        "CosineAnnealingLR",
        "CosineAnnealingWarmRestarts",
    ]


async def test_a_card_waits_while_a_challenge_asks_about_its_scheduler(
    fake_discord: FakeDiscord, world: World, tmp_path: Path
) -> None:
    """During a challenge on a StepLR problem, `!learn StepLR` waits; other cards do not."""
    content = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT_DIR / "cards", content / "cards")
    write_pack(content, "steps", make_problem("about-steplr", time_limit=60))
    async with running_anneal(fake_discord, tmp_path / "a.db", content_dir=content) as bot:
        manager = bot.services.challenges
        assert manager is not None
        await fake_discord.user_sends_message(
            world.challenges.id, world.admin, "!challenge start steps"
        )
        await fake_discord.wait_for_message(world.challenges.id, title_starts("Problem 1/"))
        refused = await bob_learns(fake_discord, world, "steplr")
        assert "asking about StepLR right now" in refused.content
        assert not refused.embeds
        other = await bob_learns(fake_discord, world, "cosine")
        assert other.embeds[0]["title"] == "📘 CosineAnnealingLR"
        await fake_discord.user_sends_dm(world.member, "!learn StepLR")
        in_dm = await fake_discord.wait_for_dm(world.member)
        assert "in a server you may be playing in" in in_dm.content
        await fake_discord.user_sends_message(world.challenges.id, world.admin, "!challenge stop")
        await fake_discord.wait_for(
            lambda: not manager.unrevealed_problems(None) or None, what="the challenge to end"
        )
        after = await bob_learns(fake_discord, world, "steplr")
        assert after.embeds[0]["title"] == "📘 StepLR"
        await manager.close()  # its timers live on the module's loop
