"""The error any `anneal` subcommand raises to stop with one line and no traceback."""

from __future__ import annotations


class CommandError(Exception):
    """A one-line reason to stop, printed without a traceback (exit code 2)."""
