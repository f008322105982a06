"""`anneal run`: what the arguments mean (read without torch), then the table, --json, --plot
and exit codes through a real worker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.runner import command
from bot.runner.language import parse_compare, parse_run
from bot.runner.spec import RunError
from tests.runner.helpers import Reference

# --- what the arguments mean: read in this process, no worker ------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["ReduceLROnPlateau(patience=1, metrics=[1, 0.9, 0.9])"],  # inside the call
        ["ReduceLROnPlateau(patience=1)", "metrics=[1, 0.9, 0.9]"],  # after it, as in !run
        ["ReduceLROnPlateau(patience=1) metrics=[1, 0.9, 0.9]"],
        ["ReduceLROnPlateau(patience=1)", "--metrics", "1", "0.9", "0.9"],  # the flag
    ],
)
def test_every_spelling_of_metrics_users_try_means_the_same(argv: list[str]) -> None:
    """Metrics inside the call, after it, or as --metrics give the same run."""
    expected = parse_run("ReduceLROnPlateau(patience=1) metrics=[1, 0.9, 0.9]")
    assert command.plan(argv).spec == expected


def test_flags_win_over_the_expression_and_are_checked_like_it() -> None:
    """--lr and --steps replace the expression's values; --steps trims the plateau's metrics."""
    chosen = command.plan(["StepLR(step_size=2) lr=0.5 steps=3", "--lr", "0.2", "--steps", "7"])
    assert chosen.spec is not None
    assert (chosen.spec.lr, chosen.spec.steps) == ((0.2,), 7)
    plateau = command.plan(["ReduceLROnPlateau() metrics=[3, 2, 1]", "--steps", "2"]).spec
    assert plateau is not None
    assert plateau.metrics == (3.0, 2.0)


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["StepLR(step_size=2)", "--lr", "-1"], "lr=-1 is refused before running"),
        (["StepLR(step_size=2)", "--lr", "0"], "lr=0 is refused before running"),
        (["StepLR(step_size=0)"], "StepLR: step_size=0 is refused before running"),
        (["StepLR(step_size=2)", "--steps", "0"], "--steps must be between 1 and 10,000"),
        (["StepLR(step_size=2)", "--metrics", "1"], "metrics are only used by ReduceLROnPlateau"),
    ],
)
def test_values_torch_refuses_are_refused_before_any_worker(argv: list[str], reason: str) -> None:
    """Bad values are refused while reading the arguments, with the reason."""
    with pytest.raises(RunError, match=reason):
        command.plan(argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["compare", "StepLR(step_size=2) ; ExponentialLR(gamma=0.9) ; steps=5"],
        ["compare StepLR(step_size=2) ; ExponentialLR(gamma=0.9) ; steps=5"],
        ["compare", "StepLR(step_size=2)", ";", "ExponentialLR(gamma=0.9)", ";", "steps=5"],
        ["compare", "StepLR(step_size=2)", "ExponentialLR(gamma=0.9)", "steps=5"],
        ["compare", "StepLR(step_size=2)", "ExponentialLR(gamma=0.9)", "--steps", "5"],
    ],
)
def test_compare_reads_the_schedules_however_the_shell_split_them(argv: list[str]) -> None:
    """One quoted string, `';'` between arguments, or one argument per schedule: the same."""
    expected = parse_compare("StepLR(step_size=2) ; ExponentialLR(gamma=0.9) ; steps=5")
    assert list(command.plan(argv).runs) == expected


def test_compare_flags_name_the_schedule_they_break() -> None:
    """A flag that one schedule can't take is refused, naming that schedule."""
    argv = ["compare", "StepLR(step_size=2) ; CyclicLR(base_lr=0.01, max_lr=0.1)", "--lr", "0"]
    with pytest.raises(RunError, match=r"^schedule 1: lr=0 is refused"):
        command.plan(argv)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("chart.jpg", "--plot writes a PNG image: give a file name ending in .png"),
        ("missing/chart.png", "--plot: the folder '.*missing' does not exist"),
        ("", "--plot: '.*' is a folder"),
    ],
)
def test_a_plot_path_that_cannot_take_a_png_is_refused_first(
    tmp_path: Path, name: str, reason: str
) -> None:
    """A non-PNG name, a missing folder or a folder: one clear reason, before running."""
    target = tmp_path / name if name else tmp_path.parent / (tmp_path.name + ".png")
    if not name:
        target.mkdir()
    with pytest.raises(RunError, match=reason):
        command.plan(["StepLR(step_size=2)", "--plot", str(target)])


