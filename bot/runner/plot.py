"""Learning-rate charts as PNG bytes (a public module of bot.runner).

matplotlib is imported on first use, never at import time, so the bot can import this
module for free; charts are normally drawn in a warm worker (see pool.RunnerPool.chart).
Only the object-oriented API is used (a Figure with its own Agg canvas, no pyplot), so
charts can be drawn from several threads at once. Each thread keeps one Figure and
clears it for the next chart: building a Figure, its axes and their ticks is ~40% of
what drawing a 100-step chart costs.
"""

from __future__ import annotations

import io
import itertools
import math
import textwrap
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeGuard

from bot.runner.numbers import start_note
from bot.runner.spec import RunResult, RunSpec, SchedulerSpec

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MAX_MARKERS = 60  # more vertical lines than this is a grey smear, not information
SIZE_INCHES = (8.0, 4.5)
COMPARE_SIZE_INCHES = (8.0, 5.5)  # taller: the legend sits under the axes
DPI = 100
LOG_SCALE_RATIO = 1e3  # rates spanning more than this read better on a log axis

_canvases = threading.local()  # .figure, .axes: this thread's reusable chart


@dataclass(frozen=True)
class Marker:
    """A vertical line: where a scheduler changes course."""

    step: int
    kind: str  # "milestone" or "restart"


def chart(spec: RunSpec, result: RunResult, *, title: str) -> bytes:
    """The chart for one run, marked at its milestones; `title` is usually describe_run(spec)."""
    beta1 = spec.optimizer in ("Adam", "AdamW")  # OneCycleLR/CyclicLR cycle beta1 there
    return render_run(
        result,
        title=title + start_note(spec.lr, result.initial),
        markers=markers(spec),
        momentum_label="beta1" if beta1 else "momentum",
    )


def markers(spec: RunSpec) -> list[Marker]:
    """Milestones (MultiStepLR, SequentialLR, every StepLR step_size) and warm restarts."""
    found = sorted(set(_markers(spec.scheduler, 0, spec.steps)), key=lambda m: m.step)
    return found if len(found) <= MAX_MARKERS else []


def _markers(spec: SchedulerSpec, start: int, end: int) -> list[Marker]:
    kwargs = spec.kwargs
    if spec.name == "StepLR":
        size = kwargs.get("step_size")
        every = range(start + size, end + 1, size) if _positive_int(size) else range(0)
        return [Marker(s, "milestone") for s in every[: MAX_MARKERS + 1]]
    if spec.name == "MultiStepLR":
        return [Marker(start + m, "milestone") for m in _ints(kwargs.get("milestones"))]
    if spec.name == "CosineAnnealingWarmRestarts":
        return _restarts(kwargs.get("T_0"), kwargs.get("T_mult", 1), start, end)
    children = [c for c in _list(kwargs.get("schedulers")) if isinstance(c, SchedulerSpec)]
    if spec.name == "ChainedScheduler":
        return [m for child in children for m in _markers(child, start, end)]
    if spec.name == "SequentialLR":
        return _sequential(children, _ints(kwargs.get("milestones")), start, end)
    return []


def _sequential(
    children: list[SchedulerSpec], milestones: list[int], start: int, end: int
) -> list[Marker]:
    # Each child restarts from its own step 0 at its milestone.
    found = [Marker(start + m, "milestone") for m in milestones]
    bounds = [start, *(start + m for m in milestones), end]
    for child, (lo, hi) in zip(children, itertools.pairwise(bounds), strict=False):
        found += [m for m in _markers(child, lo, hi) if m.step < hi]
    return found


def _restarts(t_0: object, t_mult: object, start: int, end: int) -> list[Marker]:
    if not _positive_int(t_0) or not _positive_int(t_mult):
        return []
    found: list[Marker] = []
    period, at = t_0, start + t_0
    while at <= end and len(found) <= MAX_MARKERS:
        found.append(Marker(at, "restart"))
        period *= t_mult
        at += period
    return found


