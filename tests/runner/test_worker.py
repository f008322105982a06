"""The worker process: its rates equal torch's own, and torch's errors come back as lessons."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import warnings
from collections.abc import Callable
from typing import Any

import pytest

from bot.runner import worker as worker_module
from bot.runner.budget import CpuBudget, CpuLimitExceeded
from bot.runner.compute import compute
from bot.runner.protocol import chart_job, compare_job, encode_spec
from bot.runner.spec import LambdaSpec, RunSpec, SchedulerSpec
from tests.runner.helpers import Reference, WorkerClient
from tests.runner.misbehaving_worker import PRINT_SPEC, sleep_spec

S = SchedulerSpec


def _l(name: str) -> Any:
    """torch's scheduler class `name`, wherever torch defines it (SWALR: swa_utils)."""
    from bot.runner.lessons import scheduler_class_of

    return scheduler_class_of(name)


# (spec, how torch builds the same scheduler, optimizer kwargs the reference must use)
PLAIN_CASES: dict[str, tuple[RunSpec, Callable[[Any], Any], dict[str, Any]]] = {
    "ChainedScheduler": (
        RunSpec(
            S(
                "ChainedScheduler",
                {
                    "schedulers": [
                        S("ConstantLR", {"factor": 0.5, "total_iters": 3}),
                        S("ExponentialLR", {"gamma": 0.9}),
                    ]
                },
            ),
            steps=8,
        ),
        lambda o: _l("ChainedScheduler")(
            [_l("ConstantLR")(o, factor=0.5, total_iters=3), _l("ExponentialLR")(o, gamma=0.9)],
            optimizer=o,
        ),
        {},
    ),
    "ConstantLR": (
        RunSpec(S("ConstantLR", {"factor": 0.25, "total_iters": 4}), lr=(0.1, 0.02), steps=8),
        lambda o: _l("ConstantLR")(o, factor=0.25, total_iters=4),
        {},
    ),
    "CosineAnnealingLR": (
        RunSpec(S("CosineAnnealingLR", {"T_max": 5, "eta_min": 0.001}), steps=12),
        lambda o: _l("CosineAnnealingLR")(o, T_max=5, eta_min=0.001),
        {},
    ),
    "CosineAnnealingWarmRestarts": (
        RunSpec(
            S("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2, "eta_min": 0.01}), steps=20
        ),
        lambda o: _l("CosineAnnealingWarmRestarts")(o, T_0=3, T_mult=2, eta_min=0.01),
        {},
    ),
    "CyclicLR": (
        RunSpec(S("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3}), steps=15),
        lambda o: _l("CyclicLR")(o, base_lr=0.01, max_lr=0.1, step_size_up=3),
        {"momentum": 0.9},
    ),
    "ExponentialLR": (
        RunSpec(S("ExponentialLR", {"gamma": 0.8}), lr=(0.5,), steps=10),
        lambda o: _l("ExponentialLR")(o, gamma=0.8),
        {},
    ),
    "LinearLR": (
        RunSpec(S("LinearLR", {"start_factor": 0.2, "total_iters": 5}), steps=8),
        lambda o: _l("LinearLR")(o, start_factor=0.2, total_iters=5),
        {},
    ),
    "MultiStepLR": (
        RunSpec(S("MultiStepLR", {"milestones": [3, 7], "gamma": 0.1}), steps=10),
        lambda o: _l("MultiStepLR")(o, milestones=[3, 7], gamma=0.1),
        {},
    ),
    "OneCycleLR": (
        RunSpec(S("OneCycleLR", {"max_lr": 1.0, "total_steps": 20}), steps=20),
        lambda o: _l("OneCycleLR")(o, max_lr=1.0, total_steps=20),
        {"momentum": 0.9},
    ),
    "PolynomialLR": (
        RunSpec(S("PolynomialLR", {"total_iters": 6, "power": 2.0}), steps=8),
        lambda o: _l("PolynomialLR")(o, total_iters=6, power=2.0),
        {},
    ),
    "ReduceLROnPlateau": (
        RunSpec(
            S("ReduceLROnPlateau", {"patience": 1, "factor": 0.5}),
            steps=10,
            metrics=(1.0, 0.9, 0.95, 0.96, 0.97, 0.8, 0.85, 0.86, 0.87, 0.88),
        ),
        lambda o: _l("ReduceLROnPlateau")(o, patience=1, factor=0.5),
        {},
    ),
    "SequentialLR": (
        RunSpec(
            S(
                "SequentialLR",
                {
                    "schedulers": [
                        S("LinearLR", {"start_factor": 0.1, "total_iters": 3}),
                        S("CosineAnnealingLR", {"T_max": 7}),
                    ],
                    "milestones": [3],
                },
            ),
            steps=12,
        ),
        lambda o: _l("SequentialLR")(
            o,
            [
                _l("LinearLR")(o, start_factor=0.1, total_iters=3),
                _l("CosineAnnealingLR")(o, T_max=7),
            ],
            milestones=[3],
        ),
        {},
    ),
    "StepLR": (
        RunSpec(S("StepLR", {"step_size": 3, "gamma": 0.5}), lr=(0.1, 0.01, 0.5), steps=10),
        lambda o: _l("StepLR")(o, step_size=3, gamma=0.5),
        {},
    ),
    "SWALR": (
        RunSpec(
            S("SWALR", {"swa_lr": [0.05, 0.001], "anneal_epochs": 4, "anneal_strategy": "linear"}),
            lr=(0.1, 0.01),
            steps=7,
        ),
        lambda o: _l("SWALR")(o, swa_lr=[0.05, 0.001], anneal_epochs=4, anneal_strategy="linear"),
        {},
    ),
    "SWALR cos": (
        RunSpec(S("SWALR", {"swa_lr": 0.01}), steps=12),
        lambda o: _l("SWALR")(o, swa_lr=0.01),
        {},
    ),
}

# Bodies in bot.runner.lambdas' vocabulary, with the Python they stand for.
POWER = LambdaSpec("e", ["**", ["num", 0.95], ["arg"]], "lambda e: 0.95 ** e")
CONSTANT = LambdaSpec("e", ["num", 0.9], "lambda e: 0.9")
LAMBDA_CASES: dict[str, tuple[RunSpec, Callable[[Any], Any]]] = {
    "LambdaLR": (
        RunSpec(S("LambdaLR", {"lr_lambda": POWER}), lr=(0.1, 0.3), steps=10),
        lambda o: _l("LambdaLR")(o, lr_lambda=lambda e: 0.95**e),
    ),
    "MultiplicativeLR": (
        RunSpec(S("MultiplicativeLR", {"lr_lambda": CONSTANT}), steps=10),
        lambda o: _l("MultiplicativeLR")(o, lr_lambda=lambda e: 0.9),
    ),
}
PYTHON_LAMBDAS: dict[str, Callable[[int], float]] = {
    POWER.source: lambda e: 0.95**e,
    CONSTANT.source: lambda e: 0.9,
}


def test_every_scheduler_has_a_parity_case() -> None:
    """The parity cases cover all sixteen schedulers Anneal offers (lr_scheduler's and SWALR)."""
    from bot.runner.spec import SCHEDULER_NAMES

    cases = {name.split()[0] for name in [*PLAIN_CASES, *LAMBDA_CASES]}
    assert cases == set(SCHEDULER_NAMES)


@pytest.mark.parametrize("name", sorted(PLAIN_CASES))
def test_worker_matches_torch(name: str, worker: WorkerClient, torch_reference: Reference) -> None:
    """The worker process reports exactly the rates (and momenta) torch computes directly."""
    spec, make, optimizer_kwargs = PLAIN_CASES[name]
    lrs, momenta = torch_reference(
        make,
        lrs=spec.lr,
        steps=spec.steps,
        metrics=None if spec.metrics is None else list(spec.metrics),
        **optimizer_kwargs,
    )
    result = worker.run(spec)
    assert result.error is None
    assert [list(g) for g in result.groups] == lrs
    if name in ("CyclicLR", "OneCycleLR"):
        assert result.momentum is not None
        assert [list(m) for m in result.momentum] == momenta
    else:
        assert result.momentum is None


@pytest.mark.parametrize("name", sorted(LAMBDA_CASES))
def test_worker_matches_torch_with_lambdas(
    name: str, worker: WorkerClient, torch_reference: Reference
) -> None:
    """Lambda schedulers, compiled by bot.runner.lambdas in the worker, match torch."""
    pytest.importorskip("bot.runner.lambdas")
    spec, make = LAMBDA_CASES[name]
    lrs, _ = torch_reference(make, lrs=spec.lr, steps=spec.steps)
    result = worker.run(spec)
    assert result.error is None
    assert [list(g) for g in result.groups] == lrs


@pytest.mark.parametrize("name", sorted(LAMBDA_CASES))
def test_compute_uses_the_given_lambda_compiler(name: str, torch_reference: Reference) -> None:
    """compute() takes its lambda compiler as a parameter, so it runs without lambdas.py."""
    spec, make = LAMBDA_CASES[name]
    lrs, _ = torch_reference(make, lrs=spec.lr, steps=spec.steps)
    result = compute(spec, compile_lambda=lambda s: PYTHON_LAMBDAS[s.source])
    assert [list(g) for g in result.groups] == lrs


def test_one_cycle_with_adam_records_beta1(
    worker: WorkerClient, torch_reference: Reference
) -> None:
    """With Adam, OneCycleLR cycles beta1, and the worker reports it as the momentum."""
    spec = RunSpec(S("OneCycleLR", {"max_lr": 0.5, "total_steps": 12}), steps=12, optimizer="Adam")
    lrs, betas = torch_reference(
        lambda o: _l("OneCycleLR")(o, max_lr=0.5, total_steps=12), steps=12, optimizer="Adam"
    )
    result = worker.run(spec)
    assert [list(g) for g in result.groups] == lrs
    assert result.momentum is not None
    assert [list(m) for m in result.momentum] == betas


def test_cosine_annealing_climbs_back_up(worker: WorkerClient) -> None:
    """CosineAnnealingLR(T_max=5) over 10 steps rises again after T_max; it does not restart."""
    result = worker.run(RunSpec(S("CosineAnnealingLR", {"T_max": 5}), steps=10))
    rounded = [round(v, 4) for v in result.lrs]
    assert rounded == [0.0905, 0.0655, 0.0345, 0.0095, 0.0, 0.0095, 0.0345, 0.0655, 0.0905, 0.1]


def test_one_cycle_past_total_steps_keeps_the_steps_before(worker: WorkerClient) -> None:
    """Stepping OneCycleLR past total_steps says how far it went, and keeps the 10 good steps."""
    result = worker.run(RunSpec(S("OneCycleLR", {"max_lr": 1.0, "total_steps": 10}), steps=15))
    assert result.error is not None
    assert result.error.startswith("OneCycleLR was stepped 11 times but total_steps is 10:")
    assert "ValueError" in result.error
    assert len(result.lrs) == 10
    assert result.momentum is not None
    assert len(result.momentum[0]) == 10


def test_step_lr_with_step_size_zero_explains_the_division(worker: WorkerClient) -> None:
    """StepLR(step_size=0) fails at step 1 with a message about step_size, not a bare traceback."""
    result = worker.run(RunSpec(S("StepLR", {"step_size": 0}), steps=5))
    assert result.error is not None
    assert "StepLR divided by zero at step 1" in result.error
    assert "step_size=0" in result.error
    assert "ZeroDivisionError" in result.error
    assert result.lrs == ()


def test_misspelled_argument_suggests_the_right_one(worker: WorkerClient) -> None:
    """A keyword torch does not know gets a 'did you mean' and the list of real ones."""
    result = worker.run(RunSpec(S("StepLR", {"stepsize": 3})))
    assert result.error is not None
    assert "StepLR has no argument 'stepsize'. Did you mean step_size?" in result.error
    assert "gamma" in result.error


def test_missing_argument_is_named(worker: WorkerClient) -> None:
    """A required argument left out is named in the message."""
    result = worker.run(RunSpec(S("MultiStepLR", {})))
    assert result.error is not None
    assert result.error.startswith("MultiStepLR needs milestones")


def test_plateau_inside_sequential_passes_torchs_own_reason(worker: WorkerClient) -> None:
    """torch's refusal of ReduceLROnPlateau inside SequentialLR reaches the learner intact."""
    children = [S("ConstantLR", {}), S("ReduceLROnPlateau", {})]
    result = worker.run(RunSpec(S("SequentialLR", {"schedulers": children, "milestones": [2]})))
    assert result.error is not None
    assert "does not support `ReduceLROnPlateau`" in result.error


def test_plateau_without_metrics_is_refused(worker: WorkerClient) -> None:
    """ReduceLROnPlateau without metrics says it needs one value per step."""
    result = worker.run(RunSpec(S("ReduceLROnPlateau", {}), steps=3))
    assert result.error is not None
    assert "metrics" in result.error


def test_unknown_scheduler_is_refused_with_a_suggestion(worker: WorkerClient) -> None:
    """A name outside the allowlist never reaches getattr on torch, and gets a suggestion."""
    result = worker.run(RunSpec(S("StepLr", {"step_size": 1})))
    assert result.error is not None
    assert "Did you mean StepLR?" in result.error


def test_negative_learning_rate_is_torchs_refusal(worker: WorkerClient) -> None:
    """The optimizer's own validation message comes back when lr is negative."""
    result = worker.run(RunSpec(S("StepLR", {"step_size": 1}), lr=(-0.1,)))
    assert result.error is not None
    assert "Invalid learning rate: -0.1" in result.error


def test_non_finite_rates_travel_as_strict_json(worker: WorkerClient) -> None:
    """Overflowing rates come back as strict JSON ("inf"), and read back as floats."""
    spec = RunSpec(S("ExponentialLR", {"gamma": 1e200}), lr=(1e200,), steps=3)

    def refuse(token: str) -> None:
        raise AssertionError(f"non-standard JSON token {token}")

    raw = worker.ask_raw(encode_spec(spec))
    json.loads(raw, parse_constant=refuse)
    result = worker.run(spec)
    assert result.lrs == (math.inf, math.inf, math.inf)


def test_stray_prints_do_not_corrupt_the_protocol(worker: WorkerClient) -> None:
    """A print (or a raw write to fd 1) inside a job lands on stderr, not in the answers."""
    worker.ask(encode_spec(PRINT_SPEC))
    result = worker.run(RunSpec(S("StepLR", {"step_size": 1}), steps=2))
    assert result.error is None
    assert len(result.lrs) == 2


def test_malformed_job_is_answered_and_the_worker_carries_on(worker: WorkerClient) -> None:
    """A job that is not a RunSpec gets a 'fatal' answer; the next job still works."""
    answer = worker.ask({"scheduler": "not a scheduler"})
    assert "fatal" in answer
    assert worker.run(RunSpec(S("StepLR", {"step_size": 1}), steps=1)).error is None


def test_the_production_worker_has_no_test_hooks() -> None:
    """The real worker's handle() treats the test worker's sleep job as an unknown scheduler."""
    job = {**encode_spec(sleep_spec(60)), "id": 1}
    answer = worker_module.handle(job, plot_enabled=False)
    assert "is not a scheduler" in answer["error"]


def test_a_job_past_its_cpu_budget_is_stopped_between_steps() -> None:
    """handle() with a spent budget raises CpuLimitExceeded, which the worker answers."""
    spec = RunSpec(S("CosineAnnealingLR", {"T_max": 50}), steps=10_000)  # ~0.2 CPU-s
    job = {**encode_spec(spec), "id": 1}
    with pytest.raises(CpuLimitExceeded) as stopped:
        worker_module.handle(job, plot_enabled=False, budget=CpuBudget(0.005))
    assert stopped.value.used > 0.005
    assert "more than 0.005 s of CPU time" in str(stopped.value)


def test_a_job_within_its_cpu_budget_is_unaffected() -> None:
    """The same kind of job with room to spare returns every step."""
    spec = RunSpec(S("CosineAnnealingLR", {"T_max": 50}), steps=200)
    result = compute(spec, budget=CpuBudget(60.0))
    assert len(result.lrs) == 200
    assert result.error is None


def test_warnings_are_captured_once_each() -> None:
    """A warning raised at every step is reported once."""

    def noisy(epoch: int) -> float:
        warnings.warn("this lambda is noisy", UserWarning, stacklevel=1)
        return 1.0

    spec = RunSpec(S("LambdaLR", {"lr_lambda": POWER}), steps=5)
    result = compute(spec, compile_lambda=lambda s: noisy)
    assert result.warnings == ("UserWarning: this lambda is noisy",)


def test_a_failing_lambda_keeps_the_steps_before() -> None:
    """An error raised by a lambda part-way is reported with the step it happened at."""
    from bot.runner.spec import RunError

    def breaks_at_three(epoch: int) -> float:
        if epoch == 3:
            raise RunError("The lambda divided by zero at epoch 3.")
        return 1.0

    spec = RunSpec(S("LambdaLR", {"lr_lambda": POWER}), steps=6)
    result = compute(spec, compile_lambda=lambda s: breaks_at_three)
    assert result.error == "LambdaLR stopped at step 3: The lambda divided by zero at epoch 3."
    assert len(result.lrs) == 2


def test_the_worker_process_never_imports_the_parser() -> None:
    """`python -m bot.runner.worker` runs a lambda, a chart and a comparison without the parser.

    `-X importtime` lists every module the process imported, on stderr.
    """
    spec = RunSpec(S("LambdaLR", {"lr_lambda": POWER}), steps=5)
    jobs = [
        encode_spec(spec),
        chart_job(spec, title="a title"),
        compare_job([("a", spec), ("b", spec)]),
    ]
    lines = b"".join(json.dumps({**job, "id": i}).encode() + b"\n" for i, job in enumerate(jobs))
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot.runner.worker", "--plot"],
        input=lines,
        capture_output=True,
        timeout=120,
        check=True,
    )
    ready, *replies = (json.loads(line) for line in done.stdout.splitlines())
    assert ready["ready"] is True
    started, answers = replies[0::2], replies[1::2]  # "started" comes before each answer
    assert started == [{"started": 0}, {"started": 1}, {"started": 2}]
    assert [answer["id"] for answer in answers] == [0, 1, 2]
    assert all("png" in answer for answer in answers[1:])
    report = done.stderr.decode(errors="replace").splitlines()
    imported = {line.rsplit("|", 1)[-1].strip() for line in report if "import time:" in line}
    assert {"bot.runner.compute", "bot.runner.lambdas", "bot.runner.plot"} <= imported
    assert not {name for name in imported if name.startswith("bot.runner.language")}
