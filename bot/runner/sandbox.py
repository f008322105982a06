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
SANDBOX_ROOT = "/opt/anneal"  # where the worker's packages appear inside bubblewrap
BOT_PACKAGE = Path(bot.__file__).resolve().parent


@dataclass(frozen=True)
class Limits:
    """Resource limits for each worker process."""

    memory_bytes: int = 1 << 30  # RLIMIT_AS; torch + matplotlib peak at ~750 MB of it
    open_files: int = 64  # RLIMIT_NOFILE
    file_size_bytes: int = 1 << 20  # RLIMIT_FSIZE; 0 breaks tempfile, which torch uses
    # Added to each worker's niceness, so the bot's event loop gets a busy CPU first; jobs
    # are limited in CPU time (the pool's job_timeout), so waiting for a core fails none.
    nice: int = 10


@dataclass(frozen=True)
class WorkerProgram:
    """The module a worker process runs, and the package directories it may import from.

    The default is the production worker. Tests pass one that wraps its job loop with
    misbehaviour (tests/runner/misbehaving_worker.py), so the worker carries no test hooks.
    """

    module: str = "bot.runner.worker"
    packages: tuple[Path, ...] = (BOT_PACKAGE,)


def modes_to_try(requested: Literal["auto", "bwrap", "rlimits"]) -> list[SandboxMode]:
    """The sandboxes to try, best first: bwrap only where it is installed (and asked for)."""
    if requested == "rlimits":
        return ["rlimits"]
    if shutil.which("bwrap") is None:
        if requested == "bwrap":
            raise RunnerStartError("sandbox='bwrap' but bubblewrap (bwrap) is not installed")
        # Info, not a warning: every fresh machine lacks it, and `anneal run` must not print
        # it each time (the bot's log, at info level, still says so once per pool).
        log.info("runner: bubblewrap (bwrap) is not installed; using rlimits only")
        return ["rlimits"]
    return ["bwrap"] if requested == "bwrap" else ["bwrap", "rlimits"]


def worker_command(
    mode: SandboxMode,
    *,
    program: WorkerProgram,
    python: str,
    home: str,
    limits: Limits,
    plot: bool,
    job_cpu_seconds: float,
) -> tuple[list[str], dict[str, str], str]:
    """argv, environment and working directory for one worker."""
    flags = _worker_flags(limits, plot, job_cpu_seconds)
    worker = [python, "-s", "-m", program.module, *flags]
    if mode == "rlimits":
        parents = dict.fromkeys(str(package.parent) for package in program.packages)
        return worker, _environment(os.pathsep.join(parents), home), home
    sandbox = _bwrap_arguments(python, program.packages)
    return [*sandbox, *worker], _environment(SANDBOX_ROOT, "/tmp"), "/"


def _worker_flags(limits: Limits, plot: bool, job_cpu_seconds: float) -> list[str]:
    flags = [
        f"--memory={limits.memory_bytes}",
        f"--job-cpu={job_cpu_seconds:g}",
        f"--open-files={limits.open_files}",
        f"--file-size={limits.file_size_bytes}",
        f"--nice={limits.nice}",
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
    return env


def _bwrap_arguments(python: str, packages: tuple[Path, ...]) -> list[str]:
    """bubblewrap: no network, nothing writable but a private /tmp, only what Python needs.

    Each package (the bot's, normally) is mounted on its own under SANDBOX_ROOT, so the
    worker cannot read the rest of the checkout (a .env with the bot's token, the database).
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
    for package in packages:
        arguments += ["--ro-bind", str(package), f"{SANDBOX_ROOT}/{package.name}"]
    return arguments


def _python_paths(python: str) -> list[str]:
    """/usr, the interpreter's installation and the virtualenv, outermost first."""
    candidates = {"/usr", sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    candidates.add(str(Path(python).parent.parent))
    candidates.add(str(Path(python).resolve().parent.parent))
    paths = sorted(p for p in candidates if os.path.isdir(p))
    # A path inside another one is mounted by its parent already.
    return [p for p in paths if not any(p.startswith(q + "/") for q in paths if q != p)]
