"""A real terminal for tests: a tmux pane running one command, driven by keys and read from
the screen, as a person at a keyboard would use it."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

# A pane shows this after its command ends, so the test can read the exit code.
_EXIT = re.compile(r"\[exit (\d+)\]")
WAIT = 20.0  # seconds a test waits for text before it fails, printing the screen

needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Tmux:
    """A private tmux server (its own socket, so no one else's sessions are touched)."""

    def __init__(self, socket: Path) -> None:
        self.socket = socket
        self._windows = 0

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-S", str(self.socket), *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
        return done.stdout

    def run(self, argv: Sequence[str], env: Mapping[str, str], cwd: Path) -> Pane:
        """Start `argv` in a new 100x50 terminal with exactly `env`, in `cwd`."""
        self._windows += 1
        name = f"t{self._windows}"
        variables = " ".join(shlex.quote(f"{k}={v}") for k, v in env.items())
        command = " ".join(shlex.quote(part) for part in argv)
        # The shell stays after the command, showing its exit code, until the server stops.
        script = (
            f"cd {shlex.quote(str(cwd))} && env -i {variables} {command}; "
            'echo "[exit $?]"; sleep 600'
        )
        self._tmux("new-session", "-d", "-s", name, "-x", "100", "-y", "50", script)
        return Pane(self, name)

    def close(self) -> None:
        """Stop the server and every pane's process."""
        subprocess.run(
            ["tmux", "-S", str(self.socket), "kill-server"], capture_output=True, check=False
        )


class Pane:
    """One terminal: send it keys, read what it shows."""

    def __init__(self, tmux: Tmux, name: str) -> None:
        self.tmux = tmux
        self.name = name
        self._seen = 0  # how much of the transcript earlier waits consumed

    def type(self, text: str) -> None:
        """Type `text` and press Enter."""
        self.tmux._tmux("send-keys", "-t", self.name, "-l", text)
        self.keys("Enter")

    def keys(self, *keys: str) -> None:
        """Press keys by tmux name: Enter, C-c, C-d, ..."""
        self.tmux._tmux("send-keys", "-t", self.name, *keys)

    def transcript(self) -> str:
        """Everything the terminal showed, wrapped lines joined."""
        return self.tmux._tmux("capture-pane", "-p", "-J", "-S", "-", "-t", self.name)

    def wait_for(self, text: str, timeout: float = WAIT) -> str:
        """Wait until `text` shows after what earlier waits found; the transcript up to it."""
        give_up = time.monotonic() + timeout
        while True:
            shown = self.transcript()
            found = shown.find(text, self._seen)
            if found >= 0:
                self._seen = found + len(text)
                return shown[: self._seen]
            if time.monotonic() > give_up:
                raise AssertionError(f"{text!r} did not show in {timeout} s; the screen:\n{shown}")
            time.sleep(0.05)

    def exit_code(self, timeout: float = WAIT) -> int:
        """Wait for the command to end; its exit code."""
        self.wait_for("[exit ", timeout)
        found = _EXIT.search(self.transcript())
        assert found is not None
        return int(found[1])
