"""Tests for bot.content.generator.templates: every module found, one template per scheduler."""

from __future__ import annotations

import importlib
import pkgutil
import re

import bot.content.generator.templates as package
from bot.content.generator.templates import TEMPLATES, discover, templates_in
from bot.runner import SCHEDULER_NAMES


def snake_case(name: str) -> str:
    """`CosineAnnealingLR` -> `cosine_annealing_lr`, as template modules are named."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name).lower()


def test_each_template_module_holds_one_template_named_after_its_scheduler() -> None:
    """A template is one file: `step_lr.py` defines the StepLR template and nothing else."""
    helpers = {"base", "wording"}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        found = templates_in(module)
        if info.name in helpers:
            assert found == []
            continue
        assert len(found) == 1, info.name
        assert snake_case(found[0].name) == info.name


def test_templates_are_found_sorted_and_each_scheduler_once() -> None:
    """TEMPLATES has every discovered template, once per real scheduler, by name."""
    names = [template.name for template in TEMPLATES]
    assert names == sorted(set(names))
    assert set(names) <= set(SCHEDULER_NAMES)
    assert len(names) == 10
    assert [template.name for template in discover()] == names
