"""`anneal run`: the table, --json, --plot, overrides and exit codes, through a real worker."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from bot.runner import command
from bot.runner.spec import RunError, RunSpec, SchedulerSpec
from tests.runner.helpers import Reference
from tests.shared_runner import ThreadedRunnerPool

SPECS = {
    "StepLR(step_size=2, gamma=0.5)": RunSpec(
        SchedulerSpec("StepLR", {"step_size": 2, "gamma": 0.5})
    ),
    "OneCycleLR(max_lr=1.0, total_steps=10)": RunSpec(
        SchedulerSpec("OneCycleLR", {"max_lr": 1.0, "total_steps": 10})
    ),
}


@pytest.fixture
def fake_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in for bot.runner.language that knows two expressions and refuses the rest."""

    def parse_run(text: str) -> RunSpec:
        if text not in SPECS:
            raise RunError(f"Cannot read {text!r}:\nnot a scheduler.")
        return SPECS[text]

    module = types.ModuleType("bot.runner.language")
    module.parse_run = parse_run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bot.runner.language", module)


@pytest.fixture
def warm_runner(monkeypatch: pytest.MonkeyPatch, shared_runner: ThreadedRunnerPool) -> None:
    """`anneal run` computes on the suite's warm worker instead of starting its own (seconds
    of torch and matplotlib); test_with_the_real_parser still lets it start one."""
    monkeypatch.setattr(command, "RunnerPool", shared_runner.lent)


def step_lr(o: object) -> object:
    """The StepLR the expressions under test stand for, built on optimizer `o`."""
    from torch.optim.lr_scheduler import StepLR

    return StepLR(o, step_size=2, gamma=0.5)  # type: ignore[arg-type]


@pytest.mark.usefixtures("warm_runner")
def test_json_lrs_are_the_printed_rates(
    fake_parser: None, capsys: pytest.CaptureFixture[str], torch_reference: Reference
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


@pytest.mark.usefixtures("warm_runner")
def test_several_learning_rates_make_several_groups(
    fake_parser: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """--lr with several values runs one parameter group per value."""
    command.main(["StepLR(step_size=2, gamma=0.5)", "--lr", "0.1", "1.0", "--steps", "2", "--json"])
    answer = json.loads(capsys.readouterr().out)
    assert answer["groups"] == [[0.1, 0.05], [1.0, 0.5]]


@pytest.mark.usefixtures("warm_runner")
def test_table_and_plot(
    fake_parser: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Without --json the table is printed; --plot FILE writes a PNG."""
    chart = tmp_path / "chart.png"
    code = command.main(["StepLR(step_size=2, gamma=0.5)", "--plot", str(chart)])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("StepLR(step_size=2, gamma=0.5) · SGD(lr=0.1) · 10 steps\n")
    assert "lr: min 0.003125 · max 0.1 · final 0.003125" in out
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.usefixtures("warm_runner")
def test_torchs_error_is_shown_and_exits_one(
    fake_parser: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """A schedule torch stops part-way still prints its steps, the error, and exits 1."""
    code = command.main(["OneCycleLR(max_lr=1.0, total_steps=10)", "--steps", "12", "--json"])
    answer = json.loads(capsys.readouterr().out)
    assert code == 1
    assert len(answer["lrs"]) == 10
    assert answer["error"].startswith("OneCycleLR was stepped 11 times")
    assert len(answer["momentum"][0]) == 10


def test_refused_input_exits_two_with_one_line(
    fake_parser: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """A RunError from the parser exits 2 with a single line on stderr and nothing on stdout."""
    code = command.main(["import os"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err == "anneal run: Cannot read 'import os': not a scheduler.\n"


def test_steps_out_of_range_are_refused(
    fake_parser: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """--steps 0 is refused before any worker starts."""
    assert command.main(["StepLR(step_size=2, gamma=0.5)", "--steps", "0"]) == 2
    assert "--steps must be between 1 and 10,000" in capsys.readouterr().err


def test_with_the_real_parser(capsys: pytest.CaptureFixture[str]) -> None:
    """The real bot.runner.language parses the expression the same way."""
    pytest.importorskip("bot.runner.language")
    code = command.main(["StepLR(step_size=2, gamma=0.5)", "--steps", "4", "--json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["lrs"] == [0.1, 0.05, 0.05, 0.025]
