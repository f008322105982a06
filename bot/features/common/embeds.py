"""Discord's embed limits, helpers that keep every feature's embeds within them, and links."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import discord

TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
TOTAL = 6000  # title, description, field names and values, footer and author together
NAME = 32  # Discord's own limit for a display name; longer text is clipped to it


def clip(text: str, limit: int) -> str:
    """`text`, cut to `limit` characters with an ellipsis if it is longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def player_name(name: str) -> str:
    """A stored display name made safe to show: one line, no markdown, at most 32 characters."""
    one_line = " ".join(name.split()) or "?"
    return discord.utils.escape_markdown(clip(one_line, NAME))


def join_lines(lines: Sequence[str], limit: int) -> str:
    """The lines joined by newlines; if they do not fit `limit`, the last ones are left out
    and a final line says how many."""
    text = "\n".join(lines)
    kept = list(lines)
    while len(text) > limit and kept:
        kept.pop()
        text = "\n".join([*kept, f"…and {len(lines) - len(kept)} more"])
    return clip(text, limit)


def add_fields(
    embed: discord.Embed, fields: Iterable[tuple[str, str, bool]], *, reserve: int = 100
) -> int:
    """Add (name, value, inline) fields while the embed stays within Discord's limits.

    Keeps `reserve` characters of the total free (for a footer). Returns how many fields
    did not fit, so the caller can say so.
    """
    left_out = 0
    for name, value, inline in fields:
        name, value = clip(name, FIELD_NAME), clip(value, FIELD_VALUE)
        if len(embed.fields) >= FIELDS or len(embed) + len(name) + len(value) > TOTAL - reserve:
            left_out += 1
            continue
        embed.add_field(name=name, value=value, inline=inline)
    return left_out


def message_link(guild_id: int, channel_id: int, message_id: int | None) -> str:
    """A jump link to a message (the channel's mention when there is no message)."""
    if message_id is None:
        return f"<#{channel_id}>"
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"
