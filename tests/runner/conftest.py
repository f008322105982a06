"""Fixtures for the runner's tests: a live worker process and a direct torch reference."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bot.runner.protocol import decode_result, encode_spec
from bot.runner.spec import RunResult, RunSpec

Reference = Callable[..., tuple[list[list[float]], list[list[float]]]]


@dataclass
class WorkerClient:
    """Talks to a real `python -m bot.runner.worker` over its pipes, synchronously."""

    process: subprocess.Popen[bytes]
    next_id: int = 0

    def ask_raw(self, job: dict[str, Any]) -> bytes:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.next_id += 1
        self.process.stdin.write(json.dumps({**job, "id": self.next_id}).encode() + b"\n")
        self.process.stdin.flush()
        return self.process.stdout.readline()

    def ask(self, job: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = json.loads(self.ask_raw(job))
        assert answer["id"] == self.next_id
        return answer

    def run(self, spec: RunSpec) -> RunResult:
        return decode_result(self.ask(encode_spec(spec)))


@pytest.fixture(scope="module")
def worker() -> Iterator[WorkerClient]:
    """One warm worker for the whole module, with the test hooks switched on."""
    env = {**os.environ, "ANNEAL_TEST_HOOKS": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.runner.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None
    ready = json.loads(process.stdout.readline())
    assert ready["ready"] is True
    yield WorkerClient(process)
    assert process.stdin is not None
    process.stdin.close()
    process.wait(timeout=30)


@pytest.fixture
def test_hooks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers started from now on honour the test hooks (sleep, hog, print, env)."""
    monkeypatch.setenv("ANNEAL_TEST_HOOKS", "1")


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
