"""The hand-copied scheduler table against real torch: signature drift fails here."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

from bot.content.check import SnippetRun, run_snippets
from bot.runner.language import parse_run, render_snippet
from bot.runner.language._schedulers import SCHEDULERS, Kind
from bot.runner.lessons import scheduler_class_of
from bot.runner.spec import SCHEDULER_NAMES, scheduler_module

lr_scheduler = pytest.importorskip("torch.optim.lr_scheduler")
swa_utils = pytest.importorskip("torch.optim.swa_utils")

ROOT = Path(__file__).resolve().parents[3]


def _torch_params(name: str) -> list[inspect.Parameter]:
    params = list(inspect.signature(scheduler_class_of(name)).parameters.values())
    if params and params[0].name == "optimizer":
        params = params[1:]  # implied by `!run`
    return params


@pytest.mark.parametrize("name", SCHEDULER_NAMES)
def test_table_names_match_torch_signature(name: str) -> None:
    """Argument names and their order match torch's signature exactly."""
    assert [p.name for p in SCHEDULERS[name].params] == [p.name for p in _torch_params(name)]


@pytest.mark.parametrize("name", SCHEDULER_NAMES)
def test_table_required_arguments_match_torch(name: str) -> None:
    """An argument is required in the table exactly when torch gives it no default."""
    ours = {p.name for p in SCHEDULERS[name].params if p.required}
    theirs = {p.name for p in _torch_params(name) if p.default is inspect.Parameter.empty}
    assert ours == theirs


@pytest.mark.parametrize("name", SCHEDULER_NAMES)
def test_table_kinds_fit_torch_defaults(name: str) -> None:
    """Each torch default is a value the table's kind for that argument accepts."""
    by_name = {p.name: p for p in SCHEDULERS[name].params}
    for param in _torch_params(name):
        default = param.default
        if default is inspect.Parameter.empty:
            continue
        ours = by_name[param.name]
        if ours.kind is Kind.CHOICE:
            assert default in ours.choices, param.name
        elif ours.kind is Kind.BOOL:
            assert isinstance(default, bool), param.name
        elif ours.kind in (Kind.OPTIONAL_INT, Kind.OPTIONAL_LAMBDA, Kind.OPTIMIZER):
            assert default is None or isinstance(default, int), param.name
        else:
            assert isinstance(default, int | float), param.name
            assert ours.low <= default <= ours.high, param.name


def test_every_torch_scheduler_is_known() -> None:
    """torch 2.13 has no LRScheduler subclass the table doesn't list; SWALR is swa_utils'."""
    classes = {
        name
        for name, value in vars(lr_scheduler).items()
        if inspect.isclass(value)
        and issubclass(value, lr_scheduler.LRScheduler | lr_scheduler.ReduceLROnPlateau)
        and value is not lr_scheduler.LRScheduler
        and not name.startswith("_")
    }
    assert classes | {"SWALR"} == set(SCHEDULER_NAMES)
    assert scheduler_module("SWALR") == swa_utils.__name__
    assert issubclass(swa_utils.SWALR, lr_scheduler.LRScheduler)


SNIPPET_RUNS = [
    "StepLR(step_size=2, gamma=0.5) lr=0.1 steps=3",
    "SequentialLR([LinearLR(start_factor=0.1, total_iters=3), CosineAnnealingLR(T_max=7)],"
    " milestones=[3]) steps=10 optimizer=AdamW",
    "LambdaLR(lr_lambda=[lambda e: 0.5 * (1 + cos(pi * e / 10)), lambda e: math.exp(-e)])"
    " lr=[0.1, 0.01] steps=5",
    "ReduceLROnPlateau(patience=0, factor=0.5) metrics=[1, 1, 1]",
    "OneCycleLR(max_lr=0.1, total_steps=5) steps=5",
    "ChainedScheduler([ConstantLR(factor=0.5, total_iters=2), ExponentialLR(gamma=0.9)])"
    " optimizer=RMSprop steps=4",
    "SequentialLR([StepLR(step_size=2), SWALR(swa_lr=0.01, anneal_epochs=3)], milestones=[4])",
]


# Prepended to each snippet: a UserWarning fails it, as `python -W error::UserWarning` would.
WARNINGS_ARE_ERRORS = "import warnings\nwarnings.simplefilter('error', UserWarning)\n"


@pytest.fixture(scope="module")
def snippet_runs() -> dict[str, SnippetRun]:
    """Each rendered snippet of SNIPPET_RUNS, run with fresh globals in one real torch process
    (the content check's runner): one torch import instead of one per snippet."""
    snippets = {
        text: WARNINGS_ARE_ERRORS + render_snippet(parse_run(text)) for text in SNIPPET_RUNS
    }
    _, runs = run_snippets(snippets)
    return runs


@pytest.mark.torch
@pytest.mark.parametrize("text", SNIPPET_RUNS)
def test_rendered_snippet_runs_in_real_torch(
    text: str, snippet_runs: dict[str, SnippetRun]
) -> None:
    """render_snippet's code runs in real torch, one printed line per step."""
    spec = parse_run(text)
    run = snippet_runs[text]
    assert run.error is None, run.error
    lines = run.stdout.splitlines()
    assert len(lines) == spec.steps
    step, lrs = lines[0].split(" ", 1)
    assert step == "1"
    assert len(json.loads(lrs)) == len(spec.lr)
