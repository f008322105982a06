"""Tests for bot.content.snippet_session: one warm torch process, batches of snippets."""

from __future__ import annotations

import pytest

from bot.content.snippet_session import SnippetSession, SnippetSessionError

pytestmark = pytest.mark.torch

STEP = """import torch
from torch.optim import SGD
from torch.optim.lr_scheduler import StepLR
optimizer = SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
scheduler = StepLR(optimizer, step_size=2, gamma=0.5)
for _ in range(STEPS):
    optimizer.step()
    scheduler.step()
print(optimizer.param_groups[0]["lr"])
"""


async def test_a_batch_runs_in_one_warm_process_and_repeats_are_not_rerun() -> None:
    """Two batches, one process; the same code asked twice is run once."""
    async with SnippetSession() as session:
        first = await session.run({"a": STEP.replace("STEPS", "2"), "b": "print(1 / 0)"})
        assert first["a"].stdout.strip() == "0.05"
        assert first["b"].error is not None
        assert "ZeroDivisionError" in first["b"].error
        again = await session.run(
            {"c": STEP.replace("STEPS", "2"), "d": STEP.replace("STEPS", "4")}
        )
        assert again["c"] == first["a"]
        assert again["d"].stdout.strip() == "0.025"
        assert session.snippets_run == 3


async def test_a_dead_process_is_a_session_error() -> None:
    """If the torch process dies, the next batch raises SnippetSessionError; close is safe."""
    session = SnippetSession()
    await session.start()
    process = session._process
    assert process is not None
    process.kill()
    await process.wait()
    with pytest.raises(SnippetSessionError):
        await session.run({"x": "print(2)"})
    await session.close()
    await session.close()
