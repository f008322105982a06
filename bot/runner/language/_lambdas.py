"""`lambda epoch: ...` in `!run`: a float-only expression language, read from `ast`, never eval'd.

A lambda body is stored in LambdaSpec.body as a JSON tree of lists whose first item names
the node. The vocabulary (a, b, c are nodes):

    ["num", x]                  a finite number
    ["arg"]                     the lambda's one argument (torch passes the epoch)
    [op, a, b]                  op in "+", "-", "*", "/", "//", "%", "**"
    ["neg", a]                  -a
    ["not", a]                  1.0 if a == 0 else 0.0
    ["and", a, b, ...]          Python's `a and b`: the first falsy operand, else the last
    ["or", a, b, ...]           Python's `a or b`: the first truthy operand, else the last
    ["cmp", a, op, b, op, c]    a chained comparison; op in "<", "<=", ">", ">=", "==", "!="
    ["if", test, then, else]    `then if test else else`
    ["call", name, a, ...]      name in FUNCTIONS (min, max, abs, floor, cos, log, ...)

This module is the only one that interprets that tree. `lambda_from_ast` builds it (in the
bot), `compile_lambda` turns it into a Python callable of floats (in the torch worker).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from typing import Final

from bot.runner.language._syntax import describe, excerpt, quote
from bot.runner.spec import LambdaNode, LambdaSpec, RunError

MAX_NODES: Final = 200
MAX_CONSTANT: Final = 1e9  # the largest number a lambda may contain

Fn = Callable[[float], float]


class LambdaError(RunError):
    """A lambda failed while torch called it: division by zero, overflow, log(0), ..."""


class _Fail(Exception):
    """An arithmetic failure inside a lambda; compile_lambda adds the lambda and epoch."""


# Python's name -> (fewest arguments, most arguments)
FUNCTIONS: Final[dict[str, tuple[int, int]]] = {
    "min": (2, 8),
    "max": (2, 8),
    "abs": (1, 1),
    "floor": (1, 1),
    "ceil": (1, 1),
    "round": (1, 1),
    "int": (1, 1),
    "float": (1, 1),
    "pow": (2, 2),
    "sqrt": (1, 1),
    "exp": (1, 1),
    "log": (1, 2),
    "cos": (1, 1),
    "sin": (1, 1),
    "tan": (1, 1),
    "tanh": (1, 1),
}
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


# --- building: ast -> JSON tree ------------------------------------------------------------


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
            value = _compile(node, [0])(0.0)
        except (_Fail, ZeroDivisionError, OverflowError, ValueError) as exc:
            raise RunError(f"In the lambda, {shown(node)} fails: {_reason(exc)}.") from None
        if not math.isfinite(value):
            raise RunError(f"In the lambda, {shown(node)} is too large.")

    def shown(node: LambdaNode) -> str:
        origin = origins.get(id(node))
        return excerpt(origin) if origin is not None else "a part without the argument"

    if not depends(body) and body[0] != "num":
        probe(body)


# --- evaluating: JSON tree -> Callable[[float], float] ---------------------------------


def compile_lambda(spec: LambdaSpec) -> Callable[[int], float]:
    """A callable for torch (epoch -> factor), checked against the vocabulary first.

    It raises LambdaError, with the lambda and epoch in the message, on division by zero,
    overflow, a math domain error or a result that isn't a finite number.
    """
    counter = [0]
    try:
        body = _compile(spec.body, counter)
    except RecursionError:
        raise LambdaError("That lambda is nested too deeply.") from None
    source = spec.source if isinstance(spec.source, str) else "lambda"
    shown = quote(source, limit=80)
    arg = spec.arg if isinstance(spec.arg, str) else "x"

    def evaluate(epoch: int) -> float:
        try:
            value = body(float(epoch))
        except (_Fail, ZeroDivisionError, OverflowError, ValueError) as exc:
            raise LambdaError(f"{shown} fails at {arg}={epoch}: {_reason(exc)}.") from None
        if not math.isfinite(value):
            raise LambdaError(
                f"{shown} gives {value} at {arg}={epoch}; it must give a finite number."
            )
        return value

    return evaluate


def _reason(exc: Exception) -> str:
    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    if isinstance(exc, OverflowError):
        return "the number grew too large"
    if isinstance(exc, _Fail):
        return str(exc)
    return "a math domain error (like log of 0 or sqrt of a negative number)"


def _bad(reason: str) -> LambdaError:
    return LambdaError(f"That lambda is malformed: {reason}.")


def _pow(a: float, b: float) -> float:
    try:
        return math.pow(a, b)
    except OverflowError:
        raise _Fail(f"{a:g} ** {b:g} is too large") from None
    except ValueError:
        if a == 0:
            raise _Fail("zero raised to a negative power") from None
        raise _Fail(f"{a:g} ** {b:g}: a negative number to a fractional power") from None


def _truthy(value: float) -> bool:
    return value != 0.0  # as Python's bool(float): nan is truthy


_OPS: Final[dict[str, Callable[[float, float], float]]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "//": lambda a, b: a // b,
    "%": lambda a, b: a % b,
    "**": _pow,
}
_CMP: Final[dict[str, Callable[[float, float], bool]]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def _whole(fn: Callable[[float], int]) -> Callable[[float], float]:
    def call(x: float) -> float:
        return float(fn(x))

    return call


_UNARY: Final[dict[str, Callable[[float], float]]] = {
    "abs": abs,
    "floor": _whole(math.floor),
    "ceil": _whole(math.ceil),
    "round": _whole(round),
    "int": _whole(int),
    "float": float,
    "sqrt": math.sqrt,
    "exp": math.exp,
    "log": math.log,
    "cos": math.cos,
    "sin": math.sin,
    "tan": math.tan,
    "tanh": math.tanh,
}


def _compile(node: object, counter: list[int]) -> Fn:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise _bad(f"more than {MAX_NODES} nodes")
    if not isinstance(node, list) or not node or not isinstance(node[0], str):
        raise _bad("a node must be a list starting with its name")
    head = node[0]
    if head == "num":
        return _compile_num(node)
    if head == "arg":
        if len(node) != 1:
            raise _bad("`arg` takes nothing")
        return _identity
    if head in _OPS:
        if len(node) != 3:
            raise _bad(f"`{head}` takes two operands")
        return _binary(_OPS[head], _compile(node[1], counter), _compile(node[2], counter))
    if head == "neg" and len(node) == 2:
        inner = _compile(node[1], counter)
        return lambda x: -inner(x)
    if head == "not" and len(node) == 2:
        inner = _compile(node[1], counter)
        return lambda x: 0.0 if _truthy(inner(x)) else 1.0
    if head in ("and", "or") and len(node) >= 3:
        return _boolean(head == "and", [_compile(v, counter) for v in node[1:]])
    if head == "cmp":
        return _compile_cmp(node, counter)
    if head == "if" and len(node) == 4:
        test, then, other = (_compile(v, counter) for v in node[1:])
        return lambda x: then(x) if _truthy(test(x)) else other(x)
    if head == "call":
        return _compile_call(node, counter)
    raise _bad(f"unknown node {head!r}")


def _identity(x: float) -> float:
    return x


def _compile_num(node: list[object]) -> Fn:
    value = node[1] if len(node) == 2 else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad("`num` takes one number")
    number = float(value)
    if not math.isfinite(number) or abs(number) > MAX_CONSTANT:
        raise _bad("numbers must be finite and at most 1e9")
    return lambda x: number


def _binary(op: Callable[[float, float], float], left: Fn, right: Fn) -> Fn:
    return lambda x: op(left(x), right(x))


def _boolean(is_and: bool, operands: list[Fn]) -> Fn:
    def evaluate(x: float) -> float:
        value = 0.0
        for operand in operands:
            value = operand(x)
            if _truthy(value) != is_and:
                return value
        return value

    return evaluate


def _compile_cmp(node: list[object], counter: list[int]) -> Fn:
    if len(node) < 4 or len(node) % 2 != 0:
        raise _bad("`cmp` alternates operands and operators")
    operands = [_compile(node[i], counter) for i in range(1, len(node), 2)]
    ops: list[Callable[[float, float], bool]] = []
    for i in range(2, len(node), 2):
        op = node[i]
        if not isinstance(op, str) or op not in _CMP:
            raise _bad(f"unknown comparison {op!r}")
        ops.append(_CMP[op])

    def evaluate(x: float) -> float:
        left = operands[0](x)
        for op, operand in zip(ops, operands[1:], strict=True):
            right = operand(x)
            if not op(left, right):
                return 0.0
            left = right
        return 1.0

    return evaluate


def _compile_call(node: list[object], counter: list[int]) -> Fn:
    name = node[1] if len(node) >= 2 else None
    if not isinstance(name, str) or name not in FUNCTIONS:
        raise _bad(f"unknown function {name!r}")
    low, high = FUNCTIONS[name]
    args = [_compile(v, counter) for v in node[2:]]
    if not low <= len(args) <= high:
        raise _bad(f"`{name}` takes {low} to {high} arguments")
    if name in ("min", "max"):
        pick = min if name == "min" else max
        return lambda x: pick(*(a(x) for a in args))
    if name == "pow":
        base, exponent = args
        return lambda x: _pow(base(x), exponent(x))
    if name == "log" and len(args) == 2:
        value, log_base = args
        return lambda x: _checked(name, lambda: math.log(value(x), log_base(x)))
    fn = _UNARY[name]
    (only,) = args
    return lambda x: _checked(name, lambda: fn(only(x)))


def _checked(name: str, thunk: Callable[[], float]) -> float:
    try:
        return thunk()
    except ZeroDivisionError:
        raise _Fail(f"{name}(...) divides by zero") from None
    except OverflowError:
        raise _Fail(f"{name}(...) is too large") from None
    except ValueError:
        raise _Fail(f"{name}(...) is undefined there (a math domain error)") from None


# --- rendering ------------------------------------------------------------------------------


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
