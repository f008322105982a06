"""Tests for bot.features.organiser.charts: the PNGs are drawn, sized and coloured as meant."""

from __future__ import annotations

import io
from collections import Counter

from PIL import Image

from bot.features.organiser import charts
from bot.features.organiser.numbers import last_weeks
from bot.storage import WeekActivity

WEDNESDAY = 1_741_780_800.0  # 2025-03-12 12:00 UTC
OPTIONS = {"A": "0.1, 0.05", "B": "0.1, 0.1", "C": "it raises", "D": "0.0"}


def colours(png: bytes) -> Counter[tuple[int, int, int]]:
    """How many pixels of each RGB colour the image has."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    counted = image.getcolors(maxcolors=image.width * image.height) or []
    found: Counter[tuple[int, int, int]] = Counter()
    for count, colour in counted:
        assert isinstance(colour, tuple)  # RGB: a tuple per colour, never a palette index
        red, green, blue = colour
        found[(red, green, blue)] = count
    return found


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """'#5865F2' as (88, 101, 242)."""
    value = int(hex_colour.lstrip("#"), 16)
    return (value >> 16, (value >> 8) & 0xFF, value & 0xFF)


def test_week_labels_are_the_mondays() -> None:
    """A week is shown as the date of its Monday."""
    assert [charts.week_label(since) for since, _ in last_weeks(WEDNESDAY, 2)] == [
        "3 Mar",
        "10 Mar",
    ]


def test_activity_chart_draws_both_series() -> None:
    """Bars in the answers colour and a line in the members colour, 800x550 pixels."""
    weeks = [
        WeekActivity(since, members, answered)
        for (since, _), members, answered in zip(
            last_weeks(WEDNESDAY),
            (0, 2, 5, 3, 0, 8, 9, 4),
            (0, 9, 30, 12, 0, 44, 51, 20),
            strict=True,
        )
    ]

    png = charts.activity_chart(weeks, title="Study group: the last 8 weeks")

    assert Image.open(io.BytesIO(png)).size == (800, 550)
    found = colours(png)
    assert found[rgb(charts.ANSWERS_COLOUR)] > 2_000  # bars
    assert found[rgb(charts.MEMBERS_COLOUR)] > 200  # the line and its markers


def test_a_quiet_period_draws_no_bars() -> None:
    """Eight weeks of zeros still make a chart, with nothing in the bars' colour."""
    weeks = [WeekActivity(since, 0, 0) for since, _ in last_weeks(WEDNESDAY)]

    assert colours(charts.activity_chart(weeks, title="quiet"))[rgb(charts.ANSWERS_COLOUR)] < 50


def test_problem_chart_marks_the_key_and_the_worst_trap() -> None:
    """The key's bar is green, the wrong option picked most red, and the legend says so."""
    png = charts.problem_chart(
        {"A": 3, "B": 9, "C": 1}, OPTIONS, frozenset("A"), title="t", subtitle="s"
    )

    found = colours(png)
    assert found[rgb(charts.KEY_COLOUR)] > 1_000
    assert found[rgb(charts.MOST_PICKED_WRONG_COLOUR)] > 5_000  # the tallest bar
    assert found[rgb(charts.WRONG_COLOUR)] > 200


def test_problem_chart_without_wrong_picks_has_no_trap() -> None:
    """When every first try was right, nothing is red, and the unknown letters still show."""
    png = charts.problem_chart({"A": 4}, {}, frozenset("A"), title="gone", subtitle="s")

    found = colours(png)
    assert found[rgb(charts.KEY_COLOUR)] > 1_000
    assert found[rgb(charts.MOST_PICKED_WRONG_COLOUR)] == 0


def test_option_labels_are_wrapped_and_clipped() -> None:
    """Under each bar: the letter, "(key)" for the key, and at most two lines of its text."""
    label = charts._option_label("B", {"B": "word " * 40}, frozenset("B"))

    first, *text = label.split("\n")
    assert first == "B (key)"
    assert len(text) == 2
    assert all(len(line) <= charts.OPTION_LABEL_WIDTH for line in text)
    assert text[-1].endswith("…")
    assert charts._option_label("C", {}, frozenset("A")) == "C"


def test_titles_with_dollars_and_emoji_are_drawn_as_written() -> None:
    """`$...$` would be mathtext (this one cannot parse) and emoji have no glyph: both safe."""
    title = "Study $\\frac{ group $ 🎓"
    weeks = [WeekActivity(since, 1, 1) for since, _ in last_weeks(WEDNESDAY)]

    assert charts.chart_text(title) == "Study \\$\\frac{ group \\$ "
    assert charts.activity_chart(weeks, title=title).startswith(b"\x89PNG")
    options = {"A": "$1 or $\\frac{"}
    png = charts.problem_chart({"A": 1}, options, frozenset("A"), title=title, subtitle="$")
    assert png.startswith(b"\x89PNG")
