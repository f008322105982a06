"""`!run` with a pasted training-loop snippet: recognised statically, never executed."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.runner.language import parse_run
from bot.runner.spec import LambdaSpec, RunError, RunSpec, SchedulerSpec
from tests.runner.language.hostile_inputs import SEED

S = SchedulerSpec


def _parse(code: str) -> RunSpec:
    return parse_run(textwrap.dedent(code))


def test_seed_snippet() -> None:
    """The issue's seed snippet is StepLR(step_size=2, gamma=0.5), lr 0.1, 3 steps."""
    assert parse_run(SEED) == RunSpec(S("StepLR", {"step_size": 2, "gamma": 0.5}), (0.1,), 3)


def test_seed_snippet_in_a_code_block() -> None:
    """The seed snippet inside a Discord ```py block parses the same."""
    assert parse_run(f"```py\n{SEED}```") == parse_run(SEED)


def test_extra_os_system_line_is_refused_naming_the_line() -> None:
    """A statement outside the known shapes is refused with its line number and the rules."""
    lines = SEED.splitlines()
    lines.insert(6, "    os.system('rm -rf /')")
    with pytest.raises(RunError) as info:
        parse_run("\n".join(lines))
    message = str(info.value)
    assert message.startswith("Line 7: `os.system('rm -rf /')` isn't something `!run` understands")
    assert "A snippet may contain" in message


def test_common_variations() -> None:
    """from-imports, an nn module, model.parameters() and optimizer extras are understood."""
    spec = _parse(
        """
        import torch
        from torch import nn, optim
        from torch.optim.lr_scheduler import CosineAnnealingLR

        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))
        optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
        scheduler = CosineAnnealingLR(optimizer, T_max=10, eta_min=1e-5)

        for epoch in range(10):
            optimizer.zero_grad()
            optimizer.step()
            scheduler.step()
            print(f"epoch {epoch + 1}: lr={scheduler.get_last_lr()[0]:.5f}")
        """
    )
    assert spec == RunSpec(S("CosineAnnealingLR", {"T_max": 10, "eta_min": 1e-5}), (0.05,), 10)


def test_param_groups_give_several_lrs() -> None:
    """A list of param-group dicts gives one lr per group (missing ones use the default)."""
    spec = _parse(
        """
        import torch
        w = torch.nn.Parameter(torch.zeros(3))
        b = torch.zeros(1, requires_grad=True)
        opt = torch.optim.Adam([{'params': [w], 'lr': 0.01}, {'params': [b]}], lr=0.002)
        sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
        for step in range(4):
            opt.step()
            sched.step()
        """
    )
    assert (spec.lr, spec.optimizer, spec.steps) == ((0.01, 0.002), "Adam", 4)


def test_optimizer_default_lr_is_torchs() -> None:
    """Without lr=, the optimizer's torch default (SGD: 0.001) is used."""
    spec = _parse(
        """
        from torch.optim import SGD
        from torch.optim.lr_scheduler import StepLR
        import torch
        params = [torch.nn.Parameter(torch.randn(2))]
        optimizer = SGD(params)
        scheduler = StepLR(optimizer, step_size=1)
        for epoch in range(2):
            scheduler.step()
        """
    )
    assert spec.lr == (0.001,)


def test_nested_sequential_with_scheduler_variables() -> None:
    """Schedulers assigned to variables and put in SequentialLR's list are nested."""
    spec = _parse(
        """
        import torch
        from torch.optim.lr_scheduler import LinearLR, CosineAnnealingLR, SequentialLR
        warmup_epochs = 5
        total_epochs = 100
        model = torch.nn.Linear(2, 1)
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, betas=(0.9, 0.95))
        warmup = LinearLR(optimizer, start_factor=0.1, total_iters=warmup_epochs)
        cosine = CosineAnnealingLR(optimizer, T_max=95)
        scheduler = SequentialLR(optimizer, schedulers=[warmup, cosine], milestones=[5])
        lrs = []
        for epoch in range(total_epochs):
            optimizer.step()
            scheduler.step()
            lrs.append(optimizer.param_groups[0]["lr"])
        print(lrs)
        """
    )
    assert spec.scheduler == S(
        "SequentialLR",
        {
            "schedulers": [
                S("LinearLR", {"start_factor": 0.1, "total_iters": 5}),
                S("CosineAnnealingLR", {"T_max": 95}),
            ],
            "milestones": [5],
        },
    )
    assert (spec.steps, spec.optimizer, spec.lr) == (100, "AdamW", (3e-4,))


