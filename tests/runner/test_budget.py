"""CpuBudget: a job's CPU-time allowance, counted in this process's CPU time."""

from __future__ import annotations

import time

import pytest

from bot.runner.budget import CpuBudget, CpuLimitExceeded


def burn(seconds: float) -> None:
    """Use `seconds` of CPU time (not wall-clock time)."""
    until = time.process_time() + seconds
    while time.process_time() < until:
        pass


def test_a_budget_with_time_left_lets_the_job_go_on() -> None:
    """check() is silent while the job has used less than its allowance."""
    budget = CpuBudget(60.0)
    burn(0.01)
    budget.check()
    assert 0.01 <= budget.used < 60.0


def test_a_spent_budget_stops_the_job_and_says_how_much() -> None:
    """check() raises once the allowance is used up, with the limit in the message."""
    budget = CpuBudget(0.02)
    burn(0.03)
    with pytest.raises(CpuLimitExceeded, match=r"more than 0\.02 s of CPU time") as stopped:
        budget.check()
    assert stopped.value.limit == 0.02
    assert stopped.value.used >= 0.03


def test_a_budget_must_be_positive() -> None:
    """A zero or negative allowance is a programming error."""
    with pytest.raises(ValueError, match="positive"):
        CpuBudget(0)
