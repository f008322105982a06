"""Writing a RunSpec back as text: the canonical `!run` command, or a runnable Python loop."""

from __future__ import annotations

from typing import Final

from bot.runner.language._lambdas import math_imports
from bot.runner.language._schedulers import SCHEDULERS, Kind
from bot.runner.protocol import cycles_momentum
from bot.runner.spec import Arg, LambdaSpec, RunSpec, SchedulerSpec, scheduler_module


def render_expression(spec: SchedulerSpec) -> str:
    """Canonical `!run` text for a scheduler, e.g. `StepLR(step_size=2, gamma=0.5)`."""
    return _render_call(spec, optimizer=None)


def render_command(spec: RunSpec) -> str:
    """Canonical `!run` text for a whole run: the expression and every option."""
    return " ".join([render_expression(spec.scheduler), *render_options(spec).values()])


def render_options(spec: RunSpec) -> dict[str, str]:
    """Each run option of `spec` as `!run` text, by name: {"lr": "lr=0.1", "steps": ...}."""
    lrs = spec.lr
    options = {
        "lr": f"lr={_value(lrs[0])}" if len(lrs) == 1 else f"lr={_value(list(lrs))}",
        "steps": f"steps={spec.steps}",
        "optimizer": f"optimizer={spec.optimizer}",
    }
    if spec.metrics is not None:
        options["metrics"] = f"metrics={_value(list(spec.metrics))}"
    return options


def _render_call(spec: SchedulerSpec, optimizer: str | None) -> str:
    sig = SCHEDULERS[spec.name]
    args: list[str] = []
    if optimizer is not None and sig.param("optimizer") is None:
        args.append(optimizer)  # ChainedScheduler finds it in its schedulers
    for param in sig.params:
        if param.name not in spec.kwargs:
            continue
        value = spec.kwargs[param.name]
        if param.kind is Kind.SCHEDULERS and isinstance(value, list):
            inner = ", ".join(_render_call(s, optimizer) for s in value)
            args.append(f"[{inner}]" if param is sig.params[0] else f"{param.name}=[{inner}]")
        else:
            args.append(f"{param.name}={_value(value)}")
    return f"{spec.name}({', '.join(args)})"


def _value(value: Arg) -> str:
    if isinstance(value, LambdaSpec):
        return value.source
    if isinstance(value, SchedulerSpec):
        return render_expression(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return repr(value)  # numbers, strings, True/False/None: all valid Python as repr


def render_snippet(spec: RunSpec) -> str:
    """A runnable Python training loop equivalent to `spec`: the code that was run.

    It builds the optimizer as the worker does: one tiny parameter per group and, for
    schedulers that cycle momentum, SGD/RMSprop with momentum=0.9.
    """
    lines = ["import torch"]
    needs_math = False
    bare: set[str] = set()
    for lam in _lambdas(spec.scheduler):
        module, names_from_math = math_imports(lam)
        needs_math = needs_math or module
        bare.update(names_from_math)
    if needs_math:
        lines.append("import math")
    if bare:
        lines.append(f"from math import {', '.join(sorted(bare))}")
    lines.append(f"from torch.optim import {spec.optimizer}")
    by_module: dict[str, list[str]] = {}
    for name in sorted(_scheduler_names(spec.scheduler)):
        by_module.setdefault(scheduler_module(name), []).append(name)
    for torch_module, names in sorted(by_module.items()):
        lines.append(f"from {torch_module} import {', '.join(names)}")
    lines.append("")
    extra = ""
    if spec.optimizer in ("SGD", "RMSprop") and cycles_momentum(spec.scheduler):
        extra = ", momentum=0.9"
    if len(spec.lr) == 1:
        lines.append("params = [torch.nn.Parameter(torch.zeros(1))]")
        lines.append(f"optimizer = {spec.optimizer}(params, lr={spec.lr[0]!r}{extra})")
    else:
        lines.append("optimizer = " + spec.optimizer + "(")
        lines.append("    [")
        for lr in spec.lr:
            group = f"{{'params': [torch.nn.Parameter(torch.zeros(1))], 'lr': {lr!r}}}"
            lines.append(f"        {group},")
        lines.append("    ],")
        if extra:
            lines.append(f"    {extra.removeprefix(', ')},")
        lines.append(")")
    lines.append(_render_assignment("scheduler", spec.scheduler))
    step = "scheduler.step()"
    if spec.metrics is not None:
        lines.append(f"metrics = {_value(list(spec.metrics))}")
        step = "scheduler.step(metrics[epoch])"
    lines += [
        "",
        f"for epoch in range({spec.steps}):",
        "    optimizer.step()",
        f"    {step}",
        "    print(epoch + 1, [group['lr'] for group in optimizer.param_groups])",
    ]
    return "\n".join(lines) + "\n"


_LINE: Final = 88


def _render_assignment(name: str, spec: SchedulerSpec) -> str:
    """`name = Scheduler(optimizer, ...)`, one argument per line when it would be long."""
    line = f"{name} = {_render_call(spec, 'optimizer')}"
    if len(line) <= _LINE:
        return line
    sig = SCHEDULERS[spec.name]
    out = [f"{name} = {spec.name}("]
    if sig.param("optimizer") is None:
        out.append("    optimizer,")
    for param in sig.params:
        if param.name not in spec.kwargs:
            continue
        value = spec.kwargs[param.name]
        if param.kind is Kind.SCHEDULERS and isinstance(value, list):
            prefix = "" if param is sig.params[0] else f"{param.name}="
            out.append(f"    {prefix}[")
            out += [
                f"        {_render_call(s, 'optimizer')},"
                for s in value
                if isinstance(s, SchedulerSpec)
            ]
            out.append("    ],")
        else:
            out.append(f"    {param.name}={_value(value)},")
    out.append(")")
    return "\n".join(out)


def _scheduler_names(spec: SchedulerSpec) -> set[str]:
    names = {spec.name}
    for value in spec.kwargs.values():
        if isinstance(value, list):
            for item in value:
                if isinstance(item, SchedulerSpec):
                    names |= _scheduler_names(item)
    return names


def _lambdas(spec: SchedulerSpec) -> list[LambdaSpec]:
    found: list[LambdaSpec] = []
    for value in spec.kwargs.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, LambdaSpec):
                found.append(item)
            elif isinstance(item, SchedulerSpec):
                found += _lambdas(item)
    return found
