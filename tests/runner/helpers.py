"""What the runner's tests share besides fixtures: a client for a live worker, a reference type."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.runner.protocol import decode_result, encode_spec
from bot.runner.spec import RunResult, RunSpec

# Steps torch directly: make(optimizer) -> scheduler, then (lrs, momenta) per group.
Reference = Callable[..., tuple[list[list[float]], list[list[float]]]]


@dataclass
class WorkerClient:
    """Talks to a live worker process over its pipes, synchronously."""

    process: subprocess.Popen[bytes]
    next_id: int = 0

    def ask_raw(self, job: dict[str, Any]) -> bytes:
        """Send one job (numbered here) and return the answer line as it came.

        The "started" line the worker writes first is checked and skipped.
        """
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.next_id += 1
        self.process.stdin.write(json.dumps({**job, "id": self.next_id}).encode() + b"\n")
        self.process.stdin.flush()
        assert json.loads(self.process.stdout.readline()) == {"started": self.next_id}
        return self.process.stdout.readline()

    def ask(self, job: dict[str, Any]) -> dict[str, Any]:
        """Send one job and return its decoded answer, checking it answers this job."""
        answer: dict[str, Any] = json.loads(self.ask_raw(job))
        assert answer["id"] == self.next_id
        return answer

    def run(self, spec: RunSpec) -> RunResult:
        """Run one spec and return its result."""
        return decode_result(self.ask(encode_spec(spec)))
