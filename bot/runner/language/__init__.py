"""The `!run` language: user text -> RunSpec (parsed with `ast`, never evaluated), and back.

The parser's public names; its modules are private to this package. Nothing here imports
torch, and the worker process never imports this package.
"""

from __future__ import annotations

from bot.runner.language._overrides import with_overrides
from bot.runner.language._parse import parse_run, split_options
from bot.runner.language._render import render_command, render_expression, render_snippet
from bot.runner.language._syntax import MAX_INPUT_CHARS

__all__ = [
    "MAX_INPUT_CHARS",
    "parse_run",
    "render_command",
    "render_expression",
    "render_snippet",
    "split_options",
    "with_overrides",
]
