"""The `!run` language: user text -> RunSpec (parsed with `ast`, never evaluated), and back.

The parser's public names; its modules are private to this package. Nothing here imports
torch, and the worker process never imports this package.
"""

from __future__ import annotations

from bot.runner.language._compare import COMPARE_EXAMPLE as COMPARE_EXAMPLE
from bot.runner.language._compare import compare_labels as compare_labels
from bot.runner.language._compare import compare_text as compare_text
from bot.runner.language._compare import parse_compare as parse_compare
from bot.runner.language._overrides import with_overrides as with_overrides
from bot.runner.language._parse import parse_run as parse_run
from bot.runner.language._parse import split_options as split_options
from bot.runner.language._render import render_command as render_command
from bot.runner.language._render import render_expression as render_expression
from bot.runner.language._render import render_snippet as render_snippet
from bot.runner.language._schedulers import SCHEDULER_EXAMPLES as SCHEDULER_EXAMPLES
from bot.runner.language._syntax import MAX_INPUT_CHARS as MAX_INPUT_CHARS
