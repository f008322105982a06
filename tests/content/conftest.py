"""Fixtures of the content tests: each distinct snippet runs in torch once per session.

Most content-check tests copy the shipped packs, change one key or name, and check again:
without this, each of them ran all ~80 snippets in a fresh torch process (~5 CPU-s). The
check's comparisons still run every time on real outputs; only a snippet whose exact code
already ran in torch is not run again (a snippet's output depends only on its code).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from bot.content import check
from bot.content.check import SnippetRun, run_snippets


class RememberedSnippets:
    """`run_snippets` that runs only code it has not run before, in one torch process."""

    def __init__(self) -> None:
        self.schedulers: set[str] | None = None
        self.outputs: dict[str, SnippetRun] = {}  # by the snippet's code

    def __call__(
        self, snippets: dict[str, str], python: str = sys.executable
    ) -> tuple[set[str], dict[str, SnippetRun]]:
        """The same answer as `run_snippets(snippets, python)`."""
        new = {pid: code for pid, code in snippets.items() if code not in self.outputs}
        if new or self.schedulers is None:
            self.schedulers, runs = run_snippets(new, python)
            self.outputs.update((code, runs[pid]) for pid, code in new.items())
        return set(self.schedulers), {pid: self.outputs[code] for pid, code in snippets.items()}


@pytest.fixture(scope="session")
def remembered_snippets() -> RememberedSnippets:
    """Every snippet output seen in this session."""
    return RememberedSnippets()


@pytest.fixture(scope="module", autouse=True)
def run_each_snippet_once(remembered_snippets: RememberedSnippets) -> Iterator[None]:
    """`check_content` (and so `anneal content check` in-process) through the memory above."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(check, "run_snippets", remembered_snippets)
        yield
