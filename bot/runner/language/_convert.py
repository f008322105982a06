"""From `ast` nodes to the pure data of a RunSpec: scheduler calls and their literal values.

Names are only ever looked up in the dicts of a Scope; nothing is evaluated.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field
from typing import Final

from bot.runner.language._lambdas import lambda_from_ast
from bot.runner.language._schedulers import (
    MAX_LIST,
    MAX_NESTING,
    MAX_SCHEDULERS,
    SCHEDULERS,
    Kind,
    Param,
    SchedulerSig,
)
from bot.runner.language._syntax import describe, did_you_mean
from bot.runner.protocol import MAX_GROUPS
from bot.runner.spec import (
    LR_SCHEDULER_MODULE,
    SCHEDULER_NAMES,
    SWA_MODULE,
    Arg,
    LambdaSpec,
    RunError,
    SchedulerSpec,
    quote,
    scheduler_path,
)

Number = int | float
SCHEDULER_MODULE: Final = LR_SCHEDULER_MODULE
OPTIMIZER_MODULE: Final = "torch.optim"
# Each scheduler class by its full dotted path (SWALR lives in torch.optim.swa_utils).
SCHEDULER_PATHS: Final[dict[str, str]] = {scheduler_path(name): name for name in SCHEDULER_NAMES}

# Names that resolve without an import, so `optim.lr_scheduler.StepLR(...)` works as typed.
DEFAULT_ALIASES: Final[dict[str, str]] = {
    "torch": "torch",
    "optim": OPTIMIZER_MODULE,
    "lr_scheduler": SCHEDULER_MODULE,
    "swa_utils": SWA_MODULE,
    "nn": "torch.nn",
    "math": "math",
    **{name: path for path, name in SCHEDULER_PATHS.items()},
}


@dataclass
class Scope:
    """What names mean: import aliases, and (in a snippet) variables assigned earlier."""

    aliases: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ALIASES))
    optimizers: set[str] = field(default_factory=lambda: {"optimizer", "opt"})
    constants: dict[str, Number | list[Number]] = field(default_factory=dict)
    schedulers: dict[str, SchedulerSpec] = field(default_factory=dict)
    lambdas: dict[str, LambdaSpec] = field(default_factory=dict)
    used_schedulers: set[str] = field(default_factory=set)  # nested into another one

    def dotted(self, node: ast.expr) -> list[str] | None:
        """`a.b.c` as ["a", "b", "c"], or None if it isn't a plain dotted name."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        parts.append(node.id)
        return parts[::-1]

    def resolve(self, node: ast.expr) -> str | None:
        """The full dotted path a name stands for, e.g. `optim.SGD` -> `torch.optim.SGD`."""
        parts = self.dotted(node)
        if parts is None or parts[0] not in self.aliases:
            return None
        return ".".join([self.aliases[parts[0]], *parts[1:]])

    def lambda_from(self, node: ast.Lambda) -> LambdaSpec:
        """A LambdaSpec, with named numbers (a snippet's `warmup = 5`) written in."""
        shadowed = {a.arg for a in node.args.args}
        numbers = {
            name: value
            for name, value in self.constants.items()
            if not isinstance(value, list) and name not in shadowed
        }
        if numbers:
            node = _Inline(numbers).visit(node)
        return lambda_from_ast(node)

    def is_optimizer(self, node: ast.expr) -> bool:
        """Whether `node` names the optimizer (`optimizer`, `opt`, or the snippet's own name)."""
        return isinstance(node, ast.Name) and node.id in self.optimizers

    def scheduler_name(self, func: ast.expr) -> str:
        """The scheduler class a call's function names, or a RunError saying why it isn't one."""
        path = self.resolve(func)
        if path in SCHEDULER_PATHS:
            return SCHEDULER_PATHS[path]
        rest = _after_scheduler_module(path)
        if rest in SCHEDULERS:  # a real class, in the other module (lr_scheduler.SWALR)
            raise RunError(
                f"{rest} is in {scheduler_path(rest).rpartition('.')[0]}, not in "
                f"{path.rpartition('.')[0] if path else 'that module'}: write just `{rest}(...)`."
            )
        parts = self.dotted(func)
        if parts is None:
            raise RunError(f"{describe(func).capitalize()} isn't a learning-rate scheduler.")
        last = parts[-1]
        if (rest is not None and "." not in rest) or len(parts) == 1:
            hint = did_you_mean(last, SCHEDULER_NAMES)
            if not hint:
                hint = " The schedulers are " + ", ".join(SCHEDULER_NAMES) + "."
            raise RunError(f"{quote(last)} isn't a scheduler `!run` knows.{hint}")
        raise RunError(
            f"{quote('.'.join(parts))} isn't a learning-rate scheduler: `!run` only builds "
            "classes of torch.optim.lr_scheduler, such as StepLR or CosineAnnealingLR, "
            "and torch.optim.swa_utils.SWALR."
        )


