"""Fixtures for the runner's tests: a live worker process and a direct torch reference."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.runner.helpers import Reference, WorkerClient
from tests.runner.misbehaving_worker import PROGRAM

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def worker() -> Iterator[WorkerClient]:
    """One warm worker for the whole module: the real one, wrapped to misbehave on request."""
    process = subprocess.Popen(
        [sys.executable, "-m", PROGRAM.module],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    assert process.stdout is not None
    ready = json.loads(process.stdout.readline())
    assert ready["ready"] is True
    yield WorkerClient(process)
    assert process.stdin is not None
    process.stdin.close()
    process.wait(timeout=30)


@pytest.fixture(scope="session")
def torch_reference() -> Reference:
    """Step torch directly, the way a learner's script would; returns (lrs, momenta) per group.

    `make(optimizer)` builds the scheduler; momentum is read from `momentum` or `betas[0]`.
    """
    import torch

    def run(
        make: Callable[[Any], Any],
        lrs: tuple[float, ...] = (0.1,),
        steps: int = 10,
        optimizer: str = "SGD",
        metrics: list[float] | None = None,
        **optimizer_kwargs: Any,
    ) -> tuple[list[list[float]], list[list[float]]]:
        groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs]
        opt = getattr(torch.optim, optimizer)(groups, lr=lrs[0], **optimizer_kwargs)
        scheduler = make(opt)
        seen: list[list[float]] = [[] for _ in lrs]
        momenta: list[list[float]] = [[] for _ in lrs]
        for i in range(steps):
            opt.step()
            if metrics is None:
                scheduler.step()
            else:
                scheduler.step(metrics[i])
            for g, group in enumerate(opt.param_groups):
                seen[g].append(group["lr"])
                momenta[g].append(group["betas"][0] if "betas" in group else group["momentum"])
        return seen, momenta

    return run
