"""`anneal content check`: validate every pack and verify answer keys against real torch."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.content.loader import ContentError, load_library
from bot.engine.problems import Expectation, Kind, Problem

SNIPPET_TIMEOUT = 20  # seconds for one snippet; a cold torch import is not counted here
STARTUP_ALLOWANCE = 60  # seconds for the checker process to import torch


@dataclass(frozen=True)
class SnippetRun:
    """What one snippet did under real torch: its output, its error, its warnings."""

    stdout: str
    error: str | None
    warnings: tuple[str, ...]


@dataclass
class CheckReport:
    """What `anneal content check` found: counts, and every failure."""

    problems_checked: int = 0
    snippets_run: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether nothing failed."""
        return not self.failures


def check_content(directory: Path, python: str = sys.executable) -> CheckReport:
    """Every failure in `directory`'s packs, not just the first."""
    report = CheckReport()
    try:
        library = load_library(directory, strict=True)
    except ContentError as exc:
        report.failures.extend(exc.problems)
        return report
    report.problems_checked = sum(1 for _ in library.problems())
    snippets = {p.id: p.code for _, p in library.problems() if p.code}
    try:
        schedulers, runs = run_snippets(snippets, python)
    except SnippetRunnerError as exc:
        report.failures.append(f"cannot run snippets with torch: {exc}")
        return report
    report.snippets_run = len(runs)
    for pack, problem in library.problems():
        where = f"{library.sources[pack.id].name}: problem {problem.id!r}"
        for name in dict.fromkeys([*problem.schedulers, *problem.subject]):
            if name not in schedulers:
                report.failures.append(
                    f"{where}: {name} is not a class of torch.optim.lr_scheduler "
                    "(or torch.optim.swa_utils.SWALR)"
                )
        is_prediction = problem.kind is Kind.PREDICT_OUTPUT
        if is_prediction and (message := key_disagreement(problem, runs[problem.id])):
            report.failures.append(f"{where}: {message}")
        if problem.kind is Kind.DEBUG and problem.code and problem.expect is None:
            report.failures.append(
                f"{where}: a debug snippet needs `expect:` (what it prints, warns or raises), "
                "so the claims about its output are checked"
            )
        if problem.expect is not None:
            for message in unmet_expectations(problem.expect, runs[problem.id]):
                report.failures.append(f"{where}: {message}")
    return report


def key_disagreement(problem: Problem, run: SnippetRun) -> str | None:
    """Why the answer key disagrees with what torch printed, or None if it agrees."""
    if run.error:
        return f"the snippet failed: {run.error}"
    printed = run.stdout.strip()
    matching = [letter for letter, text in problem.options.items() if text.strip() == printed]
    if matching == [problem.answer]:
        return None
    shown = printed if len(printed) <= 200 else printed[:200] + "…"
    if matching:
        return (
            f"the key says {problem.answer}, but torch printed option "
            f"{', '.join(matching)}: {shown!r}"
        )
    return f"the key says {problem.answer}, but torch printed {shown!r}, which is no option"


def unmet_expectations(expect: Expectation, run: SnippetRun) -> list[str]:
    """Each claim of `expect` that the real run did not show."""
    unmet = []
    lines = [line.strip() for line in run.stdout.splitlines()]
    for text in expect.prints:
        if text not in lines:
            unmet.append(f"expected the line {text!r} in the output; it printed {run.stdout!r}")
    for text in expect.warns:
        if not any(text in warning for warning in run.warnings):
            unmet.append(f"expected a warning containing {text!r}; got {list(run.warnings)}")
    if expect.raises is None and run.error:
        unmet.append(f"the snippet failed: {run.error}")
    elif expect.raises is not None and (run.error is None or expect.raises not in run.error):
        unmet.append(f"expected an error containing {expect.raises!r}; got {run.error!r}")
    return unmet


class SnippetRunnerError(Exception):
    """The snippet-runner process failed as a whole (not one snippet)."""


def run_snippets(
    snippets: dict[str, str], python: str = sys.executable
) -> tuple[set[str], dict[str, SnippetRun]]:
    """Run snippets in one torch process; return torch's scheduler names and each output."""
    request = json.dumps({"snippets": snippets, "timeout": SNIPPET_TIMEOUT})
    try:
        done = subprocess.run(
            [python, "-m", "bot.content.snippet_runner"],
            input=request,
            capture_output=True,
            text=True,
            timeout=STARTUP_ALLOWANCE + SNIPPET_TIMEOUT * max(len(snippets), 1),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise SnippetRunnerError("the snippet runner did not finish in time") from exc
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no error output"]
        raise SnippetRunnerError(f"exit status {done.returncode}: {tail[0]}")
    data: dict[str, Any] = json.loads(done.stdout)
    runs = {
        pid: SnippetRun(r["stdout"], r["error"], tuple(r["warnings"]))
        for pid, r in data["results"].items()
    }
    return set(data["schedulers"]), runs
