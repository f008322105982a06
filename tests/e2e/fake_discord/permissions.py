"""Discord permission bits and the channel-permission algorithm, as Discord computes them."""

from __future__ import annotations

from enum import IntFlag


class P(IntFlag):
    """Permission bits (https://discord.com/developers/docs/topics/permissions)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    SEND_MESSAGES_IN_THREADS = 1 << 38


ALL_PERMISSIONS = (1 << 51) - 1

#: What @everyone gets in a new guild (the parts that matter to a text bot).
DEFAULT_EVERYONE = (
    P.CREATE_INSTANT_INVITE
    | P.ADD_REACTIONS
    | P.VIEW_CHANNEL
    | P.SEND_MESSAGES
    | P.EMBED_LINKS
    | P.ATTACH_FILES
    | P.READ_MESSAGE_HISTORY
    | P.USE_EXTERNAL_EMOJIS
    | P.CHANGE_NICKNAME
    | P.USE_APPLICATION_COMMANDS
    | P.SEND_MESSAGES_IN_THREADS
)

#: What a bot is allowed in a DM channel.
DM_PERMISSIONS = (
    P.VIEW_CHANNEL
    | P.SEND_MESSAGES
    | P.EMBED_LINKS
    | P.ATTACH_FILES
    | P.READ_MESSAGE_HISTORY
    | P.ADD_REACTIONS
    | P.USE_EXTERNAL_EMOJIS
)

# Permissions that need SEND_MESSAGES to mean anything (Discord clears them without it).
_NEEDS_SEND = P.MENTION_EVERYONE | P.SEND_TTS_MESSAGES | P.ATTACH_FILES | P.EMBED_LINKS


def apply_overwrites(
    base: int,
    *,
    everyone: tuple[int, int] | None,
    roles: list[tuple[int, int]],
    member: tuple[int, int] | None,
) -> int:
    """Apply (allow, deny) overwrites in Discord's order: @everyone, roles, then the member."""
    if base & P.ADMINISTRATOR:
        return ALL_PERMISSIONS
    perms = base
    if everyone is not None:
        allow, deny = everyone
        perms = (perms & ~deny) | allow
    role_allow = 0
    role_deny = 0
    for allow, deny in roles:
        role_allow |= allow
        role_deny |= deny
    perms = (perms & ~role_deny) | role_allow
    if member is not None:
        allow, deny = member
        perms = (perms & ~deny) | allow
    if not perms & P.VIEW_CHANNEL:
        return 0
    if not perms & P.SEND_MESSAGES:
        perms &= ~_NEEDS_SEND
    return perms
