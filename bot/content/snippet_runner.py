"""Run content snippets with real torch, in a process of their own (`anneal content check`).

Snippets come from the project's own content files, never from users: this process is a
test harness, not a sandbox. It imports torch once, runs each snippet with fresh globals
and reports its output as JSON on stdout.

Input (stdin): {"snippets": {"<problem id>": "<code>", ...}, "timeout": seconds}
Output (stdout): {"schedulers": [...], "results": {"<id>": {"stdout", "error", "warnings"}}}

With `--serve` it stays warm for the generator (bot/content/snippet_session.py): each line
on stdin is one such request and each answer is one line on stdout, until stdin closes.
"""

from __future__ import annotations

import contextlib
import io
import json
import signal
import sys
import traceback
import warnings
from types import FrameType
from typing import Any


class SnippetTimeout(Exception):
    """A snippet ran past its time limit."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise SnippetTimeout


def run_snippet(code: str, timeout: int) -> dict[str, Any]:
    """Run one snippet with fresh globals: its stdout, error and warnings."""
    out = io.StringIO()
    error: str | None = None
    signal.signal(signal.SIGALRM, _on_alarm)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        signal.alarm(timeout)
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(code, "<snippet>", "exec"), {"__name__": "__main__"})
        except SnippetTimeout:
            error = f"timed out after {timeout} s"
        except BaseException as exc:  # a snippet may raise anything, even SystemExit
            last = traceback.extract_tb(exc.__traceback__)[-1]
            error = f"{type(exc).__name__}: {exc} (line {last.lineno})"
        finally:
            signal.alarm(0)
    messages = list(dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught))
    return {"stdout": out.getvalue(), "error": error, "warnings": messages}


def scheduler_names() -> list[str]:
    """Every public scheduler class: those of lr_scheduler, and SWALR from swa_utils."""
    import torch.optim.lr_scheduler as lr_scheduler
    from torch.optim import swa_utils

    return sorted(
        {
            name
            for module in (lr_scheduler, swa_utils)
            for name in dir(module)
            if not name.startswith("_")
            and name != "LRScheduler"
            and isinstance(cls := getattr(module, name), type)
            and issubclass(cls, lr_scheduler.LRScheduler)
        }
    )


def answer(request: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """Run every snippet of one request: torch's scheduler names and each result."""
    timeout = int(request.get("timeout", 10))
    results = {pid: run_snippet(code, timeout) for pid, code in request["snippets"].items()}
    return {"schedulers": names, "results": results}


def serve() -> None:
    """Answer one request per line until stdin closes, torch imported once for all of them."""
    names = scheduler_names()
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(answer(json.loads(line), names)) + "\n")
            sys.stdout.flush()


def main() -> None:
    """Read the snippets as JSON on stdin, run each, write the results as JSON."""
    if "--serve" in sys.argv[1:]:
        serve()
        return
    request = json.load(sys.stdin)
    json.dump(answer(request, scheduler_names()), sys.stdout)


if __name__ == "__main__":
    main()
