"""Predicates for ``wait_for_message`` and friends: what the awaited bot message looks like."""

from __future__ import annotations

from .server import MessagePredicate
from .state import FakeMessage


def has_embed(message: FakeMessage) -> bool:
    """The message carries at least one embed."""
    return bool(message.embeds)


def title_starts(prefix: str) -> MessagePredicate:
    """The message's first embed has a title starting with ``prefix``."""

    def check(message: FakeMessage) -> bool:
        return has_embed(message) and message.embeds[0].get("title", "").startswith(prefix)

    return check
