"""Tests for bot.content.generator.templates: every module found, one template per scheduler."""

from __future__ import annotations

import importlib
import pkgutil
import random
import re

import bot.content.generator.templates as package
from bot.content.cues import ABSOLUTES
from bot.content.generator.debug import loop_bugs
from bot.content.generator.templates import TEMPLATES, discover, templates_in
from bot.runner import SCHEDULER_NAMES


def snake_case(name: str) -> str:
    """`CosineAnnealingLR` -> `cosine_annealing_lr`, `ReduceLROnPlateau` ->
    `reduce_lr_on_plateau`, as template modules are named."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


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
    """TEMPLATES has one template for each of torch's 15 schedulers, sorted by name."""
    names = [template.name for template in TEMPLATES]
    assert names == sorted(SCHEDULER_NAMES)
    assert [template.name for template in discover()] == names


def test_every_debug_cause_reads_alike() -> None:
    """Each bug a debug problem can name is one plain sentence of twelve words, without
    digits, code marks or absolutes, so the option texts' surface says nothing."""
    for template in TEMPLATES:
        program = template.debug_program(random.Random(1))
        for bug in [*loop_bugs(program, template.name), *template.bugs(program)]:
            words = bug.cause.split()
            assert len(words) == 12, (template.name, bug.cause)
            assert not re.search(r"[\d`(=:;\"'%]", bug.cause), (template.name, bug.cause)
            assert not {w.strip(".,").lower() for w in words} & ABSOLUTES, bug.cause
