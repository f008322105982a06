"""What the names in a pasted snippet stand for so far, and what is recognised from them.

Parameters and prints are recognised by their shape alone: their values never change a
learning-rate schedule, so nothing here is evaluated.
"""

from __future__ import annotations

import ast
from typing import Final

from bot.runner.language._convert import Scope
from bot.runner.protocol import MAX_GROUPS

TENSOR_FACTORIES: Final = frozenset(
    {"randn", "rand", "zeros", "ones", "tensor", "empty", "full", "arange", "linspace", "eye"}
)
_DISPLAY_FUNCTIONS: Final = frozenset({"round", "str", "float", "int", "len", "list", "abs"})


class SnippetNames:
    """The names a snippet has bound, by what they hold, and the shapes built from them."""

    def __init__(self) -> None:
        self.scope = Scope(optimizers=set())
        self.params: set[str] = set()
        self.display: set[str] = set()  # names that only hold things to print
        self.group_vars: set[str] = set()  # `for group in optimizer.param_groups`
        self.metric_vars: dict[str, ast.expr] = {}  # `loss = losses[epoch]` in the loop

    # -- parameters --

    def is_params(self, node: ast.expr) -> bool:
        """Something that makes parameters: its shape and values don't matter to a schedule."""
        if isinstance(node, ast.Name):
            return node.id in self.params
        if isinstance(node, ast.List | ast.Tuple):
            return bool(node.elts) and all(self.is_params(e) for e in node.elts)
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("parameters", "requires_grad_"):
            return self.is_params(func.value) and self.inert_args(node)
        path = self.scope.resolve(func) or ""
        parts = path.split(".")
        makes = (parts[:2] == ["torch", "nn"] and len(parts) >= 3) or (
            len(parts) == 2 and parts[0] == "torch" and parts[1] in TENSOR_FACTORIES
        )
        return makes and self.inert_args(node)

    def inert_args(self, call: ast.Call) -> bool:
        """Whether every argument of `call` is inert data (no `**` unpacking)."""
        values = [*call.args, *(k.value for k in call.keywords)]
        if any(k.arg is None for k in call.keywords):
            return False
        return all(self.is_inert(v) for v in values)

    def is_inert(self, node: ast.expr) -> bool:
        """Shapes, dtypes, flags and nested modules: data that is never looked at."""
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
            return True
        if isinstance(node, ast.List | ast.Tuple):
            return all(self.is_inert(e) for e in node.elts)
        if isinstance(node, ast.Name) and node.id in self.scope.constants:
            return True
        if isinstance(node, ast.Attribute):
            return (self.scope.resolve(node) or "").startswith("torch.")
        return self.is_params(node)

    def is_param_groups(self, node: ast.expr) -> bool:
        """`optimizer.param_groups`."""
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "param_groups"
            and self.scope.is_optimizer(node.value)
        )

    # -- prints --

    def is_print(self, call: ast.Call) -> bool:
        """A `print(...)` of things to display, with at most sep=, end= and flush=."""
        if any(isinstance(a, ast.Starred) for a in call.args):
            return False
        for keyword in call.keywords:
            if keyword.arg not in ("sep", "end", "flush"):
                return False
            if not isinstance(keyword.value, ast.Constant):
                return False
        return all(self.is_display(a) for a in call.args)

    def is_display(self, node: ast.expr) -> bool:
        """Something a print may show: text, the loop variable, and ways to read the rate.

        Never evaluated; recognised only so that a snippet with prints isn't refused.
        """
        if isinstance(node, ast.Constant):
            return isinstance(node.value, str | int | float | bool) or node.value is None
        if isinstance(node, ast.Name):
            return (
                node.id in self.display
                or node.id in self.scope.constants
                or node.id in self.metric_vars
                or node.id in self.group_vars
            )
        if isinstance(node, ast.JoinedStr):
            return all(self.is_display(v) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            spec = node.format_spec
            return self.is_display(node.value) and (spec is None or self.is_display(spec))
        if isinstance(node, ast.BinOp | ast.Compare | ast.BoolOp | ast.UnaryOp):
            children = ast.iter_child_nodes(node)
            return all(self.is_display(c) for c in children if isinstance(c, ast.expr))
        if isinstance(node, ast.List | ast.Tuple):
            return all(self.is_display(e) for e in node.elts)
        if isinstance(node, ast.Subscript):
            return self.is_rate_read(node)
        if isinstance(node, ast.Call):
            return self.is_display_call(node)
        if isinstance(node, ast.ListComp):
            return self.is_group_comprehension(node)
        return False

    def is_rate_read(self, node: ast.Subscript) -> bool:
        """`param_groups[0]['lr']`, `group['lr']`, `scheduler.get_last_lr()[0]` and the like."""
        index = node.slice
        inner = node.value
        if isinstance(index, ast.Constant) and index.value == "lr":
            # optimizer.param_groups[0]['lr'], or group['lr'] in a loop over the groups
            if isinstance(inner, ast.Name):
                return inner.id in self.group_vars
            return (
                isinstance(inner, ast.Subscript)
                and self.is_param_groups(inner.value)
                and _is_small_int(inner.slice)
            )
        # scheduler.get_last_lr()[0], lrs[-1]
        return _is_small_int(index) and self.is_display(inner)

    def is_display_call(self, call: ast.Call) -> bool:
        """`scheduler.get_last_lr()`, or round(), str(), float() ... of things to display."""
        func = call.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in self.scope.schedulers
            and func.attr in ("get_last_lr", "get_lr")
        ):
            return not call.args and not call.keywords
        if isinstance(func, ast.Name) and func.id in _DISPLAY_FUNCTIONS:
            return not call.keywords and all(self.is_display(a) for a in call.args)
        return False

    def is_group_comprehension(self, node: ast.ListComp) -> bool:
        """`[group['lr'] for group in optimizer.param_groups]`, exactly."""
        if len(node.generators) != 1:
            return False
        gen = node.generators[0]
        if gen.ifs or gen.is_async or not isinstance(gen.target, ast.Name):
            return False
        elt = node.elt
        return (
            self.is_param_groups(gen.iter)
            and isinstance(elt, ast.Subscript)
            and isinstance(elt.value, ast.Name)
            and elt.value.id == gen.target.id
            and isinstance(elt.slice, ast.Constant)
            and elt.slice.value == "lr"
        )


def _is_small_int(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int)
        and not isinstance(node.value, bool)
        and node.value < MAX_GROUPS
    )
