"""End to end: `!challenge start fresh` has torch generate the problems, then plays them.

The bot's runner is only the sign that torch is there (the generator runs its own snippets
in a torch process of its own); the challenge's time is a FakeClock.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.generator import FRESH_PACK_ID
from bot.features.challenge.render import LETTER_EMOJI
from bot.runner import RunnerPool
from tests.e2e.anneal import running_anneal
from tests.e2e.fake_discord import FakeDiscord, World, title_starts
from tests.engine.conftest import FakeClock

pytestmark = pytest.mark.torch

GENERATION_TIMEOUT = 180.0  # starting torch on a busy machine, then two problems


async def test_a_fresh_challenge_is_generated_by_torch_and_played(
    fake_discord: FakeDiscord, world: World, tmp_path: Path
) -> None:
    """Two fresh problems: the first is posted with code and four options, the key wins."""
    fake, clock = fake_discord, FakeClock()
    async with running_anneal(
        fake,
        tmp_path / "anneal.db",
        runner=RunnerPool(size=1),  # never started: the generator does not use it
        clock=clock,
        sleep=clock.sleep,
        double_tap=0.0,
    ) as bot:
        await fake.user_sends_message(world.general.id, world.admin, "!challenge start fresh 2")
        posted = await fake.wait_for_message(
            world.general.id, title_starts("Problem 1/2 · "), timeout=GENERATION_TIMEOUT
        )
        (pack,) = bot.services.library.generated
        assert pack.id == FRESH_PACK_ID
        assert len(pack.problems) == 2
        first = next(p for p in pack.problems if posted.embeds[0]["title"].endswith(p.title))
        assert first.code is not None
        assert "```py" in posted.embeds[0]["description"]
        assert all(f"{LETTER_EMOJI[x]} " in posted.embeds[0]["description"] for x in "ABCD")
        await fake.wait_for_reactions(posted.id, list(LETTER_EMOJI.values()))
        await fake.user_adds_reaction(
            world.general.id, posted.id, world.admin, LETTER_EMOJI[first.answer]
        )
        feedback = await fake.wait_for_dm(world.admin)
        assert f"{first.answer} is right!" in feedback.content
