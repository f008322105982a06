"""Where a run really starts: the rate and momentum torch sets when the scheduler is built.

CyclicLR, OneCycleLR and LinearLR move the optimizer's rate (and CyclicLR/OneCycleLR its
momentum) before the first step; the table's step 0 and the header show torch's values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.runner.compute import compute
from bot.runner.spec import RunResult, RunSpec, SchedulerSpec
from bot.runner.table import describe_run, format_table

S = SchedulerSpec


def _after_building(
    make: Callable[[Any], Any], lr: float, optimizer: str
) -> tuple[float, float | None]:
    """The rate and momentum (beta1 for Adam) torch leaves in param_groups[0] once built."""
    import torch

    extra = {"momentum": 0.9} if optimizer == "SGD" else {}
    opt = getattr(torch.optim, optimizer)([torch.nn.Parameter(torch.zeros(1))], lr=lr, **extra)
    make(opt)
    group = opt.param_groups[0]
    return group["lr"], group["betas"][0] if "betas" in group else group.get("momentum")


def _cyclic(o: Any) -> Any:
    from torch.optim.lr_scheduler import CyclicLR

    return CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4)


def _one_cycle(o: Any) -> Any:
    from torch.optim.lr_scheduler import OneCycleLR

    return OneCycleLR(o, max_lr=0.5, total_steps=20, div_factor=10.0)


def _linear(o: Any) -> Any:
    from torch.optim.lr_scheduler import LinearLR

    return LinearLR(o, start_factor=0.25, total_iters=4)


CASES: dict[str, tuple[SchedulerSpec, Callable[[Any], Any], bool]] = {
    "CyclicLR": (S("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4}), _cyclic, True),
    "OneCycleLR": (
        S("OneCycleLR", {"max_lr": 0.5, "total_steps": 20, "div_factor": 10.0}),
        _one_cycle,
        True,
    ),
    "LinearLR": (S("LinearLR", {"start_factor": 0.25, "total_iters": 4}), _linear, False),
}


@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_step_zero_is_what_torch_set(name: str, optimizer: str) -> None:
    """Step 0's rate and momentum are param_groups' values after the scheduler was built."""
    scheduler, make, cycles = CASES[name]
    result = compute(RunSpec(scheduler, lr=(0.1,), steps=3, optimizer=optimizer))
    rate, momentum = _after_building(make, 0.1, optimizer)
    assert result.initial == (rate,)
    if cycles:
        assert result.initial_momentum == (momentum,)
    else:
        assert result.initial_momentum is None


@pytest.mark.parametrize("name", sorted(CASES))
def test_table_shows_momentum_and_rate_at_step_zero(name: str) -> None:
    """The step-0 row has torch's starting rate and, where it cycles, its starting momentum."""
    scheduler, make, cycles = CASES[name]
    result = compute(RunSpec(scheduler, steps=3))
    rate, momentum = _after_building(make, 0.1, "SGD")
    row = next(
        line for line in format_table(result, fence=False).splitlines() if line.split()[0] == "0"
    )
    expected = [f"{rate:.6g}"] + ([f"{momentum:.6g}"] if cycles else [])
    assert row.split()[1:] == expected


def test_header_says_where_the_rate_really_starts() -> None:
    """CyclicLR starts at base_lr, not the optimizer's lr: the header says so, from torch."""
    scheduler, make, _ = CASES["CyclicLR"]
    spec = RunSpec(scheduler, steps=3)
    rate, _ = _after_building(make, 0.1, "SGD")
    header = describe_run(spec, compute(spec))
    assert header.endswith(f"· SGD(lr=0.1) · 3 steps · starts at lr={rate:.6g}")
    assert rate != 0.1


def test_header_is_plain_when_the_scheduler_keeps_the_rate() -> None:
    """StepLR starts at the optimizer's lr, so there is nothing to add."""
    spec = RunSpec(S("StepLR", {"step_size": 2}), lr=(0.1, 0.01), steps=3)
    assert describe_run(spec, compute(spec)) == describe_run(spec)
    assert describe_run(spec, RunResult(groups=((), ()), initial=(0.1, 0.01))) == (
        "StepLR(step_size=2) · SGD(lr=0.1, 0.01) · 3 steps"
    )
