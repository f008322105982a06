"""Tests for `anneal content check`: keys agree with torch, and every wrong key is named.

These run real torch in a subprocess, as CI does.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.content.check import (
    CheckReport,
    SnippetRun,
    check_content,
    run_snippets,
    unmet_expectations,
)
from bot.engine.problems import LETTERS, Expectation
from bot.settings import SHIPPED_CONTENT_DIR

pytestmark = pytest.mark.torch


@pytest.fixture(scope="module")
def shipped_report() -> CheckReport:
    return check_content(SHIPPED_CONTENT_DIR)


def copy_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT_DIR, target)
    return target


def test_shipped_keys_agree_with_torch(shipped_report: CheckReport) -> None:
    """Every predict-the-output key of the shipped content is what torch prints."""
    assert shipped_report.failures == []
    assert shipped_report.snippets_run >= 5


def test_every_wrong_key_is_listed(tmp_path: Path) -> None:
    """Moving each prediction key to another option makes the check name every one of them."""
    content = copy_content(tmp_path)
    path = content / "lr-scheduler-master.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    flipped = []
    for problem in data["problems"]:
        if problem["kind"] != "predict_output":
            continue
        letters = [x for x in LETTERS if x in problem["options"]]
        wrong = letters[(letters.index(problem["answer"]) + 1) % len(letters)]
        problem["why_not"][problem["answer"]] = problem["why_not"].pop(wrong)
        problem["answer"] = wrong
        flipped.append(problem["id"])
    assert len(flipped) >= 2
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    report = check_content(content)

    named = [pid for pid in flipped if any(f"'{pid}'" in f for f in report.failures)]
    assert named == flipped
    assert all("but torch printed option" in f for f in report.failures)


def test_unknown_scheduler_name_is_refused(tmp_path: Path) -> None:
    """A scheduler name that torch does not have is reported."""
    content = copy_content(tmp_path)
    path = content / "lr-scheduler-master.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["problems"][0]["schedulers"] = ["StepLRR"]
    data["problems"][0]["subject"] = ["StepLRR"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    report = check_content(content)
    assert any("StepLRR is not a class of torch.optim.lr_scheduler" in f for f in report.failures)


def test_swalr_and_every_lr_scheduler_class_are_scheduler_names() -> None:
    """torch's scheduler names are the 15 of lr_scheduler and SWALR, and no helper class."""
    schedulers, _ = run_snippets({})
    assert "SWALR" in schedulers
    assert {"StepLR", "ReduceLROnPlateau", "SequentialLR", "OneCycleLR"} <= schedulers
    assert not schedulers & {"LRScheduler", "Optimizer", "Tensor", "Counter"}
    assert len(schedulers) == 16


def test_an_unknown_subject_is_refused(tmp_path: Path) -> None:
    """A subject that torch does not have is reported like a wrong scheduler name."""
    content = copy_content(tmp_path)
    path = content / "lr-scheduler-master.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["problems"][0]["schedulers"].append("SWALRR")
    data["problems"][0]["subject"] = ["SWALRR"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    report = check_content(content)
    assert [f for f in report.failures if "SWALRR" in f] == [
        f"lr-scheduler-master.yaml: problem {data['problems'][0]['id']!r}: SWALRR is not a "
        "class of torch.optim.lr_scheduler (or torch.optim.swa_utils.SWALR)"
    ]


def test_cli_exits_non_zero_on_a_wrong_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`anneal content check DIR` fails with the problem on stderr."""
    content = copy_content(tmp_path)
    path = content / "lr-scheduler-master.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    target = next(p for p in data["problems"] if p["kind"] == "predict_output")
    target["code"] = target["code"] + "\nprint('and one more line')\n"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert main(["content", "check", str(content)]) == 1
    assert target["id"] in capsys.readouterr().err


def test_snippet_errors_are_reported(tmp_path: Path) -> None:
    """A snippet that raises is reported with torch's error, not a crash of the checker."""
    content = copy_content(tmp_path)
    path = content / "lr-scheduler-master.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    target = next(p for p in data["problems"] if p["kind"] == "predict_output")
    target["code"] = "import torch\nraise SystemExit(3)\n"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    report = check_content(content)
    assert any("the snippet failed: SystemExit" in f for f in report.failures)


def test_expectations_compare_whole_lines_warnings_and_errors() -> None:
    """`expect` claims are met only by whole output lines, real warnings and the real error."""
    run = SnippetRun(
        stdout="lr = 0.001\nlr = 0.1\n",
        error=None,
        warnings=("UserWarning: Detected call of `lr_scheduler.step()` before",),
    )
    met = Expectation(prints=["lr = 0.001"], warns=["Detected call of `lr_scheduler.step()`"])
    assert unmet_expectations(met, run) == []
    assert len(unmet_expectations(Expectation(prints=["lr = 0.01"]), run)) == 1
    assert len(unmet_expectations(Expectation(warns=["deprecated"]), run)) == 1
    assert len(unmet_expectations(Expectation(raises="ValueError"), run)) == 1
    failed = SnippetRun(stdout="", error="ValueError: Tried to step 7 times", warnings=())
    assert unmet_expectations(Expectation(raises="Tried to step 7 times"), failed) == []
    assert len(unmet_expectations(Expectation(prints=["x"]), failed)) == 2


def test_debug_snippets_must_say_what_they_show(tmp_path: Path) -> None:
    """A debug problem with code but no `expect:` is reported."""
    content = copy_content(tmp_path)
    path = content / "lr-scheduler-master.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    target = next(p for p in data["problems"] if p["kind"] == "debug" and p.get("code"))
    del target["expect"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    report = check_content(content)
    assert [f for f in report.failures if "needs `expect:`" in f] == [
        f"lr-scheduler-master.yaml: problem {target['id']!r}: a debug snippet needs `expect:` "
        "(what it prints, warns or raises), so the claims about its output are checked"
    ]
