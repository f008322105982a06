"""Tests for bot.content.generator.program: each shape and each planted bug, as code."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.content.generator.generate import recipe
from bot.content.generator.program import (
    Program,
    Read,
    Resume,
    float_literals,
    shown,
    trace,
    value,
)
from bot.runner import SchedulerSpec, parse_run, render_command

STEP = SchedulerSpec("StepLR", {"step_size": 3, "gamma": 0.5})
ONE_CYCLE = SchedulerSpec("OneCycleLR", {"max_lr": 0.1, "total_steps": 20})
PLAIN = Program(STEP, (0.1,), 8)


def body(code: str) -> list[str]:
    """The snippet's lines from the loop on, without blank lines."""
    lines = code.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("for "))
    return [line for line in lines[start:] if line.strip()]


def test_a_plain_loop_steps_once_per_epoch_and_prints_with_fixed_decimals() -> None:
    """Per epoch: optimizer then scheduler, and the print uses the decimals asked for."""
    assert body(shown(PLAIN, 4)) == [
        "for epoch in range(8):",
        "    optimizer.step()",
        "    scheduler.step()",
        """print(f"{optimizer.param_groups[0]['lr']:.4f}")""",
    ]
    assert value(PLAIN).rstrip().endswith("print(repr(float(optimizer.param_groups[0]['lr'])))")


def test_a_per_batch_scheduler_is_stepped_inside_the_batch_loop() -> None:
    """OneCycleLR over epochs of batches: scheduler.step() after each optimizer.step()."""
    program = Program(ONE_CYCLE, (0.1,), 3, batches=4, per_batch=True)
    code = shown(program, 4)
    assert body(code)[:5] == [
        "for epoch in range(3):",
        "    for batch in range(4):",
        "        optimizer.step()",
        "        scheduler.step()",
        """print(f"{optimizer.param_groups[0]['lr']:.4f}")""",
    ]
    assert "momentum=0.9" in code  # OneCycleLR cycles SGD's momentum
    assert program.total_calls == 12


def test_an_epoch_scheduler_over_batches_is_stepped_after_them() -> None:
    """Batches per epoch, the scheduler stepped once at the end of each epoch."""
    program = replace(PLAIN, batches=5)
    assert body(shown(program, 4))[:4] == [
        "for epoch in range(8):",
        "    for batch in range(5):",
        "        optimizer.step()",
        "    scheduler.step()",
    ]
    assert program.total_calls == 8


def test_two_groups_and_the_group_printed() -> None:
    """Two parameter groups with their own lr; the print reads the group asked for."""
    program = replace(PLAIN, lrs=(0.01, 0.1), group=1)
    code = shown(program, 4)
    assert '{"params": backbone, "lr": 0.01},' in code
    assert '{"params": head, "lr": 0.1},' in code
    assert "param_groups[1]['lr']" in code
    assert program.start == 0.1


def test_the_rate_an_epoch_trained_with_is_recorded_before_its_step() -> None:
    """RECORD: `used` collects the rate after training, before scheduler.step()."""
    program = replace(PLAIN, record=4, epochs=6, read=Read.LAST_LR)
    lines = body(shown(program, 4))
    assert lines[1:4] == [
        "    optimizer.step()",
        "    used.append(scheduler.get_last_lr()[0])",
        "    scheduler.step()",
    ]
    assert lines[-1] == 'print(f"{used[4]:.4f}")'
    assert program.calls_read == 4


def test_a_resume_saves_rebuilds_and_loads_both_states() -> None:
    """RESUME: a checkpoint, a new optimizer and scheduler, both states loaded, the rest."""
    code = shown(replace(PLAIN, resume=Resume(3)), 4)
    assert "for epoch in range(3):" in code
    assert '    "scheduler": scheduler.state_dict(),' in code
    assert code.count("scheduler = StepLR(optimizer, step_size=3, gamma=0.5)") == 2
    assert 'optimizer.load_state_dict(checkpoint["optimizer"])' in code
    assert 'scheduler.load_state_dict(checkpoint["scheduler"])' in code
    assert "for epoch in range(3, 8):" in code
    only = shown(replace(PLAIN, resume=Resume(3, ("scheduler",))), 4)
    assert 'optimizer.load_state_dict(checkpoint["optimizer"])' not in only


@pytest.mark.parametrize(
    ("optimizer", "reads"),
    [("SGD", "['momentum']"), ("Adam", "['betas'][0]"), ("AdamW", "['betas'][0]")],
)
def test_momentum_is_read_where_each_optimizer_keeps_it(optimizer: str, reads: str) -> None:
    """SGD keeps momentum, Adam and AdamW keep beta1 in betas."""
    program = Program(ONE_CYCLE, (0.1,), 3, optimizer, 4, True, read=Read.MOMENTUM)
    assert f"optimizer.param_groups[0]{reads}" in shown(program, 4)


def test_each_bug_changes_the_loop_as_named() -> None:
    """Order swapped, a second step, an optimizer rebuilt, the rate reset by hand."""
    base = replace(PLAIN, batches=2, log=True)
    swapped = body(shown(replace(base, swapped=True), 4))
    assert swapped[1] == "    scheduler.step()"
    assert swapped[2] == "    for batch in range(2):"
    twice = shown(replace(base, twice=True), 4)
    assert "    # after validation\n    scheduler.step()" in twice
    rebuilt = shown(replace(base, rebuilt=True), 4)
    assert rebuilt.index("scheduler = StepLR") < rebuilt.rindex("optimizer = SGD")
    reset = body(shown(replace(base, reset=True), 4))
    assert reset[1:3] == ["    for group in optimizer.param_groups:", "        group['lr'] = 0.1"]
    assert shown(base, 4).rstrip().endswith('print(" ".join(f"{lr:.4f}" for lr in used))')


def test_a_trace_prints_before_the_first_call_and_after_each() -> None:
    """The trace loop prints the number once before the loop and once per call."""
    code = trace(PLAIN.flat(5))
    assert code.count("print(repr(float(") == 2
    assert "for step in range(5):" in code


def test_float_literals_are_the_numbers_a_guesser_could_match() -> None:
    """0.1 and 0.5 are literals; the 8 of range(8) and the 1 of zeros(1) are not."""
    assert float_literals(shown(PLAIN, 4)) == {0.1, 0.5}
    assert 0.001 in float_literals("Adam(params, lr=1e-3)")


@pytest.mark.parametrize(
    "program",
    [
        PLAIN,
        replace(PLAIN, batches=3),
        replace(PLAIN, lrs=(0.01, 0.1), group=1),
        Program(ONE_CYCLE, (0.1,), 3, batches=4, per_batch=True),
        Program(
            SchedulerSpec("ReduceLROnPlateau", {"factor": 0.5, "patience": 1}),
            (0.1,),
            4,
            metrics=(1.0, 0.9, 0.9, 0.95),
        ),
    ],
)
def test_the_snippet_is_its_run_recipe(program: Program) -> None:
    """`!run` reads the snippet as exactly the run that `!run <problem-id>` would do.

    (Snippets that print the momentum, resume or collect rates in a list are not `!run`'s
    language; their recipe still runs the same schedule.)
    """
    from_code = parse_run(shown(program, 4))
    made = recipe(program)
    text = f"{made.expression} lr={made.lr} steps={made.steps} optimizer={made.optimizer}"
    if made.metrics is not None:
        text += f" metrics={made.metrics}"
    assert render_command(from_code) == render_command(parse_run(text))
