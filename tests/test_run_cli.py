"""`anneal run` as a user runs it, in a child process: help, refusals in one line, compare."""

from __future__ import annotations

import pytest

from tests.conftest import AnnealCli


def test_run_help_lists_its_options_the_syntax_and_examples(anneal_cli: AnnealCli) -> None:
    """`anneal run --help` documents itself instead of pointing to itself."""
    done = anneal_cli("run", "--help")
    assert done.returncode == 0
    for option in ("--lr", "--steps", "--metrics", "--json", "--plot"):
        assert option in done.stdout
    assert "see `anneal run --help`" not in done.stdout
    assert "metrics=[...]" in done.stdout
    assert "anneal run compare 'StepLR(step_size=10)' ';' 'CosineAnnealingLR(T_max=50)'" in (
        done.stdout
    )
    assert done.stdout.count("\n  anneal run ") >= 4  # the examples


def test_anneal_help_mentions_run_compare(anneal_cli: AnnealCli) -> None:
    """The top-level help lists `run` and says it compares too."""
    done = anneal_cli("--help")
    assert done.returncode == 0
    assert "run compare" in done.stdout


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("--plot", "no/such/folder/chart.png"),
            "anneal run: --plot: the folder 'no/such/folder' does not exist; create it or pick "
            "another.\n",
        ),
        (
            ("--plot", "chart.jpg"),
            "anneal run: --plot writes a PNG image: give a file name ending in .png, not "
            "'chart.jpg'.\n",
        ),
        (
            ("--lr", "-0.5"),
            "anneal run: lr=-0.5 is refused before running: a learning rate can't be negative "
            "(torch itself would stop with ValueError).\n",
        ),
    ],
)
def test_bad_arguments_get_one_line_and_no_traceback(
    anneal_cli: AnnealCli, args: tuple[str, ...], line: str
) -> None:
    """A missing folder, a non-PNG name, a negative rate: one line on stderr, exit 2."""
    done = anneal_cli("run", "StepLR(step_size=2)", *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == line
    assert not (anneal_cli.workdir / "chart.jpg").exists()


@pytest.mark.torch
def test_compare_in_the_terminal_prints_the_table_and_writes_the_chart(
    anneal_cli: AnnealCli,
) -> None:
    """`anneal run compare A ';' B --plot FILE`: the key, a column each, and a PNG."""
    done = anneal_cli(
        "run",
        "compare",
        "StepLR(step_size=10)",
        ";",
        "CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=5)",
        "--steps",
        "30",
        "--plot",
        "compare.png",
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:3] == [
        "2 schedules compared · SGD(lr=0.1) · 30 steps",
        "1: StepLR(step_size=10)",
        "2: CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=5)",
    ]
    assert lines[3].split() == ["step", "1", "2"]
    assert lines[4].split() == ["0", "0.1", "0.01"]  # CyclicLR starts at base_lr
    assert "steps …" in done.stdout
    assert (anneal_cli.workdir / "compare.png").read_bytes().startswith(b"\x89PNG")
