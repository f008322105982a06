"""Tests for bot.features.admin.values: the timer scale's range and on/off words."""

from __future__ import annotations

import pytest

from bot.features.admin.values import on_or_off, timer_scale
from bot.features.common.errors import UserFacingError


@pytest.mark.parametrize("value", [0.25, 1.0, 2.5, 4.0])
def test_timer_scale_accepts_the_range(value: float) -> None:
    """0.25 to 4, both ends included."""
    assert timer_scale(value) == value


@pytest.mark.parametrize("value", [0.0, 0.2, 4.01, -1.0, float("nan"), float("inf")])
def test_timer_scale_refuses_the_rest_with_the_range(value: float) -> None:
    """Out of range, NaN and infinity are refused with a message naming the range."""
    with pytest.raises(UserFacingError, match=r"from 0\.25 to 4"):
        timer_scale(value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on", True),
        ("ON", True),
        ("yes", True),
        ("off", False),
        (" Off ", False),
        ("no", False),
        ("maybe", None),
    ],
)
def test_on_or_off(text: str, expected: bool | None) -> None:
    """Common words for on and off in any case; anything else is None."""
    assert on_or_off(text) is expected
