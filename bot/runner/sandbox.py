"""How a worker process is started: its command line, its environment and its sandbox.

"bwrap" runs the worker inside bubblewrap (no network, nothing writable but a private
/tmp, only the bot package visible); "rlimits" runs it directly, under the resource limits
the worker sets on itself before it reads a job. Either way the environment is built from
nothing, so the bot's secrets never reach a worker.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import bot
from bot.runner.errors import RunnerStartError

log = logging.getLogger("anneal.runner")

SandboxMode = Literal["bwrap", "rlimits"]
SANDBOX_ROOT = "/opt/anneal"  # where the `bot` package appears inside bubblewrap
TEST_HOOKS_ENV = "ANNEAL_TEST_HOOKS"


@dataclass(frozen=True)
class Limits:
    """Resource limits for each worker process."""

    memory_bytes: int = 1 << 30  # RLIMIT_AS; torch + matplotlib peak at ~750 MB of it
    job_cpu_seconds: int = 10  # RLIMIT_CPU, re-armed before each job
    open_files: int = 64  # RLIMIT_NOFILE
    file_size_bytes: int = 1 << 20  # RLIMIT_FSIZE; 0 breaks tempfile, which torch uses


def modes_to_try(requested: Literal["auto", "bwrap", "rlimits"]) -> list[SandboxMode]:
    """The sandboxes to try, best first: bwrap only where it is installed (and asked for)."""
    if requested == "rlimits":
        return ["rlimits"]
    if shutil.which("bwrap") is None:
        if requested == "bwrap":
            raise RunnerStartError("sandbox='bwrap' but bubblewrap (bwrap) is not installed")
        log.warning("runner: bubblewrap (bwrap) is not installed; using rlimits only")
        return ["rlimits"]
    return ["bwrap"] if requested == "bwrap" else ["bwrap", "rlimits"]


def worker_command(
    mode: SandboxMode, *, python: str, home: str, limits: Limits, plot: bool
) -> tuple[list[str], dict[str, str], str]:
    """argv, environment and working directory for one worker."""
    package_parent = str(Path(bot.__file__).resolve().parent.parent)
    worker = [python, "-s", "-m", "bot.runner.worker", *_worker_flags(limits, plot)]
    if mode == "rlimits":
        return worker, _environment(package_parent, home), home
    sandbox = _bwrap_arguments(python, Path(package_parent) / "bot")
    return [*sandbox, *worker], _environment(SANDBOX_ROOT, "/tmp"), "/"


def _worker_flags(limits: Limits, plot: bool) -> list[str]:
    flags = [
        f"--memory={limits.memory_bytes}",
        f"--job-cpu={limits.job_cpu_seconds}",
        f"--open-files={limits.open_files}",
        f"--file-size={limits.file_size_bytes}",
    ]
    return [*flags, "--plot"] if plot else flags


def _environment(python_path: str, home: str) -> dict[str, str]:
    # Built from nothing, so the bot's secrets (its token, database URL) never reach a
    # worker; one thread each, as torch runs faster single-threaded for jobs this small.
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": home,
        "TMPDIR": home,
        "USER": "anneal",  # torch asks getpass.getuser(); there may be no passwd entry
        "MPLCONFIGDIR": f"{home}/matplotlib",
        "MPLBACKEND": "Agg",
        "PYTHONPATH": python_path,
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    if os.environ.get(TEST_HOOKS_ENV) == "1":
        env[TEST_HOOKS_ENV] = "1"
    return env


def _bwrap_arguments(python: str, package: Path) -> list[str]:
    """bubblewrap: no network, nothing writable but a private /tmp, only what Python needs.

    The bot package is mounted on its own at SANDBOX_ROOT, so the worker cannot read the
    rest of the checkout (a .env with the bot's token, the database).
    """
    arguments = [
        shutil.which("bwrap") or "bwrap",
        "--unshare-all",
        "--uid", "65534",
        "--gid", "65534",
        "--die-with-parent",
        "--new-session",
        "--cap-drop", "ALL",
        "--proc", "/proc",
        "--dev", "/dev",
        "--tmpfs", "/tmp",
        "--chdir", "/tmp",
    ]  # fmt: skip
    for path in _python_paths(python):
        arguments += ["--ro-bind", path, path]
    for link in ("/bin", "/lib", "/lib64", "/sbin"):
        if os.path.islink(link):
            arguments += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            arguments += ["--ro-bind", link, link]
    if os.path.exists("/etc/ld.so.cache"):
        arguments += ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    return [*arguments, "--ro-bind", str(package), f"{SANDBOX_ROOT}/bot"]


def _python_paths(python: str) -> list[str]:
    """/usr, the interpreter's installation and the virtualenv, outermost first."""
    candidates = {"/usr", sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    candidates.add(str(Path(python).parent.parent))
    candidates.add(str(Path(python).resolve().parent.parent))
    paths = sorted(p for p in candidates if os.path.isdir(p))
    # A path inside another one is mounted by its parent already.
    return [p for p in paths if not any(p.startswith(q + "/") for q in paths if q != p)]
