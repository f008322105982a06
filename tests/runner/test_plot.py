"""Charts: valid PNGs, markers where schedulers change course, and no matplotlib at import."""

from __future__ import annotations

import math
import struct
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from bot.runner import plot
from bot.runner.plot import Marker
from bot.runner.spec import RunResult, RunSpec, SchedulerSpec
from bot.runner.table import describe_run

S = SchedulerSpec
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which must come first."""
    assert data.startswith(PNG_MAGIC)
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR"
    assert length == 13
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def steps_of(spec: RunSpec) -> list[int]:
    """The steps at which the chart of `spec` draws a marker."""
    return [m.step for m in plot.markers(spec)]


def a_result(steps: int = 50, groups: int = 2, momentum: bool = True) -> RunResult:
    """A made-up result: decaying rates per group, and a wobbling momentum."""
    rates = tuple(tuple(0.1 * (g + 1) * 0.97**i for i in range(steps)) for g in range(groups))
    moms = tuple(tuple(0.9 - 0.05 * math.sin(i) for i in range(steps)) for _ in range(groups))
    return RunResult(
        groups=rates,
        initial=tuple(0.1 * (g + 1) for g in range(groups)),
        momentum=moms if momentum else None,
    )


def test_chart_is_a_png_of_the_expected_size() -> None:
    """chart() returns PNG bytes whose header decodes to an 800x450 image."""
    spec = RunSpec(S("StepLR", {"step_size": 10}), lr=(0.1, 0.2), steps=50)
    data = plot.chart(spec, a_result(), title=describe_run(spec))
    assert png_size(data) == (800, 450)
    assert data.endswith(b"IEND\xaeB`\x82")


def test_comparison_is_a_png() -> None:
    """Several labelled runs draw into one PNG, taller than a chart: the legend goes below."""
    data = plot.render_comparison([("fast", a_result(30)), ("slow", a_result(60))], title="x")
    assert png_size(data) == (800, 550)


def test_non_finite_rates_and_errors_still_draw() -> None:
    """inf, nan and an error note do not stop the chart from rendering."""
    result = RunResult(
        groups=((0.1, math.inf, math.nan, 0.2),), initial=(0.1,), error="torch said no " * 20
    )
    assert png_size(plot.render_run(result, title="broken")) == (800, 450)


def test_charts_render_from_several_threads_at_once() -> None:
    """The object-oriented API keeps concurrent renders apart (no pyplot global state)."""
    spec = RunSpec(S("CosineAnnealingWarmRestarts", {"T_0": 5}), steps=50)
    with ThreadPoolExecutor(max_workers=4) as threads:
        title = describe_run(spec)
        images = list(
            threads.map(lambda _: plot.chart(spec, a_result(groups=1), title=title), range(8))
        )
    assert all(png_size(image) == (800, 450) for image in images)


def test_step_lr_is_marked_every_step_size() -> None:
    """StepLR gets a milestone line at every multiple of step_size."""
    assert steps_of(RunSpec(S("StepLR", {"step_size": 3}), steps=10)) == [3, 6, 9]


def test_multistep_milestones_are_marked() -> None:
    """MultiStepLR's milestones are its markers."""
    spec = RunSpec(S("MultiStepLR", {"milestones": [2, 5]}), steps=10)
    assert plot.markers(spec) == [Marker(2, "milestone"), Marker(5, "milestone")]


def test_warm_restarts_are_marked_as_restarts() -> None:
    """CosineAnnealingWarmRestarts(T_0=3, T_mult=2) restarts at 3, 9 and 21."""
    spec = RunSpec(S("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2}), steps=25)
    assert plot.markers(spec) == [Marker(3, "restart"), Marker(9, "restart"), Marker(21, "restart")]


def test_sequential_children_are_offset_by_their_milestone() -> None:
    """A StepLR that starts at SequentialLR's milestone 4 marks 4, then 4 + 2k."""
    children = [S("ConstantLR", {}), S("StepLR", {"step_size": 2})]
    spec = RunSpec(S("SequentialLR", {"schedulers": children, "milestones": [4]}), steps=9)
    assert steps_of(spec) == [4, 6, 8]


def test_too_many_markers_are_left_out() -> None:
    """StepLR(step_size=1) over 1,000 steps draws no lines rather than a grey wall."""
    assert plot.markers(RunSpec(S("StepLR", {"step_size": 1}), steps=1000)) == []


def test_bot_side_modules_import_neither_torch_nor_matplotlib() -> None:
    """Importing pool, plot, table and command loads neither torch nor matplotlib."""
    code = (
        "import sys, bot.runner.pool, bot.runner.plot, bot.runner.table, bot.runner.command\n"
        "loaded = [m for m in ('torch', 'matplotlib') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_chart_carries_nothing_over_from_the_last_one() -> None:
    """Charts reuse one figure per thread: after a log-scale chart with momentum, a note and
    a comparison, the same chart again is the same image, byte for byte."""
    spec = RunSpec(S("StepLR", {"step_size": 10}), lr=(0.1, 0.2), steps=50)
    first = plot.chart(spec, a_result(), title=describe_run(spec))
    log_scale = RunResult(groups=((1.0, 1e-3, 1e-6, 1e-9),), initial=(1.0,), error="no")
    plot.render_run(log_scale, title="a long title " * 20)
    plot.render_comparison([("a", a_result(30)), ("b", a_result(60, momentum=False))])
    assert plot.chart(spec, a_result(), title=describe_run(spec)) == first
