"""The optimizer line of a pasted snippet: which optimizer, and each parameter group's rate.

Settings that don't change the learning-rate schedule (momentum, weight decay, ...) are
accepted if they are plain literals, then dropped.
"""

from __future__ import annotations

import ast
from typing import Final

from bot.runner.language._convert import OPTIMIZER_MODULE, Scope, literal_number, number
from bot.runner.language._schedulers import MAX_NUMBER
from bot.runner.language._snippet_names import SnippetNames
from bot.runner.language._syntax import did_you_mean
from bot.runner.protocol import MAX_GROUPS
from bot.runner.spec import OPTIMIZER_NAMES, RunError, quote

# torch's default lr when the snippet's optimizer doesn't say (torch 2.13).
OPTIMIZER_DEFAULT_LR: Final[dict[str, float]] = {
    "SGD": 1e-3,
    "Adam": 1e-3,
    "AdamW": 1e-3,
    "RMSprop": 1e-2,
}
# Optimizer arguments that don't change the learning-rate schedule: accepted, then dropped.
_OPTIMIZER_EXTRAS: Final = frozenset(
    {
        "momentum",
        "dampening",
        "weight_decay",
        "nesterov",
        "betas",
        "eps",
        "amsgrad",
        "alpha",
        "centered",
        "maximize",
        "foreach",
        "capturable",
        "differentiable",
        "fused",
        "decoupled_weight_decay",
    }
)


def is_optimizer_call(call: ast.Call, scope: Scope) -> bool:
    """`optim.SGD(...)`, `torch.optim.Adam(...)` and the like, however it was imported."""
    path = scope.resolve(call.func) or ""
    return path.startswith(OPTIMIZER_MODULE + ".") and path.count(".") == 2


def optimizer_kind(call: ast.Call, scope: Scope) -> str:
    """Which optimizer a call creates, refused unless `!run` uses it."""
    path = scope.resolve(call.func) or ""
    kind = path.rsplit(".", 1)[-1]
    if kind not in OPTIMIZER_NAMES:
        raise RunError(
            f"{quote(kind)} isn't an optimizer `!run` uses; pick one of "
            f"{', '.join(OPTIMIZER_NAMES)}.{did_you_mean(kind, OPTIMIZER_NAMES)}"
        )
    return kind


def optimizer_rates(call: ast.Call, kind: str, names: SnippetNames) -> tuple[float, ...]:
    """The initial learning rate of each parameter group the optimizer call sets up."""
    given: dict[str, ast.expr] = {}
    for position, arg in zip(("params", "lr"), call.args, strict=False):
        given[position] = arg
    for i, arg in enumerate(call.args[2:], start=2):
        _check_inert_literal(arg, f"{kind}'s argument {i + 1}")
    for keyword in call.keywords:
        if keyword.arg is None:
            raise RunError(f"{kind}: `**` unpacking isn't allowed.")
        if keyword.arg in ("params", "lr"):
            given[keyword.arg] = keyword.value
        elif keyword.arg in _OPTIMIZER_EXTRAS:
            _check_inert_literal(keyword.value, f"{kind}: {keyword.arg}")
        else:
            hint = did_you_mean(keyword.arg, ["params", "lr", *sorted(_OPTIMIZER_EXTRAS)])
            raise RunError(f"{kind} has no argument {quote(keyword.arg)}.{hint}")
    if "params" not in given:
        raise RunError(f"{kind} needs the parameters first, e.g. `{kind}(params, lr=0.1)`.")
    lr = OPTIMIZER_DEFAULT_LR[kind]
    if "lr" in given:
        lr = float(number(given["lr"], names.scope, "lr", -MAX_NUMBER, MAX_NUMBER))
    return _param_groups(given["params"], kind, lr, names)


def _param_groups(node: ast.expr, kind: str, lr: float, names: SnippetNames) -> tuple[float, ...]:
    if isinstance(node, ast.List | ast.Tuple) and node.elts:
        groups = [e for e in node.elts if isinstance(e, ast.Dict)]
        if len(groups) == len(node.elts):
            if len(groups) > MAX_GROUPS:
                raise RunError(f"`!run` handles at most {MAX_GROUPS} parameter groups.")
            return tuple(_param_group(group, kind, lr, names) for group in groups)
    if not names.is_params(node):
        raise RunError(
            f"{kind}'s first argument must be parameters (like `model.parameters()` or a "
            "list of torch.nn.Parameter) or a list of parameter-group dicts."
        )
    return (lr,)


def _param_group(group: ast.Dict, kind: str, lr: float, names: SnippetNames) -> float:
    has_params = False
    for key, value in zip(group.keys, group.values, strict=True):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            raise RunError("A parameter group's keys must be plain strings like 'lr'.")
        if key.value == "params":
            if not names.is_params(value):
                raise RunError("A parameter group's 'params' must be parameters.")
            has_params = True
        elif key.value == "lr":
            lr = float(number(value, names.scope, "lr", -MAX_NUMBER, MAX_NUMBER))
        elif key.value in _OPTIMIZER_EXTRAS:
            _check_inert_literal(value, f"{kind}: {key.value}")
        else:
            hint = did_you_mean(key.value, ["params", "lr", *sorted(_OPTIMIZER_EXTRAS)])
            raise RunError(f"A parameter group has no key {quote(key.value)}.{hint}")
    if not has_params:
        raise RunError("Each parameter group needs 'params'.")
    return lr


def _check_inert_literal(node: ast.expr, label: str) -> None:
    """Optimizer settings that are dropped must still be plain literals."""
    if isinstance(node, ast.Constant) and (
        node.value is None or isinstance(node.value, int | float | bool)
    ):
        return
    if isinstance(node, ast.Tuple | ast.List) and len(node.elts) <= MAX_GROUPS:
        for element in node.elts:
            _check_inert_literal(element, label)
        return
    literal_number(node, None, label)