def _after_scheduler_module(path: str | None) -> str | None:
    """What follows `torch.optim.lr_scheduler.` (or `swa_utils.`) in `path`, if it starts so."""
    for module in (SCHEDULER_MODULE, SWA_MODULE):
        if path is not None and path.startswith(module + "."):
            return path[len(module) + 1 :]
    return None


class _Inline(ast.NodeTransformer):
    """Replaces names of numbers by the numbers (the tree's depth was checked already)."""

    def __init__(self, numbers: dict[str, Number]) -> None:
        self.numbers = numbers

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id not in self.numbers:
            return node
        value = self.numbers[node.id]
        constant = ast.Constant(abs(value))
        return ast.UnaryOp(ast.USub(), constant) if value < 0 else constant


# --- schedulers ---------------------------------------------------------------------------


class _Budget:
    """Counts schedulers across one expression, so nesting can't grow without bound."""

    def __init__(self) -> None:
        self.count = 0


def scheduler_from_call(
    call: ast.expr, scope: Scope, *, depth: int = 1, budget: _Budget | None = None
) -> SchedulerSpec:
    """Read `StepLR(step_size=2, gamma=0.5)` (optionally with the optimizer first)."""
    budget = budget or _Budget()
    if not isinstance(call, ast.Call):
        parts = scope.dotted(call)
        if parts and parts[-1] in SCHEDULERS:
            example = SCHEDULERS[parts[-1]].example
            raise RunError(f"Give {parts[-1]} its arguments, e.g. `{example}`.")
        if isinstance(call, ast.Lambda):
            raise RunError(
                "A lambda on its own isn't a scheduler: wrap it, e.g. "
                "`LambdaLR(lr_lambda=lambda epoch: 0.95 ** epoch)`."
            )
        raise RunError(
            f"`!run` expects a scheduler like `StepLR(step_size=2, gamma=0.5)`, "
            f"not {describe(call)}."
        )
    name = scope.scheduler_name(call.func)
    budget.count += 1
    if budget.count > MAX_SCHEDULERS:
        raise RunError(f"That's more than {MAX_SCHEDULERS} schedulers in one run.")
    if depth > MAX_NESTING:
        raise RunError(f"Schedulers may be nested at most {MAX_NESTING - 1} levels deep.")
    sig = SCHEDULERS[name]
    args = list(call.args)
    for arg in args:
        if isinstance(arg, ast.Starred):
            raise RunError(f"{name}: `*` unpacking isn't allowed; write the arguments out.")
    if args and scope.is_optimizer(args[0]):
        if sig.param("optimizer") is not None:
            raise RunError(
                f"{name} takes the list of schedulers first; its optimizer is optional and comes "
                f"after, e.g. `{sig.example}`."
            )
        args = args[1:]  # StepLR(optimizer, ...): the optimizer is implied
    if len(args) > len(sig.params):
        raise RunError(
            f"{name} takes at most {len(sig.params)} arguments besides the optimizer; "
            f"got {len(args)}. Its arguments are: {', '.join(sig.names)}."
        )
    given: dict[str, ast.expr] = {}
    for param, node in zip(sig.params, args, strict=False):
        given[param.name] = node
    for keyword in call.keywords:
        if keyword.arg is None:
            raise RunError(f"{name}: `**` unpacking isn't allowed; write the arguments out.")
        if keyword.arg == "optimizer" and sig.param("optimizer") is None:
            if not scope.is_optimizer(keyword.value):
                raise RunError(f"{name}: `optimizer=` can only be the optimizer itself.")
            continue
        if sig.param(keyword.arg) is None:
            hint = did_you_mean(keyword.arg, sig.names) or f" It takes: {', '.join(sig.names)}."
            raise RunError(f"{name} has no argument {quote(keyword.arg)}.{hint}")
        if keyword.arg in given:
            raise RunError(f"{name}: {keyword.arg} is given twice.")
        given[keyword.arg] = keyword.value
    kwargs: dict[str, Arg] = {}
    for param in sig.params:
        if param.name not in given:
            continue
        value = convert(param, given[param.name], scope, owner=name, depth=depth, budget=budget)
        if param.kind is not Kind.OPTIMIZER:
            kwargs[param.name] = value
    check_required(sig, kwargs)
    return SchedulerSpec(name=name, kwargs=kwargs)