def _positive_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _ints(value: object) -> list[int]:
    return [v for v in _list(value) if isinstance(v, int) and not isinstance(v, bool)]


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def render_run(
    result: RunResult,
    *,
    title: str,
    markers: Sequence[Marker] = (),
    momentum_label: str = "momentum",
) -> bytes:
    """One line per parameter group (momentum dashed on a second axis), as PNG bytes."""
    figure, axes = _figure(title)
    steps = list(range(len(result.lrs) + 1))
    many = len(result.groups) > 1
    for g, values in enumerate(result.groups):
        label = f"group {g}" if many else "lr"
        # steps-post: the rate set after step i holds until step i + 1.
        axes.plot(steps, _finite([result.initial[g], *values]), label=label, drawstyle="steps-post")
    _draw_markers(axes, markers)
    twin = (
        _draw_momentum(axes, result.momentum, result.initial_momentum, momentum_label)
        if result.momentum
        else None
    )
    _scale(axes, [v for values in result.groups for v in values] + list(result.initial))
    if result.error:
        _note(axes, f"stopped: {result.error}")
    _legend(axes, len(steps) * len(result.groups), twin)
    return _png(figure)


# Line styles as well as colours, so a comparison still reads printed in greyscale.
COMPARE_STYLES: tuple[tuple[str, str], ...] = (
    ("tab:blue", "-"),
    ("tab:orange", "--"),
    ("tab:green", "-."),
    ("tab:purple", ":"),
)


def render_comparison(runs: Sequence[tuple[str, RunResult]], *, title: str | None = None) -> bytes:
    """Several schedules on one chart: the first group's rate of each, labelled in a legend.

    Each line has its own colour and dash pattern; the legend sits under the axes, so it
    never hides a line, with each label as given (the bot writes short ones).
    """
    figure, axes = _figure(title or "Learning-rate schedules compared", COMPARE_SIZE_INCHES)
    every: list[float] = []
    for n, (label, result) in enumerate(runs):
        colour, style = COMPARE_STYLES[n % len(COMPARE_STYLES)]
        values = [*result.initial[:1], *result.lrs]
        axes.plot(
            range(len(values)),
            _finite(values),
            color=colour,
            linestyle=style,
            linewidth=2.0,
            label=f"{n + 1}: {_shorten(label, 70)}",
            drawstyle="steps-post",
        )
        if result.error and values:  # where torch stopped this one
            axes.plot([len(values) - 1], _finite(values[-1:]), "x", color=colour, markersize=8)
        every += values
    _scale(axes, every)
    # Room under the axes for one legend row per schedule.
    figure.subplots_adjust(bottom=0.14 + 0.045 * len(runs))
    axes.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.13),
        fontsize=8,
        ncol=1,
        frameon=False,
        handlelength=4,  # long enough to show each dash pattern
    )
    return _png(figure)


def _figure(title: str, size: tuple[float, float] = SIZE_INCHES) -> tuple[Figure, Axes]:
    """This thread's chart, cleared of the last one, `size` inches, with `title` on it."""
    figure: Figure | None = getattr(_canvases, "figure", None)
    if figure is None:
        figure, axes = _new_figure()
        _canvases.figure, _canvases.axes = figure, axes
    else:
        axes = _canvases.axes
        _clear(figure, axes)
    if tuple(figure.get_size_inches()) != size:  # a chart after a chart is left as it is
        figure.set_size_inches(*size)
    lines = textwrap.wrap(title, 90)[:3] or [""]
    # Fixed margins instead of a layout engine: constrained layout draws the figure twice;
    # with it a 100-step chart took ~180 ms here, without it ~70 ms.
    figure.subplots_adjust(left=0.1, right=0.9, bottom=0.11, top=0.93 - 0.035 * len(lines))
    axes.set_title("\n".join(lines), fontsize=10)
    return figure, axes


def _new_figure() -> tuple[Figure, Axes]:
    import matplotlib

    matplotlib.use("Agg")  # before anything could pick an interactive backend
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=SIZE_INCHES, dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_xlabel("step")
    axes.set_ylabel("learning rate")
    axes.grid(axis="y", alpha=0.3)
    return figure, axes


