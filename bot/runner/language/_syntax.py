"""Turning untrusted text into an `ast` tree safely, and describing its nodes to a user.

Nothing here evaluates anything: `ast.parse` only builds a tree, and the checks below walk
it iteratively so an adversarial tree cannot exhaust the stack.
"""

from __future__ import annotations

import ast
import difflib
import re
import textwrap
import warnings
from collections.abc import Iterable
from typing import Final, Literal

from bot.runner.spec import RunError, quote

MAX_INPUT_CHARS: Final = 4_000
MAX_DEPTH: Final = 100  # of the ast tree; a 200-node lambda fits, `"+0" * 2000` does not

_FENCE_OPEN = re.compile(r"```[A-Za-z0-9_+.-]*[ \t]*\r?\n")
# Phones type curly quotes; Discord shows a no-break space where a user pasted one.
_QUOTES = str.maketrans(
    {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'", "\u00a0": " "}
)


class LineError(RunError):
    """A RunError whose message already names the line of a snippet."""


def clean(text: str) -> str:
    """Strip Discord code fences and typographic quotes; dedent; trim."""
    text = _FENCE_OPEN.sub("\n", text)
    text = text.replace("`", "").translate(_QUOTES).replace("\r\n", "\n")
    return textwrap.dedent(text).strip()


def parse(source: str, mode: Literal["eval", "exec"], what: str = "That") -> ast.AST:
    """`ast.parse` with every way it can fail turned into a RunError, then `check`ed."""
    if len(source) > MAX_INPUT_CHARS:
        raise RunError(f"{what} is {len(source):,} characters long; the limit is 4,000.")
    try:
        tree = parse_quietly(source, mode)
    except SyntaxError as exc:
        raise RunError(f"{what} isn't valid Python: {syntax_message(exc)}") from None
    except (RecursionError, MemoryError):
        raise RunError(f"{what} is nested too deeply for `!run` to read.") from None
    except ValueError as exc:  # e.g. a NUL character
        raise RunError(f"{what} isn't valid Python: {exc}") from None
    check(tree)
    return tree


def parse_quietly(source: str, mode: Literal["eval", "exec"]) -> ast.AST:
    """`ast.parse` without the SyntaxWarnings odd input provokes (they'd go to stderr)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source, mode=mode)


def syntax_message(exc: SyntaxError) -> str:
    """Python's SyntaxError as a short sentence with its line."""
    where = f" (line {exc.lineno})" if exc.lineno else ""
    message = str(exc.msg)
    if len(message) > 120:
        message = message[:117] + "..."
    return f"{message}{where}."


def check(tree: ast.AST) -> None:
    """Refuse trees too deep to walk recursively, dunder names and look-alike letters."""
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise RunError("That is nested too deeply for `!run` to read.")
        for name in _identifiers(node):
            check_name(name)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def check_name(name: str) -> None:
    """Refuse dunder names and names with look-alike (non-ASCII) letters."""
    if "__" in name:
        raise RunError(f"{quote(name)}: names with double underscores are never allowed in `!run`.")
    if not name.isascii():
        odd = next(c for c in name if not c.isascii())
        raise RunError(
            f"{quote(name)} contains the non-ASCII letter {odd!r} (U+{ord(odd):04X}),"
            " which looks like a plain one. Please type names in plain ASCII."
        )


def _identifiers(node: ast.AST) -> Iterable[str]:
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, ast.Attribute):
        yield node.attr
    elif isinstance(node, ast.arg) or (isinstance(node, ast.keyword) and node.arg is not None):
        assert node.arg is not None
        yield node.arg
    elif isinstance(node, ast.alias):
        yield node.name
        if node.asname:
            yield node.asname
    elif isinstance(node, ast.ImportFrom) and node.module:
        yield node.module
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        yield node.name


def excerpt(node: ast.AST) -> str:
    """The source of `node`, quoted for a message."""
    try:
        return quote(ast.unparse(node))
    except (RecursionError, ValueError):  # pragma: no cover - check() bounds the depth
        return "that"


def describe(node: ast.AST) -> str:
    """What a node is, in words a user understands, e.g. "a comprehension `[x for x in ()]`"."""
    kind = _KIND_WORDS.get(type(node), "an expression")
    if isinstance(node, ast.Constant):
        kind = _constant_words(node.value)
    elif isinstance(node, ast.Name):
        return f"the name {quote(node.id)}"
    return f"{kind} {excerpt(node)}"


def _constant_words(value: object) -> str:
    if isinstance(value, bytes):
        return "a bytes literal"
    if isinstance(value, complex):
        return "a complex number"
    if value is Ellipsis:
        return "an ellipsis"
    if isinstance(value, str):
        return "a string"
    return "the value"


_KIND_WORDS: Final[dict[type[ast.AST], str]] = {
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.NamedExpr: "the walrus operator",
    ast.Starred: "`*` unpacking",
    ast.Attribute: "an attribute",
    ast.Subscript: "indexing",
    ast.Call: "a function call",
    ast.Lambda: "a lambda",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.JoinedStr: "an f-string",
    ast.BinOp: "arithmetic",
    ast.UnaryOp: "an operator",
    ast.BoolOp: "and/or",
    ast.Compare: "a comparison",
    ast.IfExp: "a conditional",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.Slice: "a slice",
    ast.List: "a list",
    ast.Tuple: "a tuple",
}


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """` Did you mean `X`?` for the closest candidate (case-insensitive), or ``."""
    options = list(candidates)
    by_lower = {c.lower(): c for c in options}
    if word.lower() in by_lower:
        return f" Did you mean `{by_lower[word.lower()]}`?"
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return f" Did you mean `{by_lower[close[0]]}`?" if close else ""
