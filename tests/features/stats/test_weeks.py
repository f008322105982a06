"""Tests for bot.features.stats.weeks: ISO week windows, the guild's weekly reset, all time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.features.stats.weeks import WEEK, Board, Window, week_start, window


def ts(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> float:
    """Unix seconds of that UTC date and time."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp()


# Wednesday 12 March 2025, 15:30 UTC: its ISO week starts Monday 10 March 00:00 UTC.
NOW = ts(2025, 3, 12, 15, 30)
MONDAY = ts(2025, 3, 10)
LAST_MONDAY = ts(2025, 3, 3)


def test_week_starts_on_monday_midnight_utc() -> None:
    """A Wednesday afternoon belongs to the week that began on that Monday at 00:00 UTC."""
    assert week_start(NOW) == MONDAY


def test_monday_midnight_starts_its_own_week() -> None:
    """Monday 00:00 is the first instant of the new week; a second before is the old week."""
    assert week_start(MONDAY) == MONDAY
    assert week_start(MONDAY - 1) == LAST_MONDAY


def test_sunday_night_is_still_the_old_week() -> None:
    """Sunday 23:59 UTC is in the week that started six days earlier."""
    assert week_start(ts(2025, 3, 16, 23, 59)) == MONDAY


def test_week_across_a_new_year() -> None:
    """ISO week 1 of 2025 started on Monday 30 December 2024."""
    assert week_start(ts(2025, 1, 1, 8)) == ts(2024, 12, 30)


@given(st.floats(min_value=0, max_value=4_102_444_800, allow_nan=False))
def test_week_start_is_a_monday_midnight_within_the_last_week(now: float) -> None:
    """For any moment, the week start is a Monday 00:00 UTC at most seven days earlier."""
    start = week_start(now)
    moment = datetime.fromtimestamp(start, UTC)
    assert start <= now < start + WEEK
    assert moment.isoweekday() == 1
    assert (moment.hour, moment.minute, moment.second) == (0, 0, 0)
    assert moment.isocalendar()[:2] == datetime.fromtimestamp(now, UTC).isocalendar()[:2]


def test_this_week_without_reset() -> None:
    """ "week" is Monday 00:00 to the next Monday 00:00."""
    assert window(Board.WEEK, NOW) == Window(Board.WEEK, MONDAY, MONDAY + WEEK)


def test_last_week_is_the_previous_monday_to_monday() -> None:
    """ "lastweek" ends where this week begins."""
    assert window(Board.LASTWEEK, NOW) == Window(Board.LASTWEEK, LAST_MONDAY, MONDAY)


def test_all_time_has_no_bounds() -> None:
    """ "all" counts everything, whatever the reset."""
    assert window(Board.ALL, NOW, week_reset_at=NOW - 60) == Window(Board.ALL, None, None)


def test_reset_this_week_moves_the_start_of_this_week_only() -> None:
    """A reset on Tuesday: this week counts from the reset; last week is untouched."""
    reset = ts(2025, 3, 11, 9)
    assert window(Board.WEEK, NOW, reset) == Window(
        Board.WEEK, reset, MONDAY + WEEK, after_reset=True
    )
    assert window(Board.LASTWEEK, NOW, reset) == Window(Board.LASTWEEK, LAST_MONDAY, MONDAY)


def test_reset_last_week_shapes_last_weeks_board_not_this_one() -> None:
    """A reset last Thursday: lastweek shows the board as it ended; this week starts Monday."""
    reset = ts(2025, 3, 6, 18)
    assert window(Board.WEEK, NOW, reset) == Window(Board.WEEK, MONDAY, MONDAY + WEEK)
    assert window(Board.LASTWEEK, NOW, reset) == Window(
        Board.LASTWEEK, reset, MONDAY, after_reset=True
    )


def test_old_reset_is_forgotten_when_a_new_week_starts() -> None:
    """A reset three weeks ago changes neither this week nor last week."""
    reset = MONDAY - 3 * WEEK + timedelta(days=2).total_seconds()
    assert window(Board.WEEK, NOW, reset).since == MONDAY
    assert window(Board.LASTWEEK, NOW, reset).since == LAST_MONDAY


def test_reset_at_monday_midnight_changes_nothing() -> None:
    """A reset exactly at the week's start is the same window, not flagged as a reset."""
    assert window(Board.WEEK, NOW, MONDAY) == Window(Board.WEEK, MONDAY, MONDAY + WEEK)