def _clear(figure: Figure, axes: Axes) -> None:
    """Take the last chart off: its lines, markers, notes, legend, momentum axis and scale."""
    for other in figure.axes:
        if other is not axes:
            other.remove()  # the momentum twin
    for artist in [*axes.lines, *axes.collections, *axes.texts]:
        artist.remove()
    legend = axes.get_legend()
    if legend is not None:
        legend.remove()
    axes.set_prop_cycle(None)  # the first line is blue again
    axes.set_yscale("linear")  # also restores the default tick locators and labels
    axes.relim()  # forget the last chart's data limits
    axes.autoscale(enable=True)


def _draw_markers(axes: Axes, markers: Sequence[Marker]) -> None:
    # One LineCollection per kind: drawing 30 separate axvlines costs ~10 ms more.
    styles: dict[str, tuple[str, Literal["--", ":"]]] = {
        "milestone": ("tab:gray", "--"),
        "restart": ("tab:red", ":"),
    }
    for kind, (colour, style) in styles.items():
        steps = [m.step for m in markers if m.kind == kind]
        if steps:
            axes.vlines(
                steps,
                0,
                1,
                transform=axes.get_xaxis_transform(),
                colors=colour,
                linestyles=style,
                linewidth=0.9,
                label=kind,
            )


def _draw_momentum(
    axes: Axes,
    momentum: Sequence[Sequence[float]],
    start: Sequence[float] | None,
    name: str,
) -> Axes:
    twin = axes.twinx()
    twin.set_ylabel(name)
    for g, values in enumerate(momentum):
        label = f"{name} {g}" if len(momentum) > 1 else name
        # From step 0 when the value before the first step is known, like the rate's line.
        first = [start[g]] if start is not None and g < len(start) else []
        steps = range(1 - len(first), len(values) + 1)
        points = _finite([*first, *values])
        twin.plot(steps, points, "--", alpha=0.7, label=label, drawstyle="steps-post")
    return twin


def _legend(axes: Axes, points: int, twin: Axes | None = None) -> None:
    # One legend box for both axes, not two overlapping ones.
    handles, labels = axes.get_legend_handles_labels()
    if twin is not None:
        more_handles, more_labels = twin.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + more_labels
    if len(handles) > 1:  # a lone "lr" needs no key
        # loc="best" scans every point for overlaps; past a few hundred it dominates.
        loc: Literal["best", "upper right"] = "best" if points <= 500 else "upper right"
        axes.legend(handles, labels, fontsize=8, loc=loc)


def _scale(axes: Axes, values: Sequence[float]) -> None:
    positive = [v for v in values if math.isfinite(v)]
    if positive and min(positive) > 0 and max(positive) / min(positive) > LOG_SCALE_RATIO:
        from matplotlib import ticker

        axes.set_yscale("log")
        # Plain labels (0.001, 1e-05) and no minor ticks: mathtext 10^x labels cost ~40 ms.
        axes.yaxis.set_major_formatter(ticker.FuncFormatter(_tick_label))
        axes.yaxis.set_minor_locator(ticker.NullLocator())


def _tick_label(value: float, _position: object) -> str:
    return f"{value:g}"


def _note(axes: Axes, text: str) -> None:
    axes.text(
        0.01, 0.02, _shorten(text, 110), transform=axes.transAxes, fontsize=8, color="tab:red"
    )


def _finite(values: Sequence[float]) -> list[float]:
    # matplotlib draws a gap at nan; an infinity would stretch the axis to nothing.
    return [v if math.isfinite(v) else math.nan for v in values]


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _png(figure: Figure) -> bytes:
    from PIL import Image

    raw = io.BytesIO()
    figure.savefig(raw, format="rgba")  # the drawn pixels, not yet encoded
    image = Image.frombytes("RGBA", figure.canvas.get_width_height(), raw.getvalue())
    # A chart is a few flat colours and their anti-aliased edges, which 256 palette colours
    # hold: a palette PNG encodes in ~3 ms instead of ~23 ms and is a third of the size.
    palette = image.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE)
    buffer = io.BytesIO()
    palette.save(buffer, format="png")
    return buffer.getvalue()
