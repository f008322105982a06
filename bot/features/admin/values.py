"""The values admins type: the timer scale (and its range) and on/off words."""

from __future__ import annotations

import math

from bot.features.common.errors import UserFacingError

TIMER_MIN, TIMER_MAX = 0.25, 4.0


def timer_scale(value: float) -> float:
    """`value` if it is a usable timer scale; UserFacingError saying the range if not."""
    if not (math.isfinite(value) and TIMER_MIN <= value <= TIMER_MAX):
        raise UserFacingError(
            f"The timer scale must be a number from {TIMER_MIN:g} to {TIMER_MAX:g} "
            f"(2 doubles every time limit, 0.5 halves it); `{value:g}` is not."
        )
    return value


def on_or_off(text: str) -> bool | None:
    """True for on/yes/true/enable(d)/1, False for their opposites, None for anything else."""
    word = text.strip().lower()
    if word in {"on", "yes", "true", "enable", "enabled", "1"}:
        return True
    if word in {"off", "no", "false", "disable", "disabled", "0"}:
        return False
    return None
