"""Print torch's own constructor signatures of the schedulers, as JSON (for the card check).

Run as `python -m bot.content.torch_signatures NAME...` by `anneal content check`, so the
calling process never imports torch. Output: {"torch": version, "classes": {NAME: [
{"name", "required", "default" or "default_repr"}, ...]}}.
"""

from __future__ import annotations

import inspect
import json
import math
import sys
from typing import Any


def describe(cls: type) -> list[dict[str, Any]]:
    """Each constructor parameter: its name and default (or that it is required)."""
    described = []
    for param in inspect.signature(cls).parameters.values():  # a class's leaves `self` out
        entry: dict[str, Any] = {"name": param.name, "required": param.default is param.empty}
        default = param.default
        if entry["required"]:
            pass  # nothing to compare but that it is required
        elif default is None or isinstance(default, bool | int | str) or _finite(default):
            entry["default"] = default
        else:  # a callable or an object JSON cannot carry: shown by its repr only
            entry["default_repr"] = repr(default)
        described.append(entry)
    return described


def _finite(value: object) -> bool:
    return isinstance(value, float) and math.isfinite(value)


def main(names: list[str]) -> None:
    """Write the signatures of `names` (scheduler classes) as one JSON object on stdout."""
    import torch

    from bot.runner.lessons import scheduler_class_of

    classes = {name: describe(scheduler_class_of(name)) for name in names}
    json.dump({"torch": torch.__version__, "classes": classes}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
