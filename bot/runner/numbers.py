"""Numbers as the runner shows them, shared by the tables (bot side) and the charts (worker side).

Imports neither torch nor the parser, so both ends of the pipe can use it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def format_number(value: float) -> str:
    """Six significant digits; non-finite values spelled out."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.6g}"


def start_note(given: Sequence[float], initial: Sequence[float]) -> str:
    """` · starts at lr=0.01` when building the scheduler changed the optimizer's rates, else ``.

    `initial` is what torch left in param_groups once the scheduler was built: CyclicLR sets
    base_lr, OneCycleLR max_lr/div_factor, LinearLR lr*start_factor. Showing only the
    optimizer's lr would name a rate the run never uses.
    """
    if not initial or len(initial) != len(given):
        return ""
    if all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(given, initial, strict=True)):
        return ""
    return f" · starts at lr={', '.join(format_number(v) for v in initial)}"
