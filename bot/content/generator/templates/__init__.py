"""What the fresh-problem generator knows about each scheduler: one module per scheduler.

A template samples one exercise (a scheduler with literal keywords, the optimizer's lr and
the number of loop passes), lists the mistakes learners really make with that scheduler in
order of preference, and writes the hint and the explanation. No template computes a
learning rate: every number in the text comes from torch, through the runner.

To teach the generator another scheduler, add one module here, named after it (e.g.
`multiplicative_lr.py`), that defines a `Template` subclass: it is found at import, and
nothing else needs to change.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

from bot.content.generator.templates.base import Template


def discover() -> tuple[Template, ...]:
    """One instance of every template defined in this package's modules, by scheduler name.

    Sorted, so that a seed picks the same problems whatever order the files are listed in.
    """
    found: list[Template] = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found += [template() for template in templates_in(module)]
    return tuple(sorted(found, key=lambda template: template.name))


def templates_in(module: ModuleType) -> list[type[Template]]:
    """The concrete Template classes a module defines (not those it imports)."""
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Template)
        and not inspect.isabstract(value)
        and value.__module__ == module.__name__
    ]


TEMPLATES: tuple[Template, ...] = discover()
