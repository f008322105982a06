"""Tests for the daily problem's clock: local days, posting times (slots) and turns, in
zones far from UTC and across daylight-saving changes, on a FakeClock stepped by days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.engine.daily_times import (
    DailyTime,
    ScheduleError,
    day_from_number,
    day_number,
    matching_zones,
    parse_time_of_day,
    parse_zone,
)
from tests.engine.conftest import FakeClock


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> float:
    """The unix time of a UTC date and time."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp()


def test_a_turn_is_yesterday_until_todays_slot_comes() -> None:
    """At 08:59 UTC the problem out is yesterday's; from 09:00 on, today's until tomorrow 09:00."""
    nine = DailyTime(9, 0)
    assert nine.turn(utc(2025, 3, 4, 8, 59)) == date(2025, 3, 3)
    assert nine.turn(utc(2025, 3, 4, 9, 0)) == date(2025, 3, 4)
    assert nine.next_slot(utc(2025, 3, 4, 9, 0)) == utc(2025, 3, 5, 9, 0)
    assert nine.next_slot(utc(2025, 3, 4, 8, 59)) == utc(2025, 3, 4, 9, 0)


def test_a_fake_clock_stepped_by_hours_moves_the_turn_once_a_day_at_the_slot() -> None:
    """Over five simulated days in Paris, the turn changes exactly when the local 07:30 comes."""
    paris = DailyTime(7, 30, "Europe/Paris")
    clock = FakeClock(utc(2025, 6, 1, 0, 0))
    changes = []
    turn = paris.turn(clock())
    for _ in range(5 * 24 * 4):
        clock.advance(15 * 60)
        if paris.turn(clock()) != turn:
            turn = paris.turn(clock())
            changes.append(datetime.fromtimestamp(clock(), UTC))
    # 07:30 in Paris is 05:30 UTC in summer.
    assert changes == [datetime(2025, 6, day, 5, 30, tzinfo=UTC) for day in range(1, 6)]


def test_the_local_day_is_the_zones_not_utcs() -> None:
    """One instant is a different day in Kiritimati (UTC+14) and in Pago Pago (UTC-11)."""
    instant = utc(2025, 3, 4, 12, 0)
    assert DailyTime(9, 0, "Pacific/Kiritimati").day_of(instant) == date(2025, 3, 5)
    assert DailyTime(9, 0, "Pacific/Pago_Pago").day_of(instant) == date(2025, 3, 4)
    assert DailyTime(9, 0, "UTC").day_of(instant) == date(2025, 3, 4)


def test_a_late_evening_slot_falls_on_the_next_utc_day_but_belongs_to_its_local_day() -> None:
    """23:30 in Los Angeles is 07:30 UTC the next day; it is still the local day's slot."""
    evening = DailyTime(23, 30, "America/Los_Angeles")
    slot = evening.slot(date(2025, 1, 10))
    assert slot == utc(2025, 1, 11, 7, 30)
    assert evening.day_of(slot) == date(2025, 1, 10)
    assert evening.turn(slot) == date(2025, 1, 10)
    assert evening.turn(slot - 1) == date(2025, 1, 9)


def test_a_slot_in_the_hour_clocks_skip_comes_an_hour_later() -> None:
    """New York skips 02:00-03:00 on 10 March 2024: a 02:30 slot that day comes at 03:30 EDT."""
    half_past_two = DailyTime(2, 30, "America/New_York")
    slot = half_past_two.slot(date(2024, 3, 10))
    assert slot == utc(2024, 3, 10, 7, 30)  # 03:30 EDT
    # The next day's 02:30 exists again (EDT): 23 hours after the shifted slot.
    assert half_past_two.slot(date(2024, 3, 11)) == utc(2024, 3, 11, 6, 30)
    assert half_past_two.slot(date(2024, 3, 9)) == utc(2024, 3, 9, 7, 30)  # 02:30 EST


def test_a_slot_in_the_hour_that_happens_twice_comes_the_first_time() -> None:
    """New York repeats 01:00-02:00 on 3 November 2024: a 01:30 slot comes at 01:30 EDT."""
    half_past_one = DailyTime(1, 30, "America/New_York")
    slot = half_past_one.slot(date(2024, 11, 3))
    assert slot == utc(2024, 11, 3, 5, 30)  # EDT, not the 06:30 UTC of the second 01:30
    # The day after is 25 hours later: the clocks went back in between.
    assert half_past_one.slot(date(2024, 11, 4)) - slot == 25 * 3600


def test_days_are_numbered_from_1970() -> None:
    """Storage keeps a local day as days since 1970-01-01, both ways."""
    assert day_number(date(1970, 1, 1)) == 0
    assert day_number(date(2025, 3, 4)) == 20151
    assert day_from_number(day_number(date(2025, 3, 4))) == date(2025, 3, 4)
    assert day_from_number(20151) + timedelta(days=1) == date(2025, 3, 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("09:00", (9, 0)), ("9:05", (9, 5)), (" 21h30 ", (21, 30)), ("0:00", (0, 0))],
)
def test_times_of_day_are_read_in_24_hours(text: str, expected: tuple[int, int]) -> None:
    """HH:MM (or H:MM, or 21h30) is read as that hour and minute."""
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize("text", ["25:00", "9", "9am", "09:60", "", "noon"])
def test_a_bad_time_of_day_is_refused_with_an_example(text: str) -> None:
    """Anything else is refused with a message showing the form that works."""
    with pytest.raises(ScheduleError, match=r"24-hour clock, HH:MM, e\.g\. `09:00`"):
        parse_time_of_day(text)


def test_zones_are_read_in_any_case_and_default_to_utc() -> None:
    """IANA names in any case give the canonical name; nothing given is UTC."""
    assert parse_zone("europe/paris") == "Europe/Paris"
    assert parse_zone("America/New_York") == "America/New_York"
    assert parse_zone(None) == "UTC"
    assert parse_zone("  ") == "UTC"


def test_a_misspelt_zone_is_refused_with_the_names_meant() -> None:
    """A typo, or a city alone, gets "did you mean"; nonsense gets examples of real names."""
    with pytest.raises(ScheduleError, match=r"Did you mean `Europe/Paris`\?"):
        parse_zone("Europe/Pariss")
    with pytest.raises(ScheduleError, match=r"Did you mean `Europe/London`\?"):
        parse_zone("London")
    with pytest.raises(ScheduleError, match=r"Did you mean `America/New_York`\?"):
        parse_zone("new york")
    with pytest.raises(ScheduleError, match=r"IANA name such as `Europe/Paris`"):
        parse_zone("Middle Earth/Shire")


def test_zone_suggestions_hold_what_was_typed() -> None:
    """Autocomplete offers the zones holding the text, spaces read as underscores."""
    assert "America/New_York" in matching_zones("new york")
    assert all("paris" in name.lower() for name in matching_zones("paris"))
    assert len(matching_zones("")) == 25