def check_required(sig: SchedulerSig, kwargs: dict[str, Arg]) -> None:
    """Refuse a scheduler call that leaves out a required argument, with an example."""
    missing = [p.name for p in sig.params if p.required and p.name not in kwargs]
    if missing:
        raise RunError(
            f"{sig.name} needs {' and '.join(missing)}, e.g. `{sig.example}`."
            if len(missing) < 3
            else f"{sig.name} needs {', '.join(missing)}, e.g. `{sig.example}`."
        )


def convert(
    param: Param,
    node: ast.expr,
    scope: Scope,
    *,
    owner: str,
    depth: int = 1,
    budget: _Budget | None = None,
) -> Arg:
    """The value of one scheduler argument, checked against its kind and bounds."""
    label = f"{owner}: {param.name}"
    kind = param.kind
    if kind is Kind.INT:
        return integer(node, scope, label, param.low, param.high)
    if kind is Kind.OPTIONAL_INT:
        if _is_none(node):
            return None
        return integer(node, scope, label, param.low, param.high)
    if kind is Kind.FLOAT:
        return number(node, scope, label, param.low, param.high)
    if kind is Kind.FLOAT_OR_LIST:
        if isinstance(node, ast.List | ast.Tuple):
            items = list_items(node, label, 1, MAX_GROUPS)
            return [number(item, scope, label, param.low, param.high) for item in items]
        return number(node, scope, label, param.low, param.high)
    if kind is Kind.INT_LIST:
        items = list_items(node, label, 0, MAX_LIST, scope)
        return [integer(item, scope, label, param.low, param.high) for item in items]
    if kind is Kind.CHOICE:
        return _choice(node, param, label)
    if kind is Kind.BOOL:
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return node.value
        raise RunError(f"{label} must be True or False, not {describe(node)}.")
    if kind is Kind.LAMBDAS:
        if isinstance(node, ast.List | ast.Tuple):
            return [_lambda(item, scope, label) for item in list_items(node, label, 1, MAX_GROUPS)]
        return _lambda(node, scope, label)
    if kind is Kind.OPTIONAL_LAMBDA:
        return None if _is_none(node) else _lambda(node, scope, label)
    if kind is Kind.SCHEDULERS:
        items = list_items(node, label, 1, MAX_SCHEDULERS)
        return [_inner_scheduler(item, scope, depth + 1, budget or _Budget()) for item in items]
    if kind is Kind.OPTIMIZER:
        if scope.is_optimizer(node) or _is_none(node):
            return None
        raise RunError(f"{label} can only be the optimizer itself.")
    raise AssertionError(kind)  # pragma: no cover


def _inner_scheduler(node: ast.expr, scope: Scope, depth: int, budget: _Budget) -> SchedulerSpec:
    if isinstance(node, ast.Name) and node.id in scope.schedulers:
        scope.used_schedulers.add(node.id)
        return scope.schedulers[node.id]
    return scheduler_from_call(node, scope, depth=depth, budget=budget)


