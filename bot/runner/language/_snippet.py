"""Recognising a pasted training-loop snippet, statement by statement, as a RunSpec.

The snippet is never run: each statement must match one of a few known shapes (imports,
parameters, one optimizer, schedulers, a `for ... in range(N)` loop that steps them,
prints of the learning rate), and anything else is refused with its line number.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Final

from bot.runner.lambdas import FUNCTIONS
from bot.runner.language._convert import (
    OPTIMIZER_MODULE,
    SCHEDULER_MODULE,
    SCHEDULER_PATHS,
    Number,
    Scope,
    integer,
    literal_number,
    number,
    scheduler_from_call,
)
from bot.runner.language._options import (
    Options,
    finish,
)
from bot.runner.language._schedulers import MAX_NUMBER, NEEDS_METRICS
from bot.runner.language._snippet_names import TENSOR_FACTORIES, SnippetNames
from bot.runner.language._snippet_optimizer import (
    is_optimizer_call,
    optimizer_kind,
    optimizer_rates,
)
from bot.runner.language._syntax import LineError
from bot.runner.spec import (
    MAX_STEPS,
    OPTIMIZER_NAMES,
    SWA_MODULE,
    RunError,
    RunSpec,
    SchedulerSpec,
    quote,
)

SUPPORTED: Final = (
    "A snippet may contain: imports from torch or math; parameters (a torch.nn module, "
    "torch.nn.Parameter(...), torch.randn(...)); one optimizer (SGD, Adam, AdamW or RMSprop); "
    "schedulers; a `for epoch in range(N):` loop calling optimizer.step() and "
    "scheduler.step(); and prints of the learning rate."
)

_MODULES: Final = frozenset(
    {"torch", "torch.optim", "torch.nn", SCHEDULER_MODULE, SWA_MODULE, "math"}
)
_MAX_LOOP_NESTING: Final = 2


@dataclass(frozen=True)
class _Loop:
    var: str
    start: int
    stop: int
    stride: int
    over_groups: bool = False  # `for group in optimizer.param_groups:` steps nothing

    @property
    def count(self) -> int:
        return len(range(self.start, self.stop, self.stride))


def recognise(tree: ast.Module, source: str) -> RunSpec:
    """The RunSpec a snippet computes, or a RunError naming the first line not understood."""
    return _Recognizer(source).run(tree)


class _Recognizer(SnippetNames):
    """Reads a snippet statement by statement into what it would run."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.lines = source.split("\n")
        self.optimizer: tuple[str, tuple[float, ...]] | None = None
        self.stepped: tuple[str, SchedulerSpec] | None = None
        self.steps = 0
        self.metrics: list[float | None] = []

    # -- driver --

    def run(self, tree: ast.Module) -> RunSpec:
        if not tree.body:
            raise RunError("That snippet is empty.")
        for stmt in tree.body:
            self.statement(stmt, [], conditional=False)
        return self.result()

    def result(self) -> RunSpec:
        if self.optimizer is None:
            raise RunError(
                "The snippet never creates an optimizer, e.g. "
                "`optimizer = optim.SGD(params, lr=0.1)`. " + SUPPORTED
            )
        if self.stepped is None:
            if self.scope.schedulers:
                raise RunError(
                    "The snippet never calls `scheduler.step()`: add a loop. " + SUPPORTED
                )
            raise RunError("The snippet never creates a scheduler. " + SUPPORTED)
        var, spec = self.stepped
        if var in self.scope.used_schedulers:
            raise RunError(
                f"`{var}` is stepped but is also part of another scheduler; "
                "step only the outer one."
            )
        unused = sorted(set(self.scope.schedulers) - self.scope.used_schedulers - {var})
        if unused:
            raise RunError(
                f"The scheduler `{unused[0]}` is created but never stepped; `!run` runs one "
                "scheduler (combine several with SequentialLR or ChainedScheduler)."
            )
        if self.steps < 1:
            raise RunError("The loop never runs, so the scheduler never steps.")
        name, lrs = self.optimizer
        metrics: tuple[float, ...] | None = None
        if spec.name in NEEDS_METRICS:
            metrics = tuple(m for m in self.metrics if m is not None)
        options = Options(lr=lrs, steps=self.steps, optimizer=name, metrics=metrics)
        return finish(spec, options)

    def statement(self, stmt: ast.stmt, loops: list[_Loop], *, conditional: bool) -> None:
        try:
            self._statement(stmt, loops, conditional=conditional)
        except LineError:
            raise
        except RunError as exc:
            raise LineError(f"Line {stmt.lineno}: {exc}") from None

    def refuse(self, stmt: ast.stmt) -> RunError:
        line = self.lines[stmt.lineno - 1] if 0 < stmt.lineno <= len(self.lines) else ""
        return RunError(f"{quote(line.strip())} isn't something `!run` understands. {SUPPORTED}")

    def _statement(self, stmt: ast.stmt, loops: list[_Loop], *, conditional: bool) -> None:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            if loops or conditional:
                raise RunError("Put imports at the top of the snippet.")
            self.imports(stmt)
        elif isinstance(stmt, ast.Assign):
            if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                raise self.refuse(stmt)
            self.assign(stmt, stmt.targets[0].id, stmt.value, loops, conditional)
        elif isinstance(stmt, ast.Expr):
            self.expression(stmt, loops, conditional)
        elif isinstance(stmt, ast.For):
            self.loop(stmt, loops, conditional)
        elif isinstance(stmt, ast.If):
            if not self.is_display(stmt.test):
                raise self.refuse(stmt)
            for inner in [*stmt.body, *stmt.orelse]:
                self.statement(inner, loops, conditional=True)
        elif isinstance(stmt, ast.FunctionDef) and not loops and not conditional:
            self.function(stmt)
        elif not isinstance(stmt, ast.Pass):
            raise self.refuse(stmt)

    # -- imports --

    def imports(self, stmt: ast.Import | ast.ImportFrom) -> None:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name not in _MODULES:
                    raise RunError(f"{_only_imports(alias.name)}")
                if alias.asname:
                    self.scope.aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    self.scope.aliases[top] = top
            return
        module = stmt.module or ""
        if stmt.level or module not in _MODULES:
            raise RunError(_only_imports("." * stmt.level + module))
        for alias in stmt.names:
            if alias.name == "*":
                if module not in (SCHEDULER_MODULE, SWA_MODULE):
                    raise RunError(
                        "`import *` is only understood from torch.optim.lr_scheduler "
                        "and torch.optim.swa_utils."
                    )
                for path, name in SCHEDULER_PATHS.items():
                    if path == f"{module}.{name}":
                        self.scope.aliases[name] = path
                continue
            path = f"{module}.{alias.name}"
            if not _importable(path):
                raise RunError(f"{quote(path)} isn't something `!run` knows how to use.")
            self.scope.aliases[alias.asname or alias.name] = path

    # -- assignments --

    def assign(
        self, stmt: ast.stmt, name: str, value: ast.expr, loops: list[_Loop], conditional: bool
    ) -> None:
        self.forget(name)
        if loops or conditional:
            if self.is_display(value):
                self.display.add(name)
            elif loops and not conditional and self.is_metric(value, loops):
                self.metric_vars[name] = value
            else:
                raise self.refuse(stmt)
            return
        if isinstance(value, ast.List) and not value.elts:
            self.display.add(name)  # lrs = [] to collect rates in
        elif (constant := _constant(value, self.scope)) is not None:
            self.scope.constants[name] = constant
        elif isinstance(value, ast.Lambda):
            self.scope.lambdas[name] = self.scope.lambda_from(value)
        elif isinstance(value, ast.Call) and is_optimizer_call(value, self.scope):
            self.optimizer_assignment(name, value)
        elif isinstance(value, ast.Call) and self.is_scheduler_call(value):
            self.scope.schedulers[name] = scheduler_from_call(value, self.scope)
        elif self.is_params(value):
            self.params.add(name)
        elif self.is_display(value):
            self.display.add(name)
        else:
            raise self.refuse(stmt)

    def forget(self, name: str) -> None:
        """A name assigned again loses its old meaning."""
        if name in self.scope.optimizers or name in self.scope.schedulers:
            raise RunError(f"`{name}` is assigned twice; `!run` needs one optimizer and scheduler.")
        for table in (self.scope.constants, self.scope.lambdas, self.metric_vars):
            table.pop(name, None)
        self.scope.aliases.pop(name, None)
        self.params.discard(name)
        self.display.discard(name)

    def function(self, stmt: ast.FunctionDef) -> None:
        """`def f(epoch): return <expr>` is a lambda by another name."""
        body = list(stmt.body)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # a docstring
        if stmt.decorator_list or len(body) != 1 or not isinstance(body[0], ast.Return):
            raise RunError(
                "A function must be just `def f(epoch): return <expression>`; "
                "anything longer isn't supported."
            )
        returned = body[0].value or ast.Constant(None)
        lam = ast.Lambda(args=stmt.args, body=returned)
        self.forget(stmt.name)
        self.scope.lambdas[stmt.name] = self.scope.lambda_from(lam)

    # -- the optimizer --

    def optimizer_assignment(self, name: str, call: ast.Call) -> None:
        kind = optimizer_kind(call, self.scope)
        if self.optimizer is not None:
            raise RunError("`!run` uses one optimizer; this snippet creates a second one.")
        self.optimizer = (kind, optimizer_rates(call, kind, self))
        self.scope.optimizers = {name}

    # -- schedulers --

    def is_scheduler_call(self, call: ast.Call) -> bool:
        path = self.scope.resolve(call.func) or ""
        if path.startswith(SCHEDULER_MODULE + ".") or path in SCHEDULER_PATHS:
            return True
        # An unknown capitalised name called with the optimizer first is meant as a scheduler.
        return bool(call.args) and self.scope.is_optimizer(call.args[0])

    # -- expression statements --

    def expression(self, stmt: ast.Expr, loops: list[_Loop], conditional: bool) -> None:
        value = stmt.value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return  # a docstring or comment-like string
        if not isinstance(value, ast.Call):
            raise self.refuse(stmt)
        func = value.func
        if isinstance(func, ast.Name) and func.id == "print" and self.is_print(value):
            return
        if self.scope.resolve(func) == "torch.manual_seed" and self.inert_args(value):
            return
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            raise self.refuse(stmt)
        owner, method = func.value.id, func.attr
        if (
            owner in self.display
            and method == "append"
            and len(value.args) == 1
            and not value.keywords
            and self.is_display(value.args[0])
        ):
            return
        if (
            owner in self.scope.optimizers
            and method in ("step", "zero_grad")
            and not value.args
            and all(self.is_inert(k.value) for k in value.keywords)
        ):
            return
        if owner in self.scope.schedulers and method == "step":
            if conditional:
                raise RunError("`scheduler.step()` inside an `if` isn't supported.")
            self.step(owner, value, loops)
            return
        raise self.refuse(stmt)

    def step(self, var: str, call: ast.Call, loops: list[_Loop]) -> None:
        spec = self.scope.schedulers[var]
        if self.stepped is not None and self.stepped[0] != var:
            raise RunError(
                f"The snippet steps both `{self.stepped[0]}` and `{var}`; `!run` runs one "
                "scheduler (combine several with SequentialLR or ChainedScheduler)."
            )
        if any(loop.over_groups for loop in loops):
            raise RunError("Step the scheduler in the training loop, not in a loop over groups.")
        self.stepped = (var, spec)
        count = 1
        for loop in loops:
            count *= loop.count
        if self.steps + count > MAX_STEPS:
            raise RunError(f"That steps the scheduler more than {MAX_STEPS:,} times.")
        args = [*call.args, *(k.value for k in call.keywords if k.arg == "metrics")]
        if len(args) != len(call.args) + len(call.keywords) or len(args) > 1:
            raise RunError(f"`{var}.step()` takes at most one argument, the metric.")
        if spec.name not in NEEDS_METRICS:
            if args:
                raise RunError(
                    f"Call `{var}.step()` with no argument: {spec.name} doesn't take a metric "
                    "(passing the epoch is deprecated in torch)."
                )
            self.metrics += [None] * count
        elif not args:
            raise RunError(
                "ReduceLROnPlateau needs the metric: `scheduler.step(val_loss)`, with the "
                "values in a list above the loop, e.g. `val_losses = [1.0, 0.8, 0.8]`."
            )
        else:
            self.metrics += self.metric_values(args[0], loops, count)
        self.steps += count

    def is_metric(self, node: ast.expr, loops: list[_Loop]) -> bool:
        try:
            self.metric_values(node, loops, 1)
        except RunError:
            return False
        return True

    def metric_values(self, node: ast.expr, loops: list[_Loop], count: int) -> list[float | None]:
        if isinstance(node, ast.Name) and node.id in self.metric_vars:
            node = self.metric_vars[node.id]
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            values = self.scope.constants.get(node.value.id)
            index = node.slice
            if not isinstance(values, list):
                raise RunError(f"`{node.value.id}` must be a list of numbers defined above.")
            if not (len(loops) == 1 and isinstance(index, ast.Name) and index.id == loops[0].var):
                raise RunError(
                    "Index the metrics by the loop variable, like `val_losses[epoch]`, "
                    "in a single loop."
                )
            loop = loops[0]
            indices = range(loop.start, loop.stop, loop.stride)
            if indices and (min(indices) < 0 or max(indices) >= len(values)):
                raise RunError(
                    f"`{node.value.id}` has {len(values)} values, but the loop reads "
                    f"`{node.value.id}[{max(indices)}]`."
                )
            return [float(values[i]) for i in indices]
        value = literal_number(node, self.scope, "the metric")
        return [float(value)] * count

    # -- loops --

    def loop(self, stmt: ast.For, loops: list[_Loop], conditional: bool) -> None:
        if conditional:
            raise RunError("A loop inside an `if` isn't supported.")
        if not isinstance(stmt.target, ast.Name) or stmt.orelse:
            raise self.refuse(stmt)
        var = stmt.target.id
        if self.is_param_groups(stmt.iter):
            loop = _Loop(var, 0, 1, 1, over_groups=True)
            self.group_vars.add(var)
        else:
            loop = self.range_loop(stmt, var)
            if len(loops) >= _MAX_LOOP_NESTING:
                raise RunError("Loops may be nested at most two deep.")
        self.forget(var)
        self.display.add(var)
        for inner in stmt.body:
            self.statement(inner, [*loops, loop], conditional=False)

    def range_loop(self, stmt: ast.For, var: str) -> _Loop:
        call = stmt.iter
        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id == "range"
            and 1 <= len(call.args) <= 3
            and not call.keywords
        ):
            raise RunError(
                "Loops must be `for epoch in range(N):` (or over optimizer.param_groups); "
                f"{quote(ast.unparse(call))} isn't supported."
            )
        bounds = [integer(a, self.scope, "range", -MAX_NUMBER, MAX_NUMBER) for a in call.args]
        if len(bounds) == 1:
            bounds = [0, *bounds]
        stride = bounds[2] if len(bounds) == 3 else 1
        if stride == 0:
            raise RunError("range() step must not be zero.")
        return _Loop(var, bounds[0], bounds[1], stride)


