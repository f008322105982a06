"""`lambda epoch: ...` in `!run`: read from `ast` into a lambda tree, never eval'd.

The tree's vocabulary is defined (and evaluated, in the worker) by bot/runner/lambdas.py;
this module builds it from a float-only subset of Python expressions.
"""

from __future__ import annotations

import ast
import math
from typing import Final

from bot.runner.lambdas import FUNCTIONS, MAX_CONSTANT, MAX_NODES, EvaluationFailed, evaluate
from bot.runner.language._syntax import describe, excerpt
from bot.runner.spec import LambdaNode, LambdaSpec, RunError, quote

# Builtins Python itself knows; the others need `math.` (or `from math import ...`).
_BUILTINS: Final = frozenset({"min", "max", "abs", "round", "int", "float", "pow"})
# `math.<name>` spellings, mapped to FUNCTIONS names.
_MATH_FUNCTIONS: Final[dict[str, str]] = {
    **{name: name for name in FUNCTIONS if name not in _BUILTINS},
    "pow": "pow",
    "fabs": "abs",
    "trunc": "int",
}
_MATH_CONSTANTS: Final[dict[str, float]] = {"pi": math.pi, "e": math.e, "tau": math.tau}

_BINARY: Final[dict[type[ast.operator], str]] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}
_COMPARE: Final[dict[type[ast.cmpop], str]] = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
}
_SUPPORTED = (
    "numbers, the argument, + - * / // % **, comparisons, `x if c else y`, and/or/not, and "
    "min, max, abs, floor, ceil, round, int, float, pow, sqrt, exp, log, cos, sin, tan, tanh "
    "(also spelled math.cos etc.), math.pi and math.e"
)


def lambda_from_ast(node: ast.Lambda) -> LambdaSpec:
    """Read `lambda <arg>: <expr>` into a LambdaSpec, or raise RunError saying what's wrong."""
    args = node.args
    if (
        len(args.args) != 1
        or args.posonlyargs
        or args.kwonlyargs
        or args.vararg
        or args.kwarg
        or args.defaults
    ):
        raise RunError(
            "A lambda takes exactly one argument and nothing else (no defaults, *args or "
            "**kwargs), e.g. `lambda epoch: 0.95 ** epoch`."
        )
    arg = args.args[0].arg
    source = ast.unparse(node)
    builder = _Builder(arg)
    try:
        body = builder.build(node.body)
        _check_constant_parts(body, builder.origins)
    except RecursionError:
        raise RunError("That lambda is nested too deeply.") from None
    return LambdaSpec(arg=arg, body=body, source=source)


