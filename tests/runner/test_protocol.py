"""The runner's pipe protocol: specs and results survive JSON, answers are strict JSON."""

from __future__ import annotations

import json
import math

import pytest

from bot.runner.protocol import (
    answer_line,
    chart_job,
    compare_job,
    cycles_momentum,
    decode_png,
    decode_result,
    decode_spec,
    encode_png,
    encode_result,
    encode_spec,
)
from bot.runner.spec import LambdaSpec, RunResult, RunSpec, SchedulerSpec

S = SchedulerSpec
NESTED = RunSpec(
    S(
        "SequentialLR",
        {
            "schedulers": [
                S("LambdaLR", {"lr_lambda": LambdaSpec("e", ["num", 0.5], "lambda e: 0.5")}),
                S("ExponentialLR", {"gamma": 0.9}),
            ],
            "milestones": [3],
        },
    ),
    lr=(0.1, 0.2),
    steps=7,
    optimizer="Adam",
)


def test_a_spec_survives_a_json_round_trip() -> None:
    """Nested schedulers and lambdas come back as the same frozen dataclasses."""
    assert decode_spec(json.loads(json.dumps(encode_spec(NESTED)))) == NESTED


def test_a_result_survives_strict_json() -> None:
    """Infinities travel as strings in a strict JSON line and read back as floats."""
    result = RunResult(
        groups=((0.1, math.inf), (0.2, -math.inf)),
        initial=(0.1, 0.2),
        momentum=((0.9, 0.8), (0.9, 0.8)),
        initial_momentum=(0.95, 0.95),
        warnings=("UserWarning: careful",),
        error="stopped",
    )

    def refuse(token: str) -> None:
        raise AssertionError(f"non-standard JSON token {token}")

    line = answer_line(encode_result(result))
    assert line.endswith(b"\n")
    assert decode_result(json.loads(line, parse_constant=refuse)) == result


def test_chart_and_compare_jobs_carry_their_specs() -> None:
    """A chart job is the spec, plot and its title; a compare job labels each spec."""
    assert chart_job(NESTED, "t") == {**encode_spec(NESTED), "plot": True, "title": "t"}
    job = compare_job([("a", NESTED)])
    assert job == {"compare": [{"label": "a", "spec": encode_spec(NESTED)}]}


def test_png_round_trip() -> None:
    """A chart's bytes survive the base64 text an answer carries."""
    assert decode_png({"png": encode_png(b"\x89PNG")}) == b"\x89PNG"


def test_malformed_spec_is_a_value_error() -> None:
    """A job whose scheduler is not a scheduler is refused with ValueError."""
    with pytest.raises(ValueError, match="must be a scheduler"):
        decode_spec({"scheduler": "StepLR", "lr": [0.1], "steps": 1, "optimizer": "SGD"})


@pytest.mark.parametrize(
    ("spec", "cycles"),
    [
        (S("OneCycleLR", {"max_lr": 1.0, "total_steps": 5}), True),
        (S("CyclicLR", {"base_lr": 0.1, "max_lr": 1.0, "cycle_momentum": False}), False),
        (S("ChainedScheduler", {"schedulers": [S("StepLR", {}), S("OneCycleLR", {})]}), True),
        (S("StepLR", {"step_size": 2}), False),
    ],
)
def test_which_schedulers_cycle_momentum(spec: SchedulerSpec, cycles: bool) -> None:
    """CyclicLR and OneCycleLR cycle momentum, nested too, unless told not to."""
    assert cycles_momentum(spec) is cycles
