"""Spaced review rules: parsing the steps, where a miss or a review moves a problem, what is due."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine.review import (
    DEFAULT_STEPS,
    MAX_STEPS,
    ReviewEntry,
    ReviewQueue,
    ReviewSteps,
    ReviewStepsError,
    format_interval,
)
from tests.engine.conftest import FakeClock

MINUTE, HOUR, DAY = 60.0, 3_600.0, 86_400.0

# Whole-second intervals up to a year, as a setting could give them.
intervals = st.lists(st.integers(1, 365 * 86_400), min_size=1, max_size=MAX_STEPS)


def entry(problem_id: str, due_at: float | None, step: int = 0) -> ReviewEntry:
    """A queue entry of user 1 (graduated when `due_at` is None)."""
    return ReviewEntry(1, problem_id, "basics", None, step, due_at, 0.0, 0.0, 1, 0)


def test_the_default_steps_are_ten_minutes_then_one_to_thirty_days() -> None:
    """The default setting reads as 10 minutes, then 1, 3, 7, 14 and 30 days."""
    assert DEFAULT_STEPS.intervals == (10 * MINUTE, DAY, 3 * DAY, 7 * DAY, 14 * DAY, 30 * DAY)
    assert str(DEFAULT_STEPS) == "10m,1d,3d,7d,14d,30d"


def test_steps_take_every_unit_spaces_and_decimals() -> None:
    """s, m, h, d (any case), a bare number of seconds, spaces and decimals all parse."""
    steps = ReviewSteps.parse(" 30s, 2M ,1.5h,2d, 45")
    assert steps.intervals == (30.0, 2 * MINUTE, 1.5 * HOUR, 2 * DAY, 45.0)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("10m,2x", "'2x' is not a duration"),
        ("10m,,1d", "a step is empty"),
        ("", "at least one review step"),
        ("0m,1d", "longer than 0"),
        ("400d", "at most 365d"),
        (",".join(["1d"] * (MAX_STEPS + 1)), f"at most {MAX_STEPS} review steps"),
        ("-5m", "'-5m' is not a duration"),
    ],
)
def test_bad_steps_are_refused_with_the_reason(text: str, says: str) -> None:
    """Each kind of bad setting gets a message that says what is wrong."""
    with pytest.raises(ReviewStepsError, match=says):
        ReviewSteps.parse(text)


@given(intervals)
def test_steps_written_out_parse_back_to_the_same(seconds: list[int]) -> None:
    """str(steps) is a valid setting for the same steps (what the help and logs show)."""
    steps = ReviewSteps(tuple(float(s) for s in seconds))
    assert ReviewSteps.parse(str(steps)) == steps


def test_intervals_are_written_in_their_largest_whole_unit() -> None:
    """600 s is 10m, 90 s stays 90s, a day and a half is 36h."""
    shown = [format_interval(s) for s in (600.0, 90.0, 1.5 * DAY, 7 * DAY, 2.5)]
    assert shown == ["10m", "90s", "36h", "7d", "2.5s"]


def test_a_miss_is_due_one_first_step_later(clock: FakeClock) -> None:
    """A problem missed now enters at step 0, due 10 minutes on with the default steps."""
    placed = DEFAULT_STEPS.after_miss(clock())
    assert (placed.step, placed.due_at, placed.graduated) == (0, clock() + 10 * MINUTE, False)


def test_right_every_time_walks_every_step_then_graduates(clock: FakeClock) -> None:
    """Reviewed right whenever due, a miss comes back after each step in turn, then leaves."""
    steps = DEFAULT_STEPS
    placed = steps.after_miss(clock())
    gaps = []
    while not placed.graduated:
        assert placed.due_at is not None
        moved_from = clock()
        clock.advance(placed.due_at - clock())
        gaps.append(clock() - moved_from)
        placed = steps.after_review(placed.step, True, clock())
    assert gaps == list(steps.intervals)
    assert placed.step == steps.last_step


def test_wrong_in_review_goes_back_to_the_first_step(clock: FakeClock) -> None:
    """Three steps on, a wrong review is due again one first step after it."""
    placed = DEFAULT_STEPS.after_miss(clock())
    for _ in range(3):
        placed = DEFAULT_STEPS.after_review(placed.step, True, clock())
    assert placed.step == 3
    clock.advance(7 * DAY)
    again = DEFAULT_STEPS.after_review(placed.step, False, clock())
    assert (again.step, again.due_at) == (0, clock() + DEFAULT_STEPS.intervals[0])


@given(intervals, st.lists(st.booleans(), max_size=40), st.floats(0, 1e9))
def test_any_history_keeps_the_step_in_range_and_the_due_time_ahead(
    seconds: list[int], results: list[bool], start: float
) -> None:
    """Whatever the answers, the step is a real step and a queued problem is due later than
    it moved; it graduates exactly when it got right as many times in a row as there are
    steps since its last miss."""
    steps = ReviewSteps(tuple(float(s) for s in seconds))
    clock = FakeClock(start)
    placed = steps.after_miss(clock())
    in_a_row = 0
    for correct in results:
        if placed.graduated:
            break
        assert placed.due_at is not None
        clock.advance(placed.due_at - clock())
        placed = steps.after_review(placed.step, correct, clock())
        in_a_row = in_a_row + 1 if correct else 0
        assert 0 <= placed.step <= steps.last_step
        assert placed.graduated == (in_a_row == len(steps.intervals))
        if not placed.graduated:
            assert placed.due_at is not None
            assert placed.due_at == clock() + steps.intervals[placed.step]
            assert placed.step == in_a_row


def test_the_queue_serves_the_longest_overdue_first(clock: FakeClock) -> None:
    """Due entries come oldest due time first, ties by id; later and graduated ones wait."""
    now = clock()
    entries = [
        entry("late", now + HOUR),
        entry("b-due", now - MINUTE),
        entry("a-due", now - MINUTE),
        entry("oldest", now - DAY),
        entry("learned", None, step=5),
        entry("just-now", now),
    ]
    queue = ReviewQueue.of(entries, now)
    assert [e.problem_id for e in queue.due] == ["oldest", "a-due", "b-due", "just-now"]
    assert queue.next_due_at == now + HOUR
    assert queue.queued == 5


def test_an_empty_or_all_due_queue_has_no_next_time(clock: FakeClock) -> None:
    """With nothing waiting for later, there is no next due time to announce."""
    assert ReviewQueue.of([], clock()).next_due_at is None
    due_now = ReviewQueue.of([entry("p1", clock())], clock())
    assert (due_now.next_due_at, due_now.queued, len(due_now.due)) == (None, 1, 1)


def test_moving_the_clock_makes_an_entry_due(clock: FakeClock) -> None:
    """An entry missed now is not due until its first step has passed on the clock."""
    placed = DEFAULT_STEPS.after_miss(clock())
    missed = replace(entry("p1", placed.due_at), entered_at=clock())
    assert ReviewQueue.of([missed], clock()).due == ()
    clock.advance(DEFAULT_STEPS.intervals[0] - 1)
    assert ReviewQueue.of([missed], clock()).due == ()
    clock.advance(1)
    assert ReviewQueue.of([missed], clock()).due == (missed,)
