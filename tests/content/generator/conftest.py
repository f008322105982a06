"""The thousand generated problems the generator's tests share, and the torch process behind them.

Package-scoped, so `test_generate.py` and `test_cues.py` read the same problems and the
suite generates them once: fresh packs of five for seeds 0..199, as `anneal content audit
--generated 1000` and `anneal play --pack fresh --seed S` deal them.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.content.generator import generate_pack
from bot.content.snippet_session import SnippetSession
from bot.engine.problems import Pack, Problem

PACKS = 200
PACK_SIZE = 5


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def session() -> AsyncIterator[SnippetSession]:
    """One warm torch process for the generator's tests."""
    async with SnippetSession() as warm:
        yield warm


@pytest_asyncio.fixture(scope="package", loop_scope="package")
async def packs(session: SnippetSession) -> dict[int, Pack]:
    """A fresh pack of five for each seed."""
    return {
        seed: await generate_pack(session, random.Random(seed), PACK_SIZE) for seed in range(PACKS)
    }


@pytest.fixture(scope="package")
def problems(packs: dict[int, Pack]) -> list[Problem]:
    """The thousand problems, seed by seed."""
    return [problem for pack in packs.values() for problem in pack.problems]
