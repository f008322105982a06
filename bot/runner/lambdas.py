"""Lambda bodies as data: the tree's vocabulary, and evaluating it as a function of floats.

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

This module is the only one that interprets that tree: `compile_lambda` turns it into a
Python callable for torch (in the worker). The parser builds trees from `ast` in
bot/runner/language/_lambdas.py and calls `evaluate` to check the parts it can.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

from bot.runner.spec import LambdaNode, LambdaSpec, RunError, quote

MAX_NODES: Final = 200
MAX_CONSTANT: Final = 1e9  # the largest number a lambda may contain

Fn = Callable[[float], float]


class LambdaError(RunError):
    """A lambda failed while torch called it: division by zero, overflow, log(0), ..."""


class EvaluationFailed(Exception):
    """A lambda's arithmetic failed; the message says why, in a learner's words."""


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


def evaluate(body: LambdaNode, x: float) -> float:
    """The value of a lambda body at `x`; EvaluationFailed says why there is none."""
    try:
        return _compile(body, [0])(x)
    except (_Fail, ZeroDivisionError, OverflowError, ValueError) as exc:
        raise EvaluationFailed(_reason(exc)) from None


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
