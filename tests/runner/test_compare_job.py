"""A comparison as one job: torch's rates for each schedule, one CPU budget, the heavy rule,
its chart and its tables."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import pytest

from bot.runner import plot
from bot.runner.budget import CpuBudget
from bot.runner.fairness import Requester
from bot.runner.language import parse_compare
from bot.runner.pool import RunnerPool
from bot.runner.protocol import compare_job, decode_png, decode_result, encode_png, encode_result
from bot.runner.spec import RunResult, RunSpec
from bot.runner.table import (
    DISCORD_LIMIT,
    comparison_csv,
    comparison_is_elided,
    describe_comparison,
    format_comparison,
)
from bot.runner.worker import handle
from tests.runner.helpers import Reference
from tests.runner.test_plot import png_size

TEXT = (
    "StepLR(step_size=3, gamma=0.5) ; CosineAnnealingLR(T_max=6) ; ExponentialLR(gamma=0.8) steps=4"
)


def _torch_makers() -> list[Any]:
    from torch.optim import lr_scheduler as l

    return [
        lambda o: l.StepLR(o, step_size=3, gamma=0.5),
        lambda o: l.CosineAnnealingLR(o, T_max=6),
        lambda o: l.ExponentialLR(o, gamma=0.8),
    ]


def test_a_compare_job_gives_torchs_rates_for_each_schedule(torch_reference: Reference) -> None:
    """Each schedule's rates are what torch computes for it alone; the answer has one chart."""
    runs = parse_compare(TEXT)
    answer = handle(compare_job(runs, title="three"), plot_enabled=True)
    results = [decode_result(run) for run in answer["runs"]]
    for (_, spec), make, result in zip(runs, _torch_makers(), results, strict=True):
        expected, _ = torch_reference(make, lrs=spec.lr, steps=spec.steps)
        assert list(result.lrs) == expected[0]
    assert [len(r.lrs) for r in results] == [10, 10, 4]
    width, height = png_size(decode_png(answer))
    assert (width, height) == tuple(int(v * plot.DPI) for v in plot.COMPARE_SIZE_INCHES)


class CountingBudget(CpuBudget):
    """A generous CPU budget that counts how often the job checks it."""

    def __init__(self) -> None:
        super().__init__(3600.0)
        self.checks = 0

    def check(self) -> None:
        """Count the check, then check as usual."""
        self.checks += 1
        super().check()


def test_one_cpu_budget_covers_every_schedule() -> None:
    """The job's one budget is checked through every schedule's steps and before the chart."""
    runs = parse_compare("StepLR(step_size=3) ; ExponentialLR(gamma=0.9) ; steps=200")
    budget = CountingBudget()
    handle(compare_job(runs), plot_enabled=True, budget=budget)
    per_run = -(-200 // 64)  # checked every CHECK_EVERY (64) steps
    assert budget.checks == 2 * per_run + 1  # + once before drawing


class SpyPool(RunnerPool):
    """A pool that records what it would submit (and answers made-up results) without workers."""

    def __init__(self) -> None:
        super().__init__(size=2, heavy_steps=2_500)
        self.submitted: list[tuple[dict[str, Any], bool]] = []

    async def _submit(
        self, job: dict[str, Any], requester: Requester | None, heavy: bool
    ) -> dict[str, Any]:
        self.submitted.append((job, heavy))
        result = RunResult(groups=((0.1,),), initial=(0.1,))
        return {"runs": [encode_result(result)] * len(job["compare"]), "png": encode_png(b"png")}


async def test_a_comparison_is_one_job_whose_steps_all_count_toward_heavy() -> None:
    """Four 700-step schedules are one job, heavy together (2,800 steps) though none is alone."""
    runs = parse_compare(
        " ; ".join(f"StepLR(step_size={n})" for n in (1, 2, 3, 4)) + " ; steps=700"
    )
    pool = SpyPool()
    comparison = await pool.compare(runs)
    assert len(pool.submitted) == 1
    job, heavy = pool.submitted[0]
    assert heavy is True
    assert len(job["compare"]) == 4
    assert job["title"] == describe_comparison([spec for _, spec in runs])
    assert len(comparison.results) == 4
    await pool.compare(runs[:2])
    assert pool.submitted[1][1] is False  # 1,400 steps: ordinary


def _results(steps: Sequence[int]) -> list[RunResult]:
    return [
        RunResult(groups=(tuple(0.1 * 0.9**i for i in range(1, n + 1)),), initial=(0.1,))
        for n in steps
    ]


def test_the_table_has_a_key_and_a_column_per_schedule() -> None:
    """Numbers 1..n head the columns, the key says which is which, shorter runs leave blanks."""
    results = _results([5, 3])
    text = format_comparison(
        ["StepLR(step_size=2)", "ExponentialLR(gamma=0.9)"], results, fence=False
    )
    lines = text.splitlines()
    assert lines[:2] == ["1: StepLR(step_size=2)", "2: ExponentialLR(gamma=0.9)"]
    assert lines[2].split() == ["step", "1", "2"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[3:9]}
    assert rows["0"] == ["0.1", "0.1"]
    assert rows["3"] == [f"{0.1 * 0.9**3:.6g}"] * 2
    assert rows["5"] == [f"{0.1 * 0.9**5:.6g}"]  # schedule 2 stopped after 3 steps
    assert not comparison_is_elided(results)


def test_four_schedules_of_ten_thousand_steps_fit_one_message() -> None:
    """The largest comparison is elided in the middle and stays within Discord's limit."""
    results = _results([10_000] * 4)
    labels = [f"CosineAnnealingLR(T_max={n}, eta_min=0.001)" for n in range(4)]
    text = format_comparison(labels, results)
    assert len(text) <= DISCORD_LIMIT
    assert "steps …" in text
    assert any(line.startswith("10,000 ") for line in text.splitlines())
    assert comparison_is_elided(results)


def test_the_csv_holds_every_step_of_every_schedule_exactly() -> None:
    """The attachment of a long comparison: a header of labels, then every step, exact floats."""
    results = _results([30, 40])
    rows = list(csv.reader(io.StringIO(comparison_csv(["a", "b"], results))))
    assert rows[0] == ["step", "a", "b"]
    assert len(rows) == 1 + 41
    assert [float(v) for v in rows[31][1:2]] == [results[0].lrs[29]]
    assert rows[35] == ["34", "", repr(results[1].lrs[33])]


@pytest.mark.parametrize("count", [2, 4])
def test_each_line_of_a_comparison_has_its_own_colour_and_dashes(count: int) -> None:
    """Line styles differ as well as colours, so a greyscale print still tells them apart."""
    styles = plot.COMPARE_STYLES[:count]
    assert len({colour for colour, _ in styles}) == count
    assert len({dash for _, dash in styles}) == count
    data = plot.render_comparison([(str(n), r) for n, r in enumerate(_results([20] * count))])
    assert png_size(data) == tuple(int(v * plot.DPI) for v in plot.COMPARE_SIZE_INCHES)


def test_a_chart_after_a_comparison_is_its_usual_size() -> None:
    """A thread's reused figure goes back to the usual size for an ordinary chart."""
    plot.render_comparison([("a", _results([5])[0]), ("b", _results([5])[0])])
    spec = RunSpec(parse_compare("StepLR(step_size=2) ; StepLR(step_size=3)")[0][1].scheduler)
    data = plot.chart(spec, _results([10])[0], title="x")
    assert png_size(data) == tuple(int(v * plot.DPI) for v in plot.SIZE_INCHES)