def _lambda(node: ast.expr, scope: Scope, label: str) -> LambdaSpec:
    if isinstance(node, ast.Lambda):
        return scope.lambda_from(node)
    if isinstance(node, ast.Name) and node.id in scope.lambdas:
        return scope.lambdas[node.id]
    raise RunError(
        f"{label} must be a lambda like `lambda epoch: 0.95 ** epoch`, not {describe(node)}."
    )


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _choice(node: ast.expr, param: Param, label: str) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if node.value in param.choices:
            return node.value
        hint = did_you_mean(node.value, param.choices)
        raise RunError(f"{label} must be {param.describe()}, not {quote(node.value)}.{hint}")
    if isinstance(node, ast.Name) and node.id in param.choices:
        raise RunError(f"{label}: put the text in quotes, `{param.name}='{node.id}'`.")
    raise RunError(f"{label} must be {param.describe()}, not {describe(node)}.")


def list_items(
    node: ast.expr, label: str, fewest: int, most: int, scope: Scope | None = None
) -> list[ast.expr]:
    """The items of a list (or of a snippet's list variable), between `fewest` and `most`."""
    if isinstance(node, ast.Name) and scope is not None and node.id in scope.constants:
        value = scope.constants[node.id]
        if isinstance(value, list):
            return [ast.Constant(v) for v in value]
    if not isinstance(node, ast.List | ast.Tuple):
        raise RunError(f"{label} must be a list like `[1, 2]`, not {describe(node)}.")
    if not fewest <= len(node.elts) <= most:
        raise RunError(f"{label} must have {fewest} to {most} items; it has {len(node.elts)}.")
    for item in node.elts:
        if isinstance(item, ast.Starred):
            raise RunError(f"{label}: `*` unpacking isn't allowed; write the items out.")
    return list(node.elts)


# --- numbers ------------------------------------------------------------------------------


def literal_number(node: ast.expr, scope: Scope | None, label: str) -> Number:
    """A number written as a literal (optionally signed) or, in a snippet, a number variable."""
    sign = 1
    inner = node
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign = -1 if isinstance(node.op, ast.USub) else 1
        inner = node.operand
    if isinstance(inner, ast.Constant):
        value = inner.value
        if isinstance(value, int | float) and not isinstance(value, bool):
            if isinstance(value, float) and not math.isfinite(value):
                raise RunError(f"{label} must be a finite number; {quote(repr(value))} isn't.")
            return sign * value
    if isinstance(inner, ast.Name) and scope is not None and inner.id in scope.constants:
        found = scope.constants[inner.id]
        if not isinstance(found, list):
            return sign * found
    if isinstance(inner, ast.Name) and inner.id in ("nan", "inf", "NaN", "Inf"):
        raise RunError(f"{label} must be a finite number, not {inner.id}.")
    if isinstance(node, ast.BinOp | ast.UnaryOp):
        raise RunError(
            f"{label} must be a plain number; `!run` doesn't do arithmetic "
            f"({quote(_unparse(node))})."
        )
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "float":
        raise RunError(f"{label} must be a plain number; nan and inf aren't allowed.")
    raise RunError(f"{label} must be a number, not {describe(node)}.")


def _unparse(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except (RecursionError, ValueError):  # pragma: no cover - the tree was checked
        return "..."


def _show(value: float) -> str:
    if abs(value) > 1e15:
        return "a huge number"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:g}"


def number(node: ast.expr, scope: Scope | None, label: str, low: float, high: float) -> Number:
    """A literal number between `low` and `high`."""
    value = literal_number(node, scope, label)
    if not low <= value <= high:
        raise RunError(
            f"{label} must be between {_show(low)} and {_show(high)}; got {_show(value)}."
        )
    return value


def integer(node: ast.expr, scope: Scope | None, label: str, low: float, high: float) -> int:
    """A whole number (2.0 counts) between `low` and `high`."""
    value = literal_number(node, scope, label)
    if isinstance(value, float) and not value.is_integer():
        raise RunError(f"{label} must be a whole number; got {_show(value)}.")
    if not low <= value <= high:
        raise RunError(
            f"{label} must be a whole number from {_show(low)} to {_show(high)}; "
            f"got {_show(value)}."
        )
    return int(value)
