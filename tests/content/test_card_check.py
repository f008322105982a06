"""The learn-card check: defaults against torch's signatures, numbers against the runner.

The comparisons are tested on made-up signatures and results; the torch-marked tests run
the real check, on the shipped cards and on a copy with a mistake in each kind of field.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from bot.content.card_check import (
    CardReport,
    check_cards,
    example_problems,
    parameter_problems,
    same_default,
)
from bot.content.cards import CARD_NAMES, Card, Example
from bot.runner import RunResult, parse_run
from bot.settings import SHIPPED_CONTENT_DIR
from tests.content.test_cards import card_data
from tests.content.test_loader import write_pack
from tests.engine.conftest import make_problem

STEPLR_SIGNATURE: list[dict[str, Any]] = [
    {"name": "optimizer", "required": True},
    {"name": "step_size", "required": True},
    {"name": "gamma", "required": False, "default": 0.1},
    {"name": "last_epoch", "required": False, "default": -1},
]


def card(**changes: Any) -> Card:
    """The test card (StepLR's parameters), with `changes`."""
    return Card.model_validate(card_data(**changes))


def test_a_card_that_says_what_torch_says_passes() -> None:
    """The leading optimizer need not be listed; names, defaults and order agree."""
    assert parameter_problems(card(), STEPLR_SIGNATURE) == []


def test_a_wrong_default_names_both_values() -> None:
    """gamma=0.5 on the card against torch's 0.1 is reported under parameters.gamma."""
    params = card_data()["parameters"]
    params[1]["default"] = 0.5
    assert parameter_problems(card(parameters=params), STEPLR_SIGNATURE) == [
        ("parameters.gamma", "the card says 0.5; torch's default is 0.1")
    ]


def test_missing_extra_and_misordered_parameters_are_each_reported() -> None:
    """A parameter torch lacks (verbose), one left out, and the wrong order: three problems."""
    params = card_data()["parameters"]
    shuffled = [params[1], params[0], {"name": "verbose", "default": False, "about": "gone"}]
    assert parameter_problems(card(parameters=shuffled), STEPLR_SIGNATURE) == [
        ("parameters.verbose", "torch's StepLR has no parameter verbose"),
        ("parameters", "last_epoch is missing: list it, or give the reason under `skipped:`"),
        ("parameters", "list them in torch's order: step_size, gamma"),
    ]


def test_a_skipped_parameter_needs_a_reason_and_must_exist() -> None:
    """`skipped: {last_epoch: why}` passes; skipping a name torch lacks is reported."""
    params = card_data()["parameters"][:2]
    assert (
        parameter_problems(
            card(parameters=params, skipped={"last_epoch": "resuming"}), STEPLR_SIGNATURE
        )
        == []
    )
    assert parameter_problems(
        card(parameters=params, skipped={"last_epoch": "resuming", "verbose": "removed"}),
        STEPLR_SIGNATURE,
    ) == [("skipped.verbose", "torch's StepLR has no parameter verbose")]


def test_required_and_optional_must_agree_with_torch() -> None:
    """A required parameter with a default on the card, and the other way round, are named."""
    params = card_data()["parameters"]
    params[0] = {"name": "step_size", "default": 1, "about": "x"}
    params[1] = {"name": "gamma", "required": True, "about": "x"}
    assert parameter_problems(card(parameters=params), STEPLR_SIGNATURE) == [
        ("parameters.step_size", "torch requires it; the card gives a default, 1"),
        ("parameters.gamma", "the card says it is required; torch's default is 0.1"),
    ]


@pytest.mark.parametrize(
    ("ours", "theirs", "same"),
    [
        ("1/3", 1 / 3, True),
        ("1e-08", 1e-08, True),
        (0, 0.0, True),
        (10000.0, 10000.0, True),
        (0.3, 1 / 3, False),
        ("cos", "cos", True),
        ("'cos'", "cos", False),
        (None, None, True),
        (False, None, False),
        (True, True, True),
        (1, True, False),
        (True, 1, False),
    ],
)
def test_defaults_compare_as_python_would(ours: object, theirs: object, same: bool) -> None:
    """Numbers compare by value (fractions and exponents too), the rest exactly."""
    assert same_default(ours, theirs) is same


def result(*rates: float, momentum: tuple[float, ...] | None = None, **extra: Any) -> RunResult:
    """A run's result: `rates[0]` before the first step, then one rate per step."""
    return RunResult(
        groups=(tuple(rates[1:]),),
        initial=(rates[0],),
        momentum=None if momentum is None else (momentum,),
        **extra,
    )


def test_facts_are_compared_with_the_run() -> None:
    """Each fact is checked against its value; wrong ones say what torch gave."""
    example = Example(
        run="StepLR(step_size=2) lr=0.1 steps=3",
        says="{lr@0=0.1} {lr@2=0.05} {max=0.1} {min=0.02} {peak=0} {momentum@1=0.9} {lr@9=1}",
    )
    ran = result(0.1, 0.1, 0.01, 0.01, momentum=(0.8, 0.85, 0.9))
    assert example_problems(example, parse_run(example.run), ran) == [
        "{lr@2=0.05}: torch gives 0.01",
        "{min=0.02}: torch gives 0.01",
        "{momentum@1=0.9}: torch gives 0.8",
        "{lr@9=1}: there is no such value in a run of 3 steps",
    ]


def test_peak_is_the_first_step_at_the_highest_rate() -> None:
    """{peak=N} counts from 0 and takes the first of equal highest rates."""
    example = Example(run="StepLR(step_size=2) lr=0.1 steps=4", says="Peaks at {peak=2}.")
    ran = result(0.01, 0.05, 0.1, 0.1, 0.05)
    assert example_problems(example, parse_run(example.run), ran) == []
    late = Example(run=example.run, says="Peaks at {peak=3}.")
    assert example_problems(late, parse_run(late.run), ran) == [
        "{peak=3}: the rate is highest at step 2"
    ]


def test_a_run_that_fails_or_warns_is_reported() -> None:
    """A card's example must run cleanly: torch's error or warning is the failure."""
    example = Example(run="StepLR(step_size=2) lr=0.1 steps=2", says="Ends at {lr@2=0.1}.")
    spec = parse_run(example.run)
    failed = result(0.1, error="StepLR stopped at step 1: boom")
    assert example_problems(example, spec, failed) == [
        "torch stopped with an error: StepLR stopped at step 1: boom"
    ]
    warned = result(0.1, 0.1, 0.1, warnings=("UserWarning: careful",))
    assert example_problems(example, spec, warned) == ["torch warned: UserWarning: careful"]


@pytest.fixture(scope="module")
def shipped_report() -> CardReport:
    """The real check of the shipped cards (a torch subprocess and a runner worker)."""
    return check_cards(SHIPPED_CONTENT_DIR / "cards")


@pytest.mark.torch
def test_the_shipped_cards_agree_with_torch(shipped_report: CardReport) -> None:
    """All 16 cards: every parameter and default as torch 2.13 has it, every number as it runs."""
    assert shipped_report.failures == []
    assert shipped_report.cards_checked == len(CARD_NAMES) == 16
    assert shipped_report.torch_version.startswith("2.13")
    assert shipped_report.runs == 32  # a typical schedule and a variation per card
    assert shipped_report.facts_checked >= 2 * 16
    assert shipped_report.parameters_checked >= 60


def edit_card(folder: Path, name: str, change: Any) -> None:
    """Load `<name>.yaml` from `folder`, let `change` edit the data, write it back."""
    path = folder / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def break_cards(cards: Path) -> None:
    """One mistake in each kind of field, in five cards of a copy."""

    def wrong_default(data: dict[str, Any]) -> None:
        gamma = next(p for p in data["parameters"] if p["name"] == "gamma")
        gamma["default"] = 0.5

    def wrong_number(data: dict[str, Any]) -> None:
        data["typical"]["says"] = data["typical"]["says"].replace("{lr@10=0.0505}", "{lr@10=0.06}")

    def removed_parameter(data: dict[str, Any]) -> None:
        data["parameters"].append({"name": "verbose", "default": False, "about": "prints"})

    def unparsable_run(data: dict[str, Any]) -> None:
        data["then"]["run"] = "ExponentialLR(gamma=0.99"

    def failing_run(data: dict[str, Any]) -> None:
        data["typical"]["run"] = data["typical"]["run"].replace("steps=99", "steps=101")

    edit_card(cards, "steplr", wrong_default)
    edit_card(cards, "cosineannealinglr", wrong_number)
    edit_card(cards, "linearlr", removed_parameter)
    edit_card(cards, "exponentiallr", unparsable_run)
    edit_card(cards, "onecyclelr", failing_run)
    (cards / "swalr.yaml").unlink()


@pytest.mark.torch
def test_content_check_names_the_card_and_field_of_each_mistake(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`anneal content check` on a copy with broken cards exits 1 and names each one."""
    content = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT_DIR / "cards", content / "cards")
    write_pack(content, "tiny", make_problem("fine"))  # a pack with no snippet: quick to check
    break_cards(content / "cards")
    assert main(["content", "check", str(content)]) == 1
    err = capsys.readouterr().err
    expected = [
        "steplr.yaml: StepLR: parameters.gamma: the card says 0.5; torch's default is 0.1",
        "cosineannealinglr.yaml: CosineAnnealingLR: typical: {lr@10=0.06}: torch gives 0.0505",
        "linearlr.yaml: LinearLR: parameters.verbose: torch's LinearLR has no parameter verbose",
        "exponentiallr.yaml: ExponentialLR: then.run: ",
        "onecyclelr.yaml: OneCycleLR: typical: torch stopped with an error: ",
        "cards: no card for SWALR",
    ]
    for line in expected:
        assert line in err
    assert "6 problem(s) found" in err  # the six mistakes, and nothing else
