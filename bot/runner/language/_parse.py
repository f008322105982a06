"""Reading `!run` text: an expression with run options, or a pasted training-loop snippet.

Two forms are understood:

- an expression with run options, `StepLR(step_size=2, gamma=0.5) lr=0.1 steps=3`;
  the options are `lr=` (a number, or a list for several parameter groups), `steps=`
  (1..10,000, default 10), `optimizer=` (SGD, Adam, AdamW, RMSprop) and `metrics=[...]`
  (ReduceLROnPlateau only; see `_options.finish` for how their count meets `steps`);
- a pasted training-loop snippet (imports, parameters, optimizer, scheduler, a
  `for epoch in range(N):` loop, prints), recognised statically by `_snippet`.

Every refusal is a RunError whose message can be shown to the user as it is.
"""

from __future__ import annotations

import ast
import io
import tokenize
from typing import Final

import bot.runner.language._syntax as _syntax
from bot.runner.language._convert import (
    Scope,
    scheduler_from_call,
)
from bot.runner.language._options import (
    RUN_OPTIONS,
    Options,
    finish,
    set_option,
)
from bot.runner.language._schedulers import NEEDS_METRICS, SCHEDULERS
from bot.runner.language._snippet import recognise
from bot.runner.language._syntax import MAX_INPUT_CHARS, did_you_mean
from bot.runner.spec import RunError, RunSpec, SchedulerSpec, quote

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
    call, inside = _metrics_inside(tree.body)
    scheduler = scheduler_from_call(call, Scope())
    chosen = Options()
    seen: set[str] = set()
    if inside is not None:
        # `ReduceLROnPlateau(patience=1, metrics=[...])`: torch takes metrics in step(), not
        # in the constructor, but this is where people write them; read them as the option.
        set_option(chosen, "metrics", inside)
        seen.add("metrics")
    for name, value in options:
        _syntax.check_name(name)
        if name not in RUN_OPTIONS:
            raise RunError(_unknown_option(name, scheduler))
        if name == "metrics" and inside is not None:
            raise RunError(
                "metrics is given twice, inside ReduceLROnPlateau(...) and after it: keep one."
            )
        if name in seen:
            raise RunError(f"{name}= is given twice.")
        seen.add(name)
        if not value:
            raise RunError(f"{name}= needs a value, e.g. `{name}={_OPTION_EXAMPLES[name]}`.")
        node = parse_value(value, f"The value of {name}=")
        set_option(chosen, name, node)
    return finish(scheduler, chosen)


def _metrics_inside(node: ast.expr) -> tuple[ast.expr, ast.expr | None]:
    """A ReduceLROnPlateau call without its `metrics=` keyword, and that keyword's value."""
    if not isinstance(node, ast.Call):
        return node, None
    found = [k for k in node.keywords if k.arg == "metrics"]
    if not found or Scope().scheduler_name(node.func) not in NEEDS_METRICS:
        return node, None
    if len(found) > 1:
        raise RunError("metrics= is given twice.")
    rest = [k for k in node.keywords if k.arg != "metrics"]
    return ast.Call(func=node.func, args=node.args, keywords=rest), found[0].value


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


def parse_value(text: str, what: str) -> ast.expr:
    """One value the user typed (`0.3`, `[1, 2]`), parsed and checked, as an `ast` node."""
    tree = _syntax.parse(text, "eval", what)
    assert isinstance(tree, ast.Expression)
    return tree.body
