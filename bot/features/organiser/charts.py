"""The PNG charts of `!stats`: a server's last weeks, and one problem's first-try picks.

matplotlib (Agg, object-oriented API, no pyplot) is imported on first use, never when
the bot starts, and a chart takes tens of milliseconds to draw: the cog calls these
functions in a thread (`asyncio.to_thread`), never on the event loop. Each call builds
its own Figure, so two charts may be drawn at once. Every text goes through `chart_text`.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.storage import WeekActivity

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 100
ANSWERS_COLOUR = "#5865F2"  # Discord's blurple, like the embeds
MEMBERS_COLOUR = "#EB459E"
KEY_COLOUR = "#3BA55C"
WRONG_COLOUR = "#99AAB5"
MOST_PICKED_WRONG_COLOUR = "#ED4245"
OPTION_LABEL_WIDTH = 22  # characters per line of an option's text under its bar
OPTION_LABEL_LINES = 2


def chart_text(text: str) -> str:
    """Text matplotlib shows as written: `$` escaped (it would start mathtext, which can
    fail to parse), and no characters past U+FFFF (emoji: the default font has none)."""
    return "".join(ch for ch in text if ord(ch) <= 0xFFFF).replace("$", r"\$")


def week_label(since: float) -> str:
    """A week as its Monday's date, e.g. "10 Mar"."""
    monday = datetime.fromtimestamp(since, UTC)
    return f"{monday.day} {monday:%b}"


def activity_chart(weeks: Sequence[WeekActivity], *, title: str) -> bytes:
    """Two panels over the same weeks: problems answered (bars), active members (line)."""
    figure = _figure((8.0, 5.5))
    answered_axes, members_axes = figure.subplots(2, 1, sharex=True)
    positions = list(range(len(weeks)))
    labels = [week_label(week.since) for week in weeks]
    if labels:
        labels[-1] += "\n(this week)"

    answered = [week.answered for week in weeks]
    bars = answered_axes.bar(positions, answered, color=ANSWERS_COLOUR, width=0.6)
    answered_axes.bar_label(bars, padding=2, fontsize=8)
    answered_axes.set_ylabel("problems answered")
    answered_axes.set_title(chart_text(title), fontsize=11)

    members = [week.members for week in weeks]
    members_axes.plot(positions, members, marker="o", color=MEMBERS_COLOUR, linewidth=2)
    for x, count in zip(positions, members, strict=True):
        members_axes.annotate(
            str(count), (x, count), textcoords="offset points", xytext=(0, 6),
            ha="center", fontsize=8,
        )  # fmt: skip
    members_axes.set_ylabel("active members")
    members_axes.set_xlabel("week starting (Monday, UTC)")
    members_axes.set_xticks(positions, labels)
    for axes, values in ((answered_axes, answered), (members_axes, members)):
        _whole_numbers(axes, max(values, default=0))
    figure.align_ylabels()
    return _png(figure)


def problem_chart(
    picks: Mapping[str, int],
    options: Mapping[str, str],
    right: frozenset[str],
    *,
    title: str,
    subtitle: str,
) -> bytes:
    """A bar per option: first tries that picked it; the key green, the worst trap red.

    `options` maps each letter to its text (empty when the problem is unknown); letters
    picked but not among `options` still get their bar.
    """
    letters = sorted(set(options) | set(picks))
    counts = [picks.get(letter, 0) for letter in letters]
    total = sum(counts)
    wrong = {letter: picks.get(letter, 0) for letter in letters if letter not in right}
    trap = max(wrong, key=lambda letter: (wrong[letter], -ord(letter[0]))) if wrong else None
    colours = [
        KEY_COLOUR
        if letter in right
        else MOST_PICKED_WRONG_COLOUR
        if letter == trap and wrong[letter] > 0
        else WRONG_COLOUR
        for letter in letters
    ]
    figure = _figure((8.0, 4.8))
    axes = figure.add_subplot()
    positions = list(range(len(letters)))
    bars = axes.bar(positions, counts, color=colours, width=0.6)
    shares = [f"{count} ({count / total:.0%})" if total else "0" for count in counts]
    axes.bar_label(bars, labels=shares, padding=2, fontsize=9)
    axes.set_xticks(positions, [_option_label(letter, options, right) for letter in letters])
    axes.set_ylabel("first tries that picked it")
    axes.set_title(chart_text(f"{title}\n{subtitle}"), fontsize=11)
    _whole_numbers(axes, max(counts, default=0))
    _colour_key(axes, trap is not None and wrong[trap] > 0)
    return _png(figure)


def _colour_key(axes: Axes, with_trap: bool) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(color=KEY_COLOUR, label="the key")]
    if with_trap:
        handles.append(Patch(color=MOST_PICKED_WRONG_COLOUR, label="wrong, picked most"))
    handles.append(Patch(color=WRONG_COLOUR, label="wrong"))
    axes.legend(handles=handles, fontsize=8, loc="upper right")


def _option_label(letter: str, options: Mapping[str, str], right: frozenset[str]) -> str:
    """The letter ("(key)" for the key) over at most OPTION_LABEL_LINES lines of its text."""
    lines = textwrap.wrap(" ".join(options.get(letter, "").split()), OPTION_LABEL_WIDTH)
    if len(lines) > OPTION_LABEL_LINES:
        lines = lines[:OPTION_LABEL_LINES]
        lines[-1] = lines[-1][: OPTION_LABEL_WIDTH - 1].rstrip() + "…"
    mark = " (key)" if letter in right else ""
    return chart_text("\n".join([f"{letter}{mark}", *lines]))


def _whole_numbers(axes: Axes, top: int) -> None:
    """Integer ticks, and headroom above the highest value for its label."""
    from matplotlib.ticker import MaxNLocator

    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(0, max(1.0, top * 1.18))
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)


def _figure(size: tuple[float, float]) -> Figure:
    import matplotlib

    matplotlib.use("Agg")  # before anything could pick an interactive backend
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
