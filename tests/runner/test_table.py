"""Tables: every step when short, elided when long, always within one Discord message."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.runner.spec import RunResult, RunSpec, SchedulerSpec
from bot.runner.table import describe_run, format_number, format_table

LIMIT = 1900


def long_result(steps: int = 10_000, groups: int = 3, notes: int = 8) -> RunResult:
    """A result as long as a run may be, with warnings and an error to fit in."""
    return RunResult(
        groups=tuple(
            tuple(0.1 * (g + 1) * math.cos(i / 700) ** 2 + 1e-7 for i in range(steps))
            for g in range(groups)
        ),
        initial=tuple(0.1 * (g + 1) for g in range(groups)),
        momentum=tuple(
            tuple(0.85 + 0.1 * math.sin(i) for i in range(steps)) for _ in range(groups)
        ),
        warnings=tuple(
            f"UserWarning: warning number {n} " + "very long " * 40 for n in range(notes)
        ),
        error="OneCycleLR was stepped 10,001 times but total_steps is 10,000: " + "why " * 100,
    )


def test_ten_thousand_steps_three_groups_fit_in_a_message() -> None:
    """10,000 steps x 3 groups with momentum, warnings and an error stay under 1,900 chars."""
    text = format_table(long_result(), title="OneCycleLR(max_lr=0.1, total_steps=10000)")
    assert len(text) < LIMIT
    assert text.startswith("```text\n")
    assert text.endswith("\n```")
    assert "steps …" in text
    assert "error: OneCycleLR was stepped 10,001 times" in text
    assert "lr[2]: min" in text


def test_the_elision_counts_the_hidden_steps() -> None:
    """Head and tail rows plus the hidden count add up to every step, initial included."""
    text = format_table(long_result(notes=0), fence=False)
    rows = [line for line in text.splitlines() if line.strip()[:1].isdigit()]
    hidden = next(line for line in text.splitlines() if "steps …" in line)
    count = int(hidden.split()[1].replace(",", ""))
    assert len(rows) + count == 10_001
    assert rows[-1].split()[0] == "10,000"


def test_a_short_run_shows_every_step() -> None:
    """Ten steps are shown whole: step 0 (the initial rate) to step 10."""
    result = RunResult(groups=(tuple(0.1 * 0.5 ** (i // 2) for i in range(1, 11)),), initial=(0.1,))
    lines = format_table(result, fence=False).splitlines()
    assert lines[0].split() == ["step", "lr"]
    assert [line.split()[0] for line in lines[1:12]] == [str(i) for i in range(11)]
    assert lines[12] == "lr: min 0.003125 · max 0.1 · final 0.003125"


def test_non_finite_values_are_spelled_out() -> None:
    """inf and nan appear as words, and nan does not spoil min and max."""
    result = RunResult(groups=((math.inf, math.nan, 0.5),), initial=(1.0,))
    text = format_table(result, fence=False)
    assert " inf" in text
    assert " nan" in text
    assert "min 0.5 · max inf · final 0.5" in text


def test_a_fence_inside_a_warning_cannot_close_the_block() -> None:
    """Three backticks in torch's text are defused so the code block stays whole."""
    result = RunResult(groups=((0.1,),), initial=(0.1,), warnings=("look: ``` here",))
    assert format_table(result).count("```") == 2


def test_construction_errors_show_the_initial_rate_and_the_error() -> None:
    """A run that failed before any step still shows step 0 and the error."""
    result = RunResult(groups=((),), initial=(0.1,), error="StepLR needs step_size.")
    text = format_table(result, fence=False)
    assert "error: StepLR needs step_size." in text
    assert "     0  0.1" in text


def test_describe_run_names_scheduler_optimizer_rates_and_steps() -> None:
    """The one-line description reads like the `!run` text plus the optimizer and steps."""
    run = RunSpec(SchedulerSpec("StepLR", {"step_size": 2}), lr=(0.1, 0.01), steps=1)
    assert describe_run(run) == "StepLR(step_size=2) · SGD(lr=0.1, 0.01) · 1 step"


def test_numbers_have_six_significant_digits() -> None:
    """Rates print compactly: 0.1, 1.23457e-05, inf."""
    assert [format_number(v) for v in (0.1, 1.234567e-5, -math.inf)] == [
        "0.1",
        "1.23457e-05",
        "-inf",
    ]


@settings(max_examples=60, deadline=None)
@given(
    steps=st.integers(0, 10_000),
    groups=st.integers(1, 8),
    value=st.floats(allow_nan=True, allow_infinity=True),
    momentum=st.booleans(),
    notes=st.integers(0, 12),
    note_length=st.integers(0, 2000),
    title_length=st.integers(0, 3000),
)
def test_any_result_fits_in_a_message(
    steps: int,
    groups: int,
    value: float,
    momentum: bool,
    notes: int,
    note_length: int,
    title_length: int,
) -> None:
    """Whatever the shape of the result, the table stays within the limit and keeps its fence."""
    column = (value,) * steps
    result = RunResult(
        groups=(column,) * groups,
        initial=(value,) * groups,
        momentum=(column,) * groups if momentum else None,
        warnings=tuple("w" * note_length for _ in range(notes)),
        error="e" * note_length if notes % 2 else None,
    )
    text = format_table(result, title="t" * title_length)
    assert len(text) <= LIMIT
    assert text.startswith("```text\n")
    assert text.endswith("\n```")