# --- through a real worker ---------------------------------------------------------------


def step_lr(o: object) -> object:
    """The StepLR the expressions under test stand for, built on optimizer `o`."""
    from torch.optim.lr_scheduler import StepLR

    return StepLR(o, step_size=2, gamma=0.5)  # type: ignore[arg-type]


@pytest.mark.torch
def test_json_lrs_are_the_printed_rates(
    capsys: pytest.CaptureFixture[str], torch_reference: Reference
) -> None:
    """--json prints one object whose lrs are param_groups[0]['lr'] after each of N steps."""
    code = command.main(["StepLR(step_size=2, gamma=0.5)", "--steps", "7", "--lr", "0.2", "--json"])
    out = capsys.readouterr().out
    answer = json.loads(out)
    expected, _ = torch_reference(step_lr, lrs=(0.2,), steps=7)
    assert code == 0
    assert out.count("\n") == 1
    assert answer["lrs"] == expected[0]
    assert answer["groups"] == expected
    assert answer["initial"] == [0.2]
    assert answer["error"] is None


@pytest.mark.torch
def test_table_and_plot(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Without --json the table is printed; --plot FILE writes a PNG."""
    chart = tmp_path / "chart.png"
    code = command.main(
        ["StepLR(step_size=2, gamma=0.5)", "--lr", "0.1", "0.2", "--plot", str(chart)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("StepLR(step_size=2, gamma=0.5) · SGD(lr=0.1, 0.2) · 10 steps\n")
    assert "lr[1]: min 0.00625 · max 0.2 · final 0.00625" in out
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.torch
def test_torchs_error_is_shown_and_exits_one(capsys: pytest.CaptureFixture[str]) -> None:
    """A schedule torch stops part-way still prints its steps, the error, and exits 1."""
    code = command.main(["OneCycleLR(max_lr=1.0, total_steps=10)", "--steps", "12", "--json"])
    answer = json.loads(capsys.readouterr().out)
    assert code == 1
    assert len(answer["lrs"]) == 10
    assert answer["error"].startswith("OneCycleLR was stepped 11 times")
    assert len(answer["momentum"][0]) == 10
    assert answer["initial_momentum"] == [0.95]


def test_refused_input_exits_two_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """A refusal exits 2 with a single line on stderr and nothing on stdout."""
    code = command.main(["import os"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.startswith("anneal run: ")
    assert captured.err.count("\n") == 1


@pytest.mark.torch
def test_compare_prints_a_column_per_schedule_and_writes_one_chart(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, torch_reference: Reference
) -> None:
    """`anneal run compare` prints the key and torch's rates per schedule, --json the same."""
    chart = tmp_path / "compare.png"
    argv = ["compare", "StepLR(step_size=2, gamma=0.5)", ";", "ExponentialLR(gamma=0.5)"]
    code = command.main([*argv, "--steps", "4", "--plot", str(chart), "--json"])
    answer = json.loads(capsys.readouterr().out)
    assert code == 0
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    labels = [s["label"] for s in answer["schedules"]]
    assert labels == ["StepLR(step_size=2, gamma=0.5)", "ExponentialLR(gamma=0.5)"]
    expected, _ = torch_reference(step_lr, steps=4)
    assert answer["schedules"][0]["lrs"] == expected[0]
