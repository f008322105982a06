"""One warm torch process that runs batches of snippets, for the generator (`--serve` mode).

`anneal content check` starts `bot.content.snippet_runner` once for a whole run; the
generator asks many small questions one after another (what does this setup print? and
with this mistake?), so it keeps the same process warm and sends one JSON line per batch.
The snippets are the generator's own code, rendered from its templates, never user text:
this is a test harness like the content check, not the `!run` sandbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Final, Self

from bot.content.check import SNIPPET_TIMEOUT, SnippetRun

# A batch answer is one line; asyncio's default 64 KiB line limit is too small for a big one.
LINE_LIMIT: Final = 16 * 1024 * 1024
START_TIMEOUT: Final = 120.0  # importing torch on a busy two-core machine
# Warms the first optimizer too (0.8 s on its own), so the first real batch is quick.
WARM_UP: Final = (
    "import torch\n"
    "from torch.optim import SGD\n"
    "from torch.optim.lr_scheduler import StepLR\n"
    "StepLR(SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1), step_size=1).step()\n"
)


class SnippetSessionError(Exception):
    """The torch process could not start or died; the message is fit to show a user."""


class SnippetSession:
    """Runs snippets in one long-lived torch process; identical code is run only once."""

    def __init__(self, python: str = sys.executable, timeout: int = SNIPPET_TIMEOUT) -> None:
        self.python = python
        self.timeout = timeout
        self.snippets_run = 0  # distinct snippets torch ran, for timing reports
        self._process: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()
        self._known: dict[str, SnippetRun] = {}  # torch is deterministic: code -> its run

    async def start(self) -> None:
        """Start the process and wait until torch is imported and warm."""
        if self._process is not None:
            return
        self._process = await asyncio.create_subprocess_exec(
            self.python,
            "-m",
            "bot.content.snippet_runner",
            "--serve",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            limit=LINE_LIMIT,
        )
        try:
            await asyncio.wait_for(self._ask({"warm-up": WARM_UP}), START_TIMEOUT)
        except (TimeoutError, SnippetSessionError):
            await self.close()
            raise SnippetSessionError("torch did not start in time") from None

    async def run(self, snippets: Mapping[str, str]) -> dict[str, SnippetRun]:
        """What each snippet printed, raised and warned, keyed as given."""
        async with self._lock:
            todo = {code for code in snippets.values() if code not in self._known}
            if todo:
                named = {str(i): code for i, code in enumerate(sorted(todo))}
                answers = await self._ask(named)
                self._known.update({code: answers[key] for key, code in named.items()})
                self.snippets_run += len(todo)
        return {key: self._known[code] for key, code in snippets.items()}

    async def _ask(self, snippets: Mapping[str, str]) -> dict[str, SnippetRun]:
        process = self._process
        if process is None or process.stdin is None or process.stdout is None:
            raise SnippetSessionError("the torch process is not running")
        request = {"snippets": dict(snippets), "timeout": self.timeout}
        try:
            process.stdin.write(json.dumps(request).encode() + b"\n")
            await process.stdin.drain()
            line = await process.stdout.readline()
        except (ConnectionError, ValueError) as exc:
            raise SnippetSessionError(f"the torch process failed: {exc}") from exc
        if not line:
            raise SnippetSessionError("the torch process exited")
        data: dict[str, Any] = json.loads(line)
        return {
            key: SnippetRun(r["stdout"], r["error"], tuple(r["warnings"]))
            for key, r in data["results"].items()
        }

    async def close(self) -> None:
        """Stop the process (closing its stdin ends its loop); safe to call twice."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 5.0)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):  # it may exit in the meantime
                process.kill()
            await process.wait()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
