"""Rendering a RunSpec back as `!run` text and as a runnable training loop."""

from __future__ import annotations

from bot.runner.language import parse_run, render_expression, render_snippet


def test_render_expression_is_canonical() -> None:
    """Keyword order follows torch's signature, whatever order the user wrote."""
    spec = parse_run("StepLR(gamma=0.5, step_size=2)").scheduler
    assert render_expression(spec) == "StepLR(step_size=2, gamma=0.5)"


def test_render_expression_nested_puts_schedulers_first() -> None:
    """SequentialLR renders its list positionally, as in the torch docs."""
    text = (
        "SequentialLR([LinearLR(start_factor=0.1, total_iters=5), "
        "CosineAnnealingLR(T_max=95)], milestones=[5])"
    )
    assert render_expression(parse_run(text).scheduler) == text


def test_render_snippet_of_the_seed_run() -> None:
    """The snippet for StepLR lr=0.1 steps=3 is the plain training loop a learner writes."""
    spec = parse_run("StepLR(step_size=2, gamma=0.5) lr=0.1 steps=3")
    assert render_snippet(spec) == (
        "import torch\n"
        "from torch.optim import SGD\n"
        "from torch.optim.lr_scheduler import StepLR\n"
        "\n"
        "params = [torch.nn.Parameter(torch.zeros(1))]\n"
        "optimizer = SGD(params, lr=0.1)\n"
        "scheduler = StepLR(optimizer, step_size=2, gamma=0.5)\n"
        "\n"
        "for epoch in range(3):\n"
        "    optimizer.step()\n"
        "    scheduler.step()\n"
        "    print(epoch + 1, [group['lr'] for group in optimizer.param_groups])\n"
    )


def test_render_snippet_imports_math_for_lambdas() -> None:
    """Lambdas using math.cos or bare cos get the imports they need."""
    spec = parse_run(
        "LambdaLR(lr_lambda=[lambda e: math.cos(e), lambda e: floor(e) + pi]) lr=[1, 2]"
    )
    code = render_snippet(spec)
    assert "import math\n" in code
    assert "from math import floor, pi\n" in code


def test_render_snippet_gives_cycling_schedulers_momentum() -> None:
    """As the worker does, SGD gets momentum=0.9 when a scheduler cycles momentum."""
    spec = parse_run("OneCycleLR(max_lr=0.1, total_steps=10)")
    assert "optimizer = SGD(params, lr=0.1, momentum=0.9)" in render_snippet(spec)
    spec = parse_run("OneCycleLR(max_lr=0.1, total_steps=10, cycle_momentum=False)")
    assert "momentum=0.9" not in render_snippet(spec)
