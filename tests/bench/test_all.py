"""bench/all.py: one table from every module, tolerating the missing and the broken."""

from __future__ import annotations

from pathlib import Path

from bench.all import flags_for, run_module, summary
from bench.report import Figure, dump_json

FIGURE = Figure("fake", "answers p99", 12.5, "ms", target=20.0)


def write(directory: Path, name: str, body: str) -> None:
    """A benchmark module in `directory`."""
    (directory / f"{name}.py").write_text(body)


def test_figures_printed_as_json_are_collected(tmp_path: Path) -> None:
    """A module's --json output comes back as Figures; --quick is passed when offered."""
    write(
        tmp_path,
        "fake",
        "import sys\n"
        "# accepts --quick\n"
        "assert sys.argv[1:] == ['--json', '--quick'], sys.argv\n"
        f"print('a log line')\nprint({dump_json([FIGURE])!r})\n",
    )
    outcome = run_module("fake", full=False, timeout=60, directory=tmp_path)
    assert outcome.problem == ""
    assert outcome.figures == [FIGURE]


def test_a_missing_module_is_named_not_fatal(tmp_path: Path) -> None:
    """A module another engineer has not written yet is reported as not present."""
    outcome = run_module("answers", full=False, timeout=60, directory=tmp_path)
    assert outcome.figures == []
    assert outcome.problem.startswith("not present")


def test_a_crashing_module_is_reported_with_its_error(tmp_path: Path) -> None:
    """Exit status and the last lines of stderr explain a module that failed."""
    write(tmp_path, "broken", "raise SystemExit('the database is locked')\n")
    outcome = run_module("broken", full=False, timeout=60, directory=tmp_path)
    assert "exited with 1" in outcome.problem
    assert "the database is locked" in outcome.problem


def test_a_module_without_figures_is_reported(tmp_path: Path) -> None:
    """Output with no JSON figure lines (a module without --json) is not silently dropped."""
    write(tmp_path, "silent", "print('bench  figure  value')\n")
    outcome = run_module("silent", full=False, timeout=60, directory=tmp_path)
    assert outcome.problem == "printed no figures"


def test_flags_follow_what_the_module_offers() -> None:
    """--full and --quick are passed only to modules whose source mentions them."""
    assert flags_for("parser.add_argument('--full')", full=True) == ["--json", "--full"]
    assert flags_for("parser.add_argument('--json')", full=True) == ["--json"]
    assert flags_for("'--quick'", full=False) == ["--json", "--quick"]


def test_the_summary_counts_targets_and_names_problems(tmp_path: Path) -> None:
    """The lines under the table: targets met, then each module that did not report."""
    write(tmp_path, "fake", f"print({dump_json([FIGURE])!r})\n")
    outcomes = [
        run_module("fake", full=False, timeout=60, directory=tmp_path),
        run_module("missing", full=False, timeout=60, directory=tmp_path),
    ]
    lines = summary(outcomes)
    assert lines[0] == "1 of 1 targets met; 1 figures from 1 modules"
    assert any(line.startswith("missing: not present") for line in lines)
