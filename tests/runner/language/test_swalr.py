"""SWALR (torch.optim.swa_utils) in the `!run` language: each way it is written, its imports."""

from __future__ import annotations

import pytest

from bot.runner.language import parse_run, render_snippet
from bot.runner.spec import RunError, SchedulerSpec

SNIPPET = """\
import torch
from torch.optim.swa_utils import SWALR

opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
swa = SWALR(opt, swa_lr=0.01, anneal_strategy="linear")
for epoch in range(5):
    opt.step()
    swa.step()
"""


@pytest.mark.parametrize(
    "text",
    [
        "SWALR(swa_lr=0.05, anneal_epochs=5)",
        "SWALR(optimizer, 0.05, 5)",
        "torch.optim.swa_utils.SWALR(optimizer, swa_lr=0.05, anneal_epochs=5)",
        "swa_utils.SWALR(swa_lr=0.05, anneal_epochs=5)",
    ],
)
def test_swalr_is_read_however_it_is_named(text: str) -> None:
    """The bare name, positional arguments and the full swa_utils path give the same spec."""
    assert parse_run(text).scheduler == SchedulerSpec("SWALR", {"swa_lr": 0.05, "anneal_epochs": 5})


def test_swalr_in_a_pasted_snippet() -> None:
    """`from torch.optim.swa_utils import SWALR` in a training loop is understood."""
    spec = parse_run(SNIPPET)
    assert spec.scheduler == SchedulerSpec("SWALR", {"swa_lr": 0.01, "anneal_strategy": "linear"})
    assert spec.steps == 5


def test_swalr_under_lr_scheduler_says_where_it_lives() -> None:
    """`lr_scheduler.SWALR` is refused with the module SWALR is really in."""
    with pytest.raises(RunError, match=r"SWALR is in torch\.optim\.swa_utils"):
        parse_run("lr_scheduler.SWALR(swa_lr=0.05)")


def test_swalr_needs_swa_lr_and_checks_its_strategy() -> None:
    """swa_lr is required (with an example) and anneal_strategy is 'cos' or 'linear'."""
    with pytest.raises(RunError, match=r"SWALR needs swa_lr, e\.g\. `SWALR\(swa_lr=0\.05"):
        parse_run("SWALR(anneal_epochs=3)")
    with pytest.raises(RunError, match="one of 'cos', 'linear'"):
        parse_run("SWALR(swa_lr=0.05, anneal_strategy='cosine')")


def test_rendered_snippet_imports_swalr_from_swa_utils() -> None:
    """The code shown for a run imports each class from the module that defines it."""
    text = "SequentialLR([StepLR(step_size=2), SWALR(swa_lr=0.01)], milestones=[4])"
    code = render_snippet(parse_run(text))
    assert "from torch.optim.lr_scheduler import SequentialLR, StepLR\n" in code
    assert "from torch.optim.swa_utils import SWALR\n" in code