def test_lambda_variables_and_def_functions() -> None:
    """Lambdas bound to names, and one-line `def`s, are lambdas (torch docs example)."""
    spec = _parse(
        """
        import torch
        from torch.optim.lr_scheduler import LambdaLR
        p1 = torch.nn.Parameter(torch.zeros(1))
        p2 = torch.nn.Parameter(torch.zeros(1))
        optimizer = torch.optim.SGD([{"params": [p1]}, {"params": [p2]}], lr=0.05)
        lambda1 = lambda epoch: epoch // 30

        def lambda2(epoch):
            "Decay by 5% an epoch."
            return 0.95 ** epoch

        scheduler = LambdaLR(optimizer, lr_lambda=[lambda1, lambda2])
        for epoch in range(100):
            optimizer.step()
            scheduler.step()
        """
    )
    lambdas = spec.scheduler.kwargs["lr_lambda"]
    assert isinstance(lambdas, list)
    assert [lam.source for lam in lambdas if isinstance(lam, LambdaSpec)] == [
        "lambda epoch: epoch // 30",
        "lambda epoch: 0.95 ** epoch",
    ]
    assert spec.lr == (0.05, 0.05)


def test_lambdas_may_use_the_snippets_named_numbers() -> None:
    """A named number used in a lambda is written into it, so the lambda stands alone."""
    spec = _parse(
        """
        import torch
        warmup = 5
        floor_lr = -0.5
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: max(floor_lr, min(1.0, (step + 1) / warmup))
        )
        for step in range(10):
            scheduler.step()
        """
    )
    lam = spec.scheduler.kwargs["lr_lambda"]
    assert isinstance(lam, LambdaSpec)
    assert lam.source == "lambda step: max(-0.5, min(1.0, (step + 1) / 5))"


@pytest.mark.parametrize(
    "step",
    [
        "scheduler.step(val_losses[epoch])",
        "scheduler.step(metrics=val_losses[epoch])",
        "val_loss = val_losses[epoch]\n    scheduler.step(val_loss)",
    ],
)
def test_plateau_metrics_from_a_list_indexed_by_the_loop(step: str) -> None:
    """scheduler.step(losses[epoch]) reads one metric per step from a literal list."""
    code = (
        "import torch\n"
        "params = [torch.nn.Parameter(torch.zeros(1))]\n"
        "optimizer = torch.optim.SGD(params, lr=0.1)\n"
        "scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=1)\n"
        "val_losses = [1.0, 0.9, 0.9, 0.9, 0.8]\n"
        "for epoch in range(5):\n"
        "    optimizer.step()\n"
        f"    {step}\n"
    )
    spec = parse_run(code)
    assert spec.metrics == (1.0, 0.9, 0.9, 0.9, 0.8)
    assert spec.steps == 5


def test_plateau_metric_list_too_short_is_refused() -> None:
    """Reading past the end of the metrics list is refused with the numbers involved."""
    code = SEED.replace("StepLR(optimizer, step_size=2, gamma=0.5)", "ReduceLROnPlateau(optimizer)")
    code = code.replace("for epoch in range(3):", "losses = [1, 2]\nfor epoch in range(3):")
    code = code.replace("scheduler.step()", "scheduler.step(losses[epoch])")
    with pytest.raises(RunError, match=r"`losses` has 2 values, but the loop reads `losses\[2\]`"):
        parse_run(code)


def test_plateau_metric_that_is_not_simple_is_refused() -> None:
    """A metric computed some other way is refused, naming the line."""
    code = SEED.replace("StepLR(optimizer, step_size=2, gamma=0.5)", "ReduceLROnPlateau(optimizer)")
    code = code.replace("scheduler.step()", "scheduler.step(validate(model))")
    with pytest.raises(RunError, match="Line 8: the metric must be a number"):
        parse_run(code)


def test_constants_and_nested_loops() -> None:
    """Named numbers work in arguments and ranges; nested loops multiply the steps."""
    spec = _parse(
        """
        import torch
        EPOCHS = 2
        BATCHES = 3
        model = torch.nn.Linear(4, 2)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=0.1, epochs=EPOCHS, steps_per_epoch=BATCHES
        )
        for epoch in range(EPOCHS):
            for batch in range(BATCHES):
                optimizer.step()
                scheduler.step()
            print(epoch, scheduler.get_last_lr())
        """
    )
    assert spec.scheduler.kwargs == {"max_lr": 0.1, "epochs": 2, "steps_per_epoch": 3}
    assert spec.steps == 6


