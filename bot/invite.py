"""`anneal invite`: the OAuth2 URL that adds the bot with exactly the permissions it uses."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

import discord

SCOPES = ("bot", "applications.commands")


class InviteError(Exception):
    """No usable client id; the message is one line fit to print."""


@dataclass(frozen=True, slots=True)
class Needed:
    """One permission the bot asks for: its discord.Permissions flag, its name in Discord's
    settings, and what Anneal does with it."""

    flag: str
    label: str
    reason: str


# Everything the cogs do in a channel, and nothing more. Not asked for: Use External
# Emojis (only standard emoji are used), Send Messages in Threads (challenges run in
# text channels), Mention Everyone (replies never ping).
NEEDED: tuple[Needed, ...] = (
    Needed("view_channel", "View Channels", "see the channels where commands are used"),
    Needed("send_messages", "Send Messages", "post problems, results and command replies"),
    Needed("embed_links", "Embed Links", "show problems, leaderboards and profiles as embeds"),
    Needed(
        "attach_files", "Attach Files", "attach the charts of `run` and `stats`, and its export"
    ),
    Needed("add_reactions", "Add Reactions", "put 🇦 🇧 🇨 🇩 and 💡 under each problem"),
    Needed(
        "read_message_history",
        "Read Message History",
        "react to its problem messages and find them again after a restart",
    ),
    Needed(
        "manage_messages",
        "Manage Messages",
        "remove members' answer reactions, so each pick stays private",
    ),
)


def permissions() -> discord.Permissions:
    """The permissions the invite asks for, built from the named flags in NEEDED."""
    return discord.Permissions(**{needed.flag: True for needed in NEEDED})


def client_id_from_token(token: str) -> int | None:
    """The bot's user id (which is its application's client id) encoded in a bot token.

    A token's first segment is the id in base64 without padding; None if it is not one.
    """
    first = token.strip().split(".", 1)[0]
    if not first:
        return None
    try:
        decoded = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)).decode("ascii")
    except (binascii.Error, ValueError):  # UnicodeDecodeError is a ValueError
        return None
    if not decoded.isdigit() or int(decoded) <= 0:
        return None
    return int(decoded)


def resolve_client_id(explicit: int | None, token: str | None) -> int:
    """`--client-id` if given, else the id in DISCORD_TOKEN; InviteError if neither works."""
    if explicit is not None:
        if explicit <= 0:
            raise InviteError("--client-id must be a positive number (the application id)")
        return explicit
    if token is None or not token.strip():
        raise InviteError(
            "no client id: pass --client-id ID (Developer Portal → your app → General "
            "Information → Application ID) or set DISCORD_TOKEN"
        )
    client_id = client_id_from_token(token)
    if client_id is None:
        raise InviteError("DISCORD_TOKEN does not look like a bot token; pass --client-id ID")
    return client_id


def invite_url(client_id: int) -> str:
    """The OAuth2 authorize URL with scopes bot + applications.commands."""
    return discord.utils.oauth_url(client_id, permissions=permissions(), scopes=SCOPES)


def invite_text(client_id: int) -> str:
    """What `anneal invite` prints: the URL, then each permission with its reason."""
    width = max(len(needed.label) for needed in NEEDED)
    lines = [
        "Open this URL to add Anneal to a server where you have Manage Server:",
        "",
        f"  {invite_url(client_id)}",
        "",
        f"It asks for these permissions (integer {permissions().value}) and no others:",
        *(f"  {needed.label:<{width}}  {needed.reason}" for needed in NEEDED),
        "",
        "Scopes: bot (the bot user) and applications.commands (its slash commands).",
        "For `!` commands, also turn on Message Content Intent (Developer Portal → Bot).",
    ]
    return "\n".join(lines)
