"""Lambdas in `!run`: built from `ast` into a JSON tree, evaluated in floats, never eval'd."""

from __future__ import annotations

import ast
import json
import math
import operator
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.runner.lambdas import MAX_NODES, LambdaError, compile_lambda
from bot.runner.language._lambdas import lambda_from_ast
from bot.runner.protocol import encode_value
from bot.runner.spec import LambdaSpec, RunError


def _spec(source: str) -> LambdaSpec:
    tree = ast.parse(source, mode="eval").body
    assert isinstance(tree, ast.Lambda)
    return lambda_from_ast(tree)


def _spec_or_error(source: str) -> LambdaSpec | RunError:
    try:
        return _spec(source)
    except RunError as exc:
        return exc


# (the lambda as `!run` text, the same lambda as Python): the evaluator must agree.
MATCHES_PYTHON: list[tuple[str, Callable[[int], float]]] = [
    ("lambda epoch: 0.95 ** epoch", lambda epoch: 0.95**epoch),
    ("lambda e: e // 30", lambda e: e // 30),
    ("lambda e: 0.1 ** (e // 3) % 0.7 - -e / 8", lambda e: 0.1 ** (e // 3) % 0.7 - -e / 8),
    ("lambda e: 2 ** -e + +e", lambda e: 2**-e + +e),
    (
        "lambda e: 0.5 * (1 + math.cos(math.pi * e / 10))",
        lambda e: 0.5 * (1 + math.cos(math.pi * e / 10)),
    ),
    ("lambda e: min(1.0, (e + 1) / 5)", lambda e: min(1.0, (e + 1) / 5)),
    ("lambda e: max(0.1, 1 - e / 20, 0.05)", lambda e: max(0.1, 1 - e / 20, 0.05)),
    ("lambda e: 1.0 if e < 5 else 0.5", lambda e: 1.0 if e < 5 else 0.5),
    # A chained comparison; mypy sees its constant tail `3 != 2` and objects to that part.
    ("lambda e: 0 < e <= 3 != 2", lambda e: 0 < e <= 3 != 2),  # type: ignore[comparison-overlap]
    ("lambda e: (e > 2) * 0.5 + (e >= 4)", lambda e: (e > 2) * 0.5 + (e >= 4)),
    ("lambda e: e and 1 / e or 2", lambda e: (e and 1 / e) or 2),
    ("lambda e: not e % 2", lambda e: not e % 2),
    (
        "lambda e: floor(e / 3) + ceil(e / 4) + abs(3 - e)",
        lambda e: 0.0 + (math.floor(e / 3) + math.ceil(e / 4) + abs(3 - e)),
    ),
    (
        "lambda e: sqrt(e) + exp(-e) + log(e + 1) + sin(e)",
        lambda e: math.sqrt(e) + math.exp(-e) + math.log(e + 1) + math.sin(e),
    ),
    (
        "lambda e: math.log(e + 1, 2) + math.floor(2.5) + pi",
        lambda e: math.log(e + 1, 2) + math.floor(2.5) + math.pi,
    ),
    (
        "lambda e: int(e / 3) + round(e / 4) + float(e) + pow(2, -e)",
        lambda e: int(e / 3) + round(e / 4) + float(e) + pow(2, -e),
    ),
    (
        "lambda e: math.tanh(e) + math.fabs(-e) + math.trunc(e / 3) + math.e",
        lambda e: math.tanh(e) + math.fabs(-e) + math.trunc(e / 3) + math.e,
    ),
]


@pytest.mark.parametrize(("source", "python"), MATCHES_PYTHON, ids=[s for s, _ in MATCHES_PYTHON])
def test_evaluator_matches_python(source: str, python: Callable[[int], float]) -> None:
    """For epochs 0..40 the compiled lambda gives Python's value, as a float."""
    fn = compile_lambda(_spec(source))
    for epoch in range(1, 41) if "1 / e or" in source else range(41):
        value = fn(epoch)
        assert isinstance(value, float)
        assert value == pytest.approx(float(python(epoch)), rel=1e-12, abs=0), epoch


def test_body_is_small_json() -> None:
    """The body is JSON-serialisable lists using the documented vocabulary."""
    spec = _spec("lambda e: 0.5 * (1 + math.cos(math.pi * e / 10)) if e < 10 else 0.0")
    assert json.loads(json.dumps(spec.body)) == spec.body
    assert spec.body == [
        "if",
        ["cmp", ["arg"], "<", ["num", 10.0]],
        [
            "*",
            ["num", 0.5],
            [
                "+",
                ["num", 1.0],
                ["call", "cos", ["/", ["*", ["num", math.pi], ["arg"]], ["num", 10.0]]],
            ],
        ],
        ["num", 0.0],
    ]
    assert (spec.arg, spec.source) == (
        "e",
        "lambda e: 0.5 * (1 + math.cos(math.pi * e / 10)) if e < 10 else 0.0",
    )


def test_survives_json_round_trip() -> None:
    """A spec that went through JSON (as to the worker) compiles to the same function."""
    spec = _spec("lambda e: 0.9 ** e")
    again = LambdaSpec(**json.loads(json.dumps(encode_value(spec)))["$lambda"])
    assert compile_lambda(again)(7) == 0.9**7


@pytest.mark.parametrize(
    ("source", "epoch", "message"),
    [
        ("lambda e: 1 / e", 0, "fails at e=0: division by zero"),
        ("lambda e: 1 // e", 0, "division by zero"),
        ("lambda e: 1 % e", 0, "division by zero"),
        ("lambda e: 10.0 ** e", 400, "too large"),
        ("lambda e: pow(10, e)", 400, "too large"),
        ("lambda e: e ** -1", 0, "zero raised to a negative power"),
        ("lambda e: (e - 5) ** 0.5", 0, "negative number to a fractional power"),
        ("lambda e: log(e)", 0, "undefined"),
        ("lambda e: sqrt(e - 3)", 0, "undefined"),
        ("lambda e: exp(e)", 1000, "too large"),
        ("lambda e: floor(exp(e) * exp(e))", 600, "too large"),
        ("lambda e: exp(e) * exp(e)", 700, "gives inf at e=700; it must give a finite number"),
        ("lambda e: exp(e) * exp(e) - exp(e) * exp(e)", 700, "gives nan"),
    ],
)
def test_arithmetic_failures_are_contained(source: str, epoch: int, message: str) -> None:
    """Overflow, zero division and domain errors become a LambdaError naming the epoch."""
    fn = compile_lambda(_spec(source))
    with pytest.raises(LambdaError, match=message):
        fn(epoch)


def test_lambda_error_is_a_run_error() -> None:
    """The worker can show a LambdaError's message as it shows any RunError."""
    assert issubclass(LambdaError, RunError)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("lambda e: 9 ** 9 ** 9", "too large"),
        ("lambda e: e + 10.0 ** 400", "too large"),
        ("lambda e: e * (1 / 0)", "division by zero"),
        ("lambda e: e + log(0)", "undefined"),
        ("lambda e: e + 1e9 * 1e9 ** 40", "too large"),
        ("lambda e: e + exp(400) * exp(400)", "too large"),
        ("lambda e: 1e10", "at most 1,000,000,000; got 10,000,000,000.0"),
        ("lambda e: 'x'", "numbers only"),
        ("lambda e: x", "can only use its argument `e`"),
        ("lambda e: cos", "call it"),
        ("lambda e: min(e)", "takes 2 to 8"),
        ("lambda e: log(e, 2, 3)", "takes 1 to 2"),
        ("lambda e: max(e, key=abs)", "plain arguments"),
        ("lambda e: ~e", "can't contain"),
        ("lambda e: e in (1, 2)", "can't contain"),
        ("lambda e: e is 1", "can't contain"),
        ("lambda e: e @ e", "can't contain"),
        ("lambda e: math.inf", "can't contain"),
        ("lambda e: e.real", "can't contain"),
        ("lambda e: open(e)", "can't contain"),
        ("lambda e: e(1)", "can't contain"),
        ("lambda e, f: e", "exactly one argument"),
        ("lambda: 1", "exactly one argument"),
        ("lambda e, /: e", "exactly one argument"),
        ("lambda *, e: e", "exactly one argument"),
        ("lambda e: " + " + ".join(["e"] * (MAX_NODES // 2 + 1)), "too long"),
    ],
)
def test_refused_at_parse_time(source: str, message: str) -> None:
    """Bad lambdas are refused while parsing, before torch ever sees them."""
    with pytest.raises(RunError, match=message):
        _spec(source)


@pytest.mark.parametrize(
    "body",
    [
        "not a list",
        [],
        ["num"],
        ["num", "1"],
        ["num", True],
        ["num", float("inf")],
        ["num", 1e300],
        ["arg", 1],
        ["+", ["arg"]],
        ["call", "eval", ["arg"]],
        ["call", "__import__", ["num", 1.0]],
        ["call", "min", ["arg"]],
        ["cmp", ["arg"], "in", ["arg"]],
        ["cmp", ["arg"]],
        ["if", ["arg"], ["arg"]],
        ["getattr", ["arg"], "real"],
        ["neg", ["arg"], ["arg"]],
    ],
)
def test_compile_refuses_malformed_bodies(body: object) -> None:
    """A body that didn't come from the parser (e.g. tampered JSON) is refused, not run."""
    with pytest.raises(LambdaError, match="malformed"):
        compile_lambda(LambdaSpec(arg="e", body=body, source="lambda e: ?"))  # type: ignore[arg-type]


def test_compile_refuses_oversized_bodies() -> None:
    """A deep body over the node limit is refused without recursing through all of it."""
    body: list[object] = ["arg"]
    for _ in range(100_000):
        body = ["neg", body]
    with pytest.raises(LambdaError, match=f"more than {MAX_NODES} nodes"):
        compile_lambda(LambdaSpec(arg="e", body=body, source="lambda e: ?"))


# --- property: the evaluator agrees with Python's float arithmetic ---------------------------


def _real_pow(a: float, b: float) -> float:
    result = a**b
    if isinstance(result, complex):  # Python's answer for (-8) ** 0.5; a rate can't be one
        raise ValueError("complex")
    return float(result)


_BINARY = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": _real_pow,
}
Expr = tuple[str, Callable[[float], float]]


def _leaf() -> st.SearchStrategy[Expr]:
    numbers = st.sampled_from([0, 1, 2, 3, 0.5, 0.1, 10, 1.5])
    return st.one_of(
        st.just(("e", lambda x: x)),
        numbers.map(lambda n: (repr(n), lambda x, n=n: float(n))),
    )


def _extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    def binary(op: str, a: Expr, b: Expr) -> Expr:
        fn = _BINARY[op]
        return (f"({a[0]}) {op} ({b[0]})", lambda x: fn(a[1](x), b[1](x)))

    def call(name: str, a: Expr) -> Expr:
        functions: dict[str, Callable[[float], float]] = {
            "abs": abs,
            "floor": math.floor,
            "cos": math.cos,
            "sqrt": math.sqrt,
        }
        fn = functions[name]
        return (f"{name}({a[0]})", lambda x: float(fn(a[1](x))))

    return st.one_of(
        st.builds(binary, st.sampled_from(list(_BINARY)), children, children),
        st.builds(call, st.sampled_from(["abs", "floor", "cos", "sqrt"]), children),
        st.builds(lambda a: (f"-({a[0]})", lambda x: -a[1](x)), children),
        st.builds(
            lambda c, a, b: (
                f"({a[0]}) if ({c[0]}) < 2 else ({b[0]})",
                lambda x: a[1](x) if c[1](x) < 2 else b[1](x),
            ),
            children,
            children,
            children,
        ),
        st.builds(
            lambda a, b: (f"max({a[0]}, {b[0]})", lambda x: max(a[1](x), b[1](x))),
            children,
            children,
        ),
    )


@settings(max_examples=400, deadline=None)
@given(st.recursive(_leaf(), _extend, max_leaves=12), st.integers(0, 30))
def test_evaluator_agrees_with_python_floats(expr: Expr, epoch: int) -> None:
    """Random expressions give Python's float result, or a RunError/LambdaError where it fails."""
    source, reference = expr
    try:
        expected: object = reference(float(epoch))
    except (ArithmeticError, ValueError):
        expected = None
    spec = _spec_or_error(f"lambda e: {source}")
    if isinstance(spec, RunError):
        # Parts without `e` are evaluated at parse time; only failures are refused there.
        assert "In the lambda" in str(spec) or "too long" in str(spec), str(spec)
        return
    fn = compile_lambda(spec)
    ok = isinstance(expected, float) and math.isfinite(expected)
    if not ok:
        with pytest.raises(LambdaError):
            fn(epoch)
        return
    try:
        value = fn(epoch)
    except LambdaError:
        # math.pow refuses a negative base to a fractional power where Python's ** would
        # return a complex number (excluded above), so only agree-or-fail cases remain.
        pytest.fail(f"{source} at e={epoch}: Python gives {expected}")
    assert value == expected or (math.isnan(value) and math.isnan(expected))  # type: ignore[arg-type]