def test_print_shapes_are_recognised_and_ignored() -> None:
    """Prints of the rate in their usual shapes, ifs around prints, loops over groups."""
    spec = _parse(
        """
        import torch
        params = [torch.nn.Parameter(torch.randn(2, 2))]
        optimizer = torch.optim.SGD(params, lr=0.1)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2)
        print("initial:", optimizer.param_groups[0]['lr'])
        for epoch in range(1, 5):
            optimizer.step()
            scheduler.step()
            current = scheduler.get_last_lr()[0]
            if epoch % 2 == 0 or epoch == 1:
                print(f"Epoch {epoch:>3}: {current:.{4}f}", sep="", end="\\n")
            else:
                print([group['lr'] for group in optimizer.param_groups])
            for group in optimizer.param_groups:
                print(round(group['lr'], 6))
        print('done', epoch, current, sep=' | ')
        """
    )
    assert spec.steps == 4


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("    scheduler.step()\n", "    scheduler.step()\n    loss.backward()\n"), "Line 9:"),
        (("    scheduler.step()\n", "    scheduler.step(epoch)\n"), "no argument"),
        (
            ("    scheduler.step()\n", "    if epoch > 1:\n        scheduler.step()\n"),
            "inside an `if`",
        ),
        (("for epoch in range(3):", "for epoch in [0, 1, 2]:"), "range(N)"),
        (("for epoch in range(3):", "for epoch in range(3, 0, 0):"), "must not be zero"),
        (("for epoch in range(3):", "while epoch < 3:"), "Line 6:"),
        (("optimizer = optim.SGD", "optimizer = optim.Adagrad"), "isn't an optimizer"),
        (
            ("optim.SGD(model_params, lr=0.1)", "optim.SGD(model_params, lr=0.1, foo=1)"),
            "no argument",
        ),
        (("optim.SGD(model_params, lr=0.1)", "optim.SGD(model_params, momentum=m)"), "momentum"),
        (("optim.SGD(model_params", "optim.SGD(make_params()"), "must be parameters"),
        (("step_size=2", "step_sise=2"), "Did you mean `step_size`"),
        (("import torch.optim as optim\n", "import torch.optim as optim\nimport numpy\n"), "numpy"),
        (
            ("import torch\n", "import torch\nfrom torch.optim.lr_scheduler import LRScheduler\n"),
            "LRScheduler",
        ),
    ],
)
def test_snippet_refusals(change: tuple[str, str], message: str) -> None:
    """Snippets outside the known shapes are refused, saying where and why."""
    old, new = change
    assert old in SEED
    with pytest.raises(RunError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_run(SEED.replace(old, new))


def test_snippet_without_optimizer_or_scheduler_is_refused() -> None:
    """A snippet must create an optimizer and a scheduler and step it."""
    with pytest.raises(RunError, match="never creates an optimizer"):
        parse_run("import torch\nx = 1\n")
    with pytest.raises(RunError, match="never creates a scheduler"):
        parse_run("import torch\nopt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))])\n")


def test_two_schedulers_stepped_or_unused_are_refused() -> None:
    """Only one scheduler runs: a second stepped or dangling one is refused."""
    two = SEED.replace(
        "for epoch", "other = optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)\nfor epoch"
    )
    with pytest.raises(RunError, match="`other` is created but never stepped"):
        parse_run(two)
    with pytest.raises(RunError, match="steps both"):
        parse_run(two.replace("    scheduler.step()\n", "    scheduler.step()\n    other.step()\n"))


def test_second_optimizer_is_refused() -> None:
    """`!run` uses one optimizer."""
    code = SEED.replace("scheduler =", "opt2 = optim.Adam(model_params)\nscheduler =")
    with pytest.raises(RunError, match="Line 5: `!run` uses one optimizer"):
        parse_run(code)


def test_nothing_in_a_snippet_is_executed(tmp_path: Path) -> None:
    """Parameter-like calls in an accepted snippet are matched, not run (no file appears)."""
    canary = f"{tmp_path}/canary"
    code = SEED.replace(
        "torch.randn(2, 2, requires_grad=True)", f"torch.tensor([1.0], device='{canary}')"
    )
    parse_run(code)
    assert not Path(canary).exists()