class _Builder:
    def __init__(self, arg: str) -> None:
        self.arg = arg
        self.count = 0
        self.origins: dict[int, ast.expr] = {}  # id(tree node) -> the ast it came from

    def build(self, node: ast.expr) -> LambdaNode:
        tree = self._build(node)
        self.origins[id(tree)] = node
        return tree

    def _build(self, node: ast.expr) -> LambdaNode:
        self.count += 1
        if self.count > MAX_NODES:
            raise RunError(f"That lambda is too long: the limit is {MAX_NODES} parts.")
        if isinstance(node, ast.Constant):
            return ["num", _constant(node.value)]
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.Attribute):
            if _is_math(node.value) and node.attr in _MATH_CONSTANTS:
                return ["num", _MATH_CONSTANTS[node.attr]]
            raise self._refuse(node)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return [_BINARY[type(node.op)], self.build(node.left), self.build(node.right)]
        if isinstance(node, ast.UnaryOp):
            operand = self.build(node.operand)
            if isinstance(node.op, ast.USub):
                return ["neg", operand]
            if isinstance(node.op, ast.UAdd):
                return operand
            if isinstance(node.op, ast.Not):
                return ["not", operand]
            raise self._refuse(node)  # ~x is an integer operation
        if isinstance(node, ast.BoolOp):
            head = "and" if isinstance(node.op, ast.And) else "or"
            return [head, *(self.build(v) for v in node.values)]
        if isinstance(node, ast.Compare):
            tree: LambdaNode = ["cmp", self.build(node.left)]
            for op, right in zip(node.ops, node.comparators, strict=True):
                if type(op) not in _COMPARE:
                    raise self._refuse(node)  # `in`, `is`
                tree += [_COMPARE[type(op)], self.build(right)]
            return tree
        if isinstance(node, ast.IfExp):
            return ["if", self.build(node.test), self.build(node.body), self.build(node.orelse)]
        if isinstance(node, ast.Call):
            return self._call(node)
        raise self._refuse(node)

    def _name(self, name: str) -> LambdaNode:
        if name == self.arg:
            return ["arg"]
        if name == "pi":
            return ["num", math.pi]
        if name in FUNCTIONS:
            raise RunError(f"`{name}` is a function: call it, like `{name}(...)`.")
        raise RunError(
            f"A lambda can only use its argument `{self.arg}`, not {quote(name)}. "
            f"It may contain {_SUPPORTED}."
        )

    def _call(self, node: ast.Call) -> LambdaNode:
        name: str | None = None
        if isinstance(node.func, ast.Name) and node.func.id != self.arg:
            name = node.func.id if node.func.id in FUNCTIONS else None
        elif isinstance(node.func, ast.Attribute) and _is_math(node.func.value):
            name = _MATH_FUNCTIONS.get(node.func.attr)
        if name is None:
            raise self._refuse(node)
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise RunError(f"`{name}(...)` in a lambda takes plain arguments only.")
        low, high = FUNCTIONS[name]
        if not low <= len(node.args) <= high:
            count = f"{low}" if low == high else f"{low} to {high}"
            raise RunError(f"`{name}` takes {count} argument(s) in a lambda.")
        return ["call", name, *(self.build(a) for a in node.args)]

    def _refuse(self, node: ast.AST) -> RunError:
        return RunError(f"A lambda can't contain {describe(node)}. It may contain {_SUPPORTED}.")


def _is_math(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "math"


def _constant(value: object) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        if not (math.isfinite(value) and abs(value) <= MAX_CONSTANT):
            shown = "a huge number" if abs(value) > 1e15 else f"{value:,}"
            raise RunError(
                f"A lambda's numbers must be finite and at most {MAX_CONSTANT:,.0f}; got {shown}."
            )
        return float(value)
    raise RunError(f"A lambda works in numbers only, not {quote(repr(value))}.")


def _children(node: LambdaNode) -> list[LambdaNode]:
    head = node[0]
    if head in ("num", "arg"):
        return []
    if head == "cmp":
        return [node[i] for i in range(1, len(node), 2)]
    if head == "call":
        return list(node[2:])
    return list(node[1:])


def _check_constant_parts(body: LambdaNode, origins: dict[int, ast.expr]) -> None:
    """Evaluate each part that doesn't involve the argument now, so `9**9**9` fails here."""

    def depends(node: LambdaNode) -> bool:
        if node[0] == "arg":
            return True
        flags = [depends(child) for child in _children(node)]
        if any(flags):
            for child, flag in zip(_children(node), flags, strict=True):
                if not flag and child[0] != "num":
                    probe(child)
        return any(flags)

    def probe(node: LambdaNode) -> None:
        try:
            value = evaluate(node, 0.0)
        except EvaluationFailed as exc:
            raise RunError(f"In the lambda, {shown(node)} fails: {exc}.") from None
        if not math.isfinite(value):
            raise RunError(f"In the lambda, {shown(node)} is too large.")

    def shown(node: LambdaNode) -> str:
        origin = origins.get(id(node))
        return excerpt(origin) if origin is not None else "a part without the argument"

    if not depends(body) and body[0] != "num":
        probe(body)


def math_imports(spec: LambdaSpec) -> tuple[bool, tuple[str, ...]]:
    """What running `spec.source` as Python needs: (`import math`?, names `from math import`)."""
    try:
        tree = ast.parse(spec.source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False, ()
    uses_module = False
    bare: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id != spec.arg:
            if node.id == "math":
                uses_module = True
            elif node.id == "pi" or (node.id in _MATH_FUNCTIONS and node.id not in _BUILTINS):
                bare.add(node.id)
    return uses_module, tuple(sorted(bare))
