"""Fixtures shared by the whole suite: `python -m bot` in a child process, the fake Discord,
and one warm runner pool."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path

import pytest

from tests.e2e.fake_discord import FakeDiscord, World, point_discord_at, serving_default_world
from tests.shared_runner import ThreadedRunnerPool

# Settings a developer may have exported for their own bot; a child under test never sees them.
PRIVATE_PREFIXES = ("ANNEAL_", "DISCORD_")
CLI_TIMEOUT = 60.0


class AnnealCli:
    """Runs `python -m bot ...` in a child process, as a new user would run `anneal`.

    The child starts in ``workdir`` (so no developer's .env is read), with the environment
    of the tests minus every ``ANNEAL_*`` / ``DISCORD_*`` variable, and keeps its data in
    ``database`` unless ``env`` names another ``ANNEAL_DATABASE``.
    """

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.database = workdir / "anneal.db"

    def environment(self, env: Mapping[str, str] | None = None) -> dict[str, str]:
        """The child's environment: the clean inherited one, the database, then ``env``."""
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(PRIVATE_PREFIXES)}
        return {**inherited, "ANNEAL_DATABASE": str(self.database), **(env or {})}

    def command(self, *args: str) -> list[str]:
        """The child's command line: `python -m bot` with `args`."""
        return [sys.executable, "-m", "bot", *args]

    def __call__(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        input: str = "",  # never the terminal: a child that reads stdin gets EOF, not a hang
        timeout: float = CLI_TIMEOUT,
    ) -> subprocess.CompletedProcess[str]:
        """Run to completion; stdout and stderr are captured as text, the exit code unchecked."""
        return subprocess.run(
            self.command(*args),
            input=input,
            capture_output=True,
            text=True,
            env=self.environment(env),
            cwd=self.workdir,
            timeout=timeout,
            check=False,
        )

    async def start(
        self, *args: str, env: Mapping[str, str] | None = None
    ) -> asyncio.subprocess.Process:
        """Start a long-running command (`bot`); stderr is merged into the stdout pipe."""
        return await asyncio.create_subprocess_exec(
            *self.command(*args),
            env=self.environment(env),
            cwd=self.workdir,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )


@pytest.fixture
def anneal_cli(tmp_path: Path) -> AnnealCli:
    """`python -m bot` in a child process with a clean environment, in ``tmp_path``."""
    return AnnealCli(tmp_path)


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A started fake Discord with the default world; fails the test on missing routes."""
    async with serving_default_world() as server:
        yield server


@pytest.fixture
def discord_at_fake(fake_discord: FakeDiscord) -> Iterator[FakeDiscord]:
    """``fake_discord`` with discord.py's REST base and gateway URL pointed at it."""
    with point_discord_at(fake_discord):
        yield fake_discord


@pytest.fixture
def world(fake_discord: FakeDiscord) -> World:
    """The ids and objects of the default world (guild, channels, users, roles)."""
    assert fake_discord.world is not None
    return fake_discord.world


@pytest.fixture(scope="session")
def shared_runner() -> Iterator[ThreadedRunnerPool]:
    """One warm runner for every test that needs a working one but not a pool of its own:
    the production worker with charts, one worker, 30 CPU-s per job (a loaded machine).

    Any test's event loop may await it. A test may kill its worker (it is replaced, as in
    production) but must not close it.
    """
    pool = ThreadedRunnerPool(size=1, job_timeout=30.0)
    pool.start_now()
    yield pool
    pool.stop()
