"""`compare A ; B [; C ; D]` in the `!run` language: splitting, shared options, labels, refusals."""

from __future__ import annotations

import pytest

from bot.runner.language import compare_labels, compare_text, parse_compare, parse_run
from bot.runner.language._compare import split_schedules
from bot.runner.protocol import MAX_COMPARE
from bot.runner.spec import RunError, RunSpec, SchedulerSpec


def test_compare_text_is_what_follows_the_word() -> None:
    """`compare` (any case) starts a comparison; anything else is an ordinary run."""
    assert compare_text("compare StepLR(step_size=2) ; ExponentialLR(gamma=0.9)") == (
        "StepLR(step_size=2) ; ExponentialLR(gamma=0.9)"
    )
    assert compare_text("  Compare ") == ""
    assert compare_text("StepLR(step_size=2)") is None
    assert compare_text("comparestuff x") is None


def test_semicolons_inside_brackets_and_strings_do_not_split() -> None:
    """Only a top-level `;` separates schedules."""
    text = "LambdaLR(lr_lambda=[lambda e: 0.9; 1]) ; ReduceLROnPlateau(mode=';') ; x"
    assert split_schedules(text) == [
        "LambdaLR(lr_lambda=[lambda e: 0.9; 1])",
        "ReduceLROnPlateau(mode=';')",
        "x",
    ]


def test_each_schedule_is_parsed_as_its_own_run() -> None:
    """Each part gives the RunSpec `!run <part>` would, options included."""
    runs = parse_compare("StepLR(step_size=10) lr=0.05 ; CosineAnnealingLR(T_max=20) steps=20")
    assert [spec for _, spec in runs] == [
        parse_run("StepLR(step_size=10) lr=0.05"),
        parse_run("CosineAnnealingLR(T_max=20) steps=20"),
    ]


def test_an_options_only_part_applies_to_every_schedule_that_does_not_set_them() -> None:
    """`; steps=50 lr=0.2` sets both for every schedule, unless a schedule says otherwise."""
    runs = parse_compare(
        "StepLR(step_size=10) ; ExponentialLR(gamma=0.9) steps=5 ; steps=50 lr=0.2"
    )
    specs = [spec for _, spec in runs]
    assert [(s.steps, s.lr) for s in specs] == [(50, (0.2,)), (5, (0.2,))]


def test_shared_metrics_go_only_to_the_plateau_scheduler() -> None:
    """`metrics=` shared by every schedule reaches ReduceLROnPlateau and no other."""
    runs = parse_compare("ReduceLROnPlateau(patience=0) ; StepLR(step_size=2) ; metrics=[1, 1, 1]")
    plateau, step = (spec for _, spec in runs)
    assert plateau.metrics == (1.0, 1.0, 1.0)
    assert step.metrics is None


def test_metrics_inside_the_call_are_the_schedules_own() -> None:
    """A plateau run with metrics in its call keeps them; shared steps stretch them."""
    runs = parse_compare(
        "ReduceLROnPlateau(patience=0, metrics=[2, 1]) ; StepLR(step_size=2) ; "
        "steps=4 metrics=[9, 9, 9, 9]"
    )
    plateau = runs[0][1]
    assert (plateau.steps, plateau.metrics) == (4, (2.0, 1.0, 1.0, 1.0))


def test_labels_name_each_call_and_only_the_options_that_differ() -> None:
    """Labels are short: the call, plus lr/steps/optimizer only where runs differ."""
    labels = [
        label
        for label, _ in parse_compare(
            "StepLR(step_size=10) lr=0.05 ; StepLR(step_size=10) ; CosineAnnealingLR(T_max=50)"
        )
    ]
    assert labels == [
        "StepLR(step_size=10) lr=0.05",
        "StepLR(step_size=10) lr=0.1",
        "CosineAnnealingLR(T_max=50) lr=0.1",
    ]


def test_the_same_schedule_twice_is_told_apart_by_number() -> None:
    """Identical runs get (#1), (#2) so the legend still tells them apart."""
    spec = RunSpec(SchedulerSpec("StepLR", {"step_size": 2}))
    assert compare_labels([spec, spec]) == ["StepLR(step_size=2) (#1)", "StepLR(step_size=2) (#2)"]


@pytest.mark.parametrize("text", ["", "StepLR(step_size=2)", "StepLR(step_size=2) ; steps=5"])
def test_fewer_than_two_schedules_are_refused_with_an_example(text: str) -> None:
    """A comparison needs two schedules; the message shows one."""
    with pytest.raises(RunError, match=r"Compare needs 2 to 4 schedules.*e\.g\. `compare "):
        parse_compare(text)


def test_more_than_four_schedules_are_refused_kindly() -> None:
    """Five schedules: refused, saying how many one chart shows."""
    text = " ; ".join(f"StepLR(step_size={n})" for n in range(1, MAX_COMPARE + 2))
    with pytest.raises(RunError, match=f"at most {MAX_COMPARE} schedules on one chart"):
        parse_compare(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("StepLR(step_size=2) ; StepLR(step_size=0)", "schedule 2 (`StepLR(step_size=0)`): StepLR"),
        ("StepLR(step_size=2) ; Steplr(step_size=3)", "schedule 2 (`Steplr(step_size=3)`): "),
        ("StepLR(step_size=2 ; StepLR(step_size=3)", "schedule 1 ("),
        ("__import__('os') ; StepLR(step_size=3)", "schedule 1 (`__import__('os')`): "),
        ("import torch ; StepLR(step_size=3)", "not training loops"),
        ("StepLR(step_size=3) ; steplr-three-epochs gamma=0.3", "schedule 2 (`steplr-three-"),
        ("StepLR(step_size=3) ; steplr-three-epochs", "not problem ids"),
    ],
)
def test_refusals_name_the_schedule(text: str, message: str) -> None:
    """A bad schedule is refused by the same parser, and the message says which one."""
    with pytest.raises(RunError) as refused:
        parse_compare(text)
    assert message in str(refused.value)


def test_unknown_shared_option_is_named() -> None:
    """An options-only part may set only run options."""
    with pytest.raises(RunError, match="`stpes` isn't a run option"):
        parse_compare("StepLR(step_size=2) ; StepLR(step_size=3) ; stpes=5")


def test_two_options_only_parts_are_refused() -> None:
    """Shared options are given once."""
    with pytest.raises(RunError, match="once, after the last `;`"):
        parse_compare("StepLR(step_size=2) ; steps=3 ; StepLR(step_size=3) ; lr=0.2")