def _constant(node: ast.expr, scope: Scope) -> Number | list[Number] | None:
    """A number or a list of numbers (e.g. metrics), or None if `node` is something else."""
    try:
        if isinstance(node, ast.List | ast.Tuple) and node.elts:
            if len(node.elts) > MAX_STEPS:
                raise RunError(f"That list is longer than {MAX_STEPS:,} values.")
            return [number(e, scope, "a list value", -MAX_NUMBER, MAX_NUMBER) for e in node.elts]
        return number(node, scope, "a number", -MAX_NUMBER, MAX_NUMBER)
    except RunError:
        if _looks_numeric(node):
            raise
        return None


def _looks_numeric(node: ast.expr) -> bool:
    """Literal numbers that break a rule (1e999, 10**100) should say so, not "unknown line"."""
    if isinstance(node, ast.List | ast.Tuple):
        return bool(node.elts) and all(_looks_numeric(e) for e in node.elts)
    if isinstance(node, ast.UnaryOp):
        return _looks_numeric(node.operand)
    if isinstance(node, ast.BinOp):
        return _looks_numeric(node.left) and _looks_numeric(node.right)
    return isinstance(node, ast.Constant) and isinstance(node.value, int | float)


def _only_imports(name: str) -> str:
    return (
        f"Importing {quote(name)} isn't allowed: a snippet may import only torch, "
        "torch.optim, torch.optim.lr_scheduler, torch.optim.swa_utils, torch.nn and math."
    )


def _importable(path: str) -> bool:
    module, _, name = path.rpartition(".")
    if path in _MODULES:
        return True
    if module in (SCHEDULER_MODULE, SWA_MODULE):
        return path in SCHEDULER_PATHS
    if module == OPTIMIZER_MODULE:
        return name in OPTIMIZER_NAMES
    if module == "torch.nn":
        return name[:1].isupper() or name == "functional"
    if module == "math":
        return name in FUNCTIONS or name in ("pi", "e", "tau")
    if module == "torch":
        return name in TENSOR_FACTORIES
    return False
