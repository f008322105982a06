"""The `!run` language: user text -> RunSpec (parsed with `ast`, never evaluated), and back.

Two forms are understood:

- an expression with run options, `StepLR(step_size=2, gamma=0.5) lr=0.1 steps=3`;
  the options are `lr=` (a number, or a list for several parameter groups), `steps=`
  (1..10,000, default 10), `optimizer=` (SGD, Adam, AdamW, RMSprop) and `metrics=[...]`
  (ReduceLROnPlateau only; see `_convert.finish` for how their count meets `steps`);
- a pasted training-loop snippet (imports, parameters, optimizer, scheduler, a
  `for epoch in range(N):` loop, prints), recognised statically by `_snippet`.

Every refusal is a RunError whose message can be shown to the user as it is. Nothing here
imports torch.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Final

from bot.runner.language import _syntax
from bot.runner.language._convert import (
    RUN_OPTIONS,
    Options,
    Scope,
    check_required,
    convert,
    finish,
    scheduler_from_call,
    set_option,
)
from bot.runner.language._lambdas import math_imports
from bot.runner.language._schedulers import MOMENTUM_CYCLERS, SCHEDULERS, Kind
from bot.runner.language._snippet import recognise
from bot.runner.language._syntax import MAX_INPUT_CHARS, did_you_mean, quote
from bot.runner.spec import Arg, LambdaSpec, RunError, RunSpec, SchedulerSpec

__all__ = [
    "MAX_INPUT_CHARS",
    "parse_run",
    "render_command",
    "render_expression",
    "render_snippet",
    "split_options",
    "with_overrides",
]

MAX_OVERRIDE_CHARS: Final = 500
_EXAMPLE: Final = "`!run StepLR(step_size=2, gamma=0.5) lr=0.1 steps=6`"


def parse_run(text: str) -> RunSpec:
    """Parse `!run` text (an expression with options, or a snippet) into a RunSpec."""
    if len(text) > MAX_INPUT_CHARS:
        raise RunError(
            f"That's {len(text):,} characters; `!run` reads at most {MAX_INPUT_CHARS:,}."
        )
    source = _syntax.clean(text)
    if not source:
        raise RunError(f"Nothing to run. Try {_EXAMPLE}.")
    try:
        return _parse(source)
    except (RecursionError, MemoryError):
        raise RunError("That is nested too deeply for `!run` to read.") from None


def _parse(source: str) -> RunSpec:
    split = split_options(source)
    if split is not None:
        head, options = split
        if head.strip():
            try:
                tree = _syntax.parse_quietly(head, "eval")
            except (SyntaxError, ValueError):
                tree = None
            if isinstance(tree, ast.Expression):
                _syntax.check(tree)
                return _expression_run(tree, options)
        elif options and options[0][0] in RUN_OPTIONS and not _looks_like_snippet(source):
            raise RunError(f"Start with a scheduler, e.g. {_EXAMPLE}.")
    module = _syntax.parse(source, "exec")
    assert isinstance(module, ast.Module)
    if len(module.body) == 1 and isinstance(module.body[0], ast.Expr):
        return _expression_run(ast.Expression(module.body[0].value), [])
    return recognise(module, source)


def _looks_like_snippet(source: str) -> bool:
    return "\n" in source or source.startswith(("import ", "from "))


def split_options(source: str) -> tuple[str, list[tuple[str, str]]] | None:
    """Split `<expression> name=value name=value` at the top-level `name=` pairs.

    Values may hold brackets, commas and strings; the tokenizer keeps track of those.
    Returns None when the text doesn't tokenize (the parser then explains why).
    """
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    starts = [0]
    for line in io.StringIO(source).readlines():  # the lines tokenize counts
        starts.append(starts[-1] + len(line))

    def offset(position: tuple[int, int]) -> int:
        row, col = position
        return starts[row - 1] + col if row - 1 < len(starts) else len(source)

    depth = 0
    cuts: list[tuple[int, int, str]] = []  # (start of name, end of '=', name)
    for i, token in enumerate(tokens):
        if token.type == tokenize.OP and token.string in "([{":
            depth += 1
        elif token.type == tokenize.OP and token.string in ")]}":
            depth -= 1
        elif (
            depth == 0
            and token.type == tokenize.NAME
            and i + 1 < len(tokens)
            and tokens[i + 1].type == tokenize.OP
            and tokens[i + 1].string == "="
        ):
            cuts.append((offset(token.start), offset(tokens[i + 1].end), token.string))
    if not cuts:
        return source, []
    options = []
    for n, (_, value_start, name) in enumerate(cuts):
        value_end = cuts[n + 1][0] if n + 1 < len(cuts) else len(source)
        value = source[value_start:value_end].strip().rstrip(",").strip()
        options.append((name, value))
    return source[: cuts[0][0]].strip().rstrip(","), options


def _expression_run(tree: ast.Expression, options: list[tuple[str, str]]) -> RunSpec:
    scheduler = scheduler_from_call(tree.body, Scope())
    chosen = Options()
    seen: set[str] = set()
    for name, value in options:
        _syntax.check_name(name)
        if name not in RUN_OPTIONS:
            raise RunError(_unknown_option(name, scheduler))
        if name in seen:
            raise RunError(f"{name}= is given twice.")
        seen.add(name)
        if not value:
            raise RunError(f"{name}= needs a value, e.g. `{name}={_OPTION_EXAMPLES[name]}`.")
        node = _parse_value(value, f"The value of {name}=")
        set_option(chosen, name, node)
    return finish(scheduler, chosen)


_OPTION_EXAMPLES: Final = {
    "lr": "0.1",
    "steps": "20",
    "optimizer": "Adam",
    "metrics": "[1.0, 0.9, 0.9]",
}


def _unknown_option(name: str, scheduler: SchedulerSpec) -> str:
    if name in SCHEDULERS[scheduler.name].names:
        return (
            f"{name} is an argument of {scheduler.name}: put it inside the parentheses, "
            f"e.g. `{scheduler.name}(..., {name}=...)`."
        )
    hint = did_you_mean(name, RUN_OPTIONS) or ""
    return (
        f"{quote(name)} isn't a run option; after the scheduler you may set "
        f"{', '.join(n + '=' for n in RUN_OPTIONS)}.{hint}"
    )


def _parse_value(text: str, what: str) -> ast.expr:
    tree = _syntax.parse(text, "eval", what)
    assert isinstance(tree, ast.Expression)
    return tree.body


# --- rendering -----------------------------------------------------------------------------


def render_expression(spec: SchedulerSpec) -> str:
    """Canonical `!run` text for a scheduler, e.g. `StepLR(step_size=2, gamma=0.5)`."""
    return _render_call(spec, optimizer=None)


def render_command(spec: RunSpec) -> str:
    """Canonical `!run` text for a whole run: the expression and every option."""
    parts = [render_expression(spec.scheduler)]
    lrs = spec.lr
    parts.append(f"lr={_value(lrs[0])}" if len(lrs) == 1 else f"lr={_value(list(lrs))}")
    parts.append(f"steps={spec.steps}")
    parts.append(f"optimizer={spec.optimizer}")
    if spec.metrics is not None:
        parts.append(f"metrics={_value(list(spec.metrics))}")
    return " ".join(parts)


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
    names = ", ".join(sorted(_scheduler_names(spec.scheduler)))
    lines.append(f"from torch.optim.lr_scheduler import {names}")
    lines.append("")
    extra = ""
    if spec.optimizer in ("SGD", "RMSprop") and _cycles_momentum(spec.scheduler):
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


def _cycles_momentum(spec: SchedulerSpec) -> bool:
    if spec.name in MOMENTUM_CYCLERS and spec.kwargs.get("cycle_momentum", True):
        return True
    return any(
        _cycles_momentum(item)
        for value in spec.kwargs.values()
        if isinstance(value, list)
        for item in value
        if isinstance(item, SchedulerSpec)
    )


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


# --- overrides: `!run <problem-id> gamma=0.3` ------------------------------------------------


def with_overrides(
    base: str | RunSpec, overrides: Mapping[str, str], allowed: Collection[str]
) -> RunSpec:
    """`base` (a recipe's `!run` text, or a RunSpec) with some values replaced by the user's.

    `overrides` maps a name to the text the user typed (`{"gamma": "0.3"}`); only names in
    `allowed` may be changed: a scheduler argument (changed wherever the recipe sets it,
    nested schedulers included, or added to the outer scheduler) or a run option (lr,
    steps, optimizer, metrics). Each value is parsed and checked like the same value in
    `parse_run`. With ReduceLROnPlateau, a new `steps` trims the recipe's metrics or
    repeats their last value.
    """
    spec = parse_run(base) if isinstance(base, str) else base
    allowed_list = sorted(allowed)
    for name in overrides:
        if name not in allowed:
            if allowed_list:
                listed = ", ".join(f"`{n}`" for n in allowed_list)
                hint = did_you_mean(name, allowed_list)
                message = f"This problem lets you change {listed}; not {quote(name)}.{hint}"
            else:
                message = "This problem's run can't be changed; try `!run` with your own text."
            raise RunError(message)
    options = Options(lr=spec.lr, steps=None, optimizer=spec.optimizer, metrics=spec.metrics)
    scheduler = spec.scheduler
    for name, text in overrides.items():
        if len(text) > MAX_OVERRIDE_CHARS:
            raise RunError(f"The value of {name} is too long.")
        node = _parse_value(_syntax.clean(text) or text, f"The value of {name}=")
        if name in RUN_OPTIONS:
            set_option(options, name, node)
        else:
            scheduler, _ = _override(scheduler, name, node, top=True)
    if options.steps is None and "metrics" not in overrides:
        # The recipe's own metrics fit its steps; keep that count.
        options.steps = spec.steps
    if "steps" in overrides and "metrics" not in overrides and options.metrics:
        # A new step count trims the recipe's metrics or repeats their last value.
        kept = options.metrics[: options.steps]
        options.metrics = kept + (kept[-1],) * ((options.steps or 0) - len(kept))
    return finish(scheduler, options)


def _override(
    spec: SchedulerSpec, name: str, node: ast.expr, *, top: bool
) -> tuple[SchedulerSpec, bool]:
    """`spec` with `name` replaced wherever it is set; (new spec, whether anything was set)."""
    sig = SCHEDULERS[spec.name]
    kwargs = dict(spec.kwargs)
    found = False
    for key, value in spec.kwargs.items():
        if isinstance(value, list) and any(isinstance(s, SchedulerSpec) for s in value):
            inner: list[Arg] = []
            for item in value:
                if isinstance(item, SchedulerSpec):
                    item, hit = _override(item, name, node, top=False)
                    found = found or hit
                inner.append(item)
            kwargs[key] = inner
    param = sig.param(name)
    if (
        param is not None
        and param.kind is not Kind.OPTIMIZER
        and (name in spec.kwargs or (top and not found))
    ):
        kwargs[name] = convert(param, node, Scope(), owner=spec.name)
        found = True
    if top and not found:
        hint = did_you_mean(name, sig.names)
        raise RunError(f"{spec.name} has no argument {quote(name)} to change.{hint}")
    check_required(sig, kwargs)
    ordered = {p.name: kwargs[p.name] for p in sig.params if p.name in kwargs}
    return replace(spec, kwargs=ordered), found
