"""The fake's world: users, guilds, channels, messages, reactions, commands, interactions.

Everything here is plain data that survives a server stop/start, so a test can restart the
bot (or the fake's HTTP listener) and find the messages posted before.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from .permissions import ALL_PERMISSIONS, DEFAULT_EVERYONE, DM_PERMISSIONS, P, apply_overwrites

DISCORD_EPOCH_MS = 1_420_070_400_000

# Channel types
GUILD_TEXT = 0
DM = 1

# Message types
DEFAULT_MESSAGE = 0
REPLY = 19
CHAT_INPUT_COMMAND = 20

# Message flags
EPHEMERAL = 1 << 6
LOADING = 1 << 7

# Gateway intents
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_GUILD_MESSAGE_REACTIONS = 1 << 10
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_DIRECT_MESSAGE_REACTIONS = 1 << 13
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT


class SnowflakeGenerator:
    """Discord-style ids: milliseconds since 2015 in the high bits, a counter in the low ones."""

    def __init__(self) -> None:
        self._counter = itertools.count()
        self._last = 0

    def __call__(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        value = (ms << 22) | (next(self._counter) & 0xFFF)
        # Ids must be strictly increasing even within one millisecond.
        value = max(value, self._last + 1)
        self._last = value
        return value


def iso_now() -> str:
    """The current time as Discord writes timestamps (ISO 8601, UTC)."""
    return dt.datetime.now(dt.UTC).isoformat()


@dataclass
class FakeUser:
    """A Discord user (or the bot's own user)."""

    id: int
    username: str
    bot: bool = False
    global_name: str | None = None
    #: ``False`` simulates a user who closed DMs (sending fails with 403 code 50007).
    dms_open: bool = True

    @property
    def mention(self) -> str:
        """``<@id>``."""
        return f"<@{self.id}>"


@dataclass
class FakeRole:
    """A guild role; the @everyone role has the guild's id."""

    id: int
    name: str
    permissions: int
    position: int = 0
    managed: bool = False


@dataclass
class FakeMember:
    """A user's membership of a guild: roles, nick, join time."""

    user_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)


@dataclass
class Overwrite:
    """A channel permission overwrite for a role or a member."""

    id: int
    type: int  # 0 role, 1 member
    allow: int = 0
    deny: int = 0


@dataclass
class FakeChannel:
    """A guild text channel or a DM channel."""

    id: int
    type: int
    name: str | None = None
    guild_id: int | None = None
    position: int = 0
    topic: str | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    recipient_ids: list[int] = field(default_factory=list)
    last_message_id: int | None = None

    @property
    def mention(self) -> str:
        """``<#id>``."""
        return f"<#{self.id}>"


@dataclass
class FakeGuild:
    """A guild with its roles, members and channels."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, FakeRole] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)

    @property
    def everyone_role(self) -> FakeRole:
        """The @everyone role (its id is the guild's)."""
        return self.roles[self.id]


@dataclass
class FakeAttachment:
    """A file attached to a message, bytes included, served at ``url``."""

    id: int
    filename: str
    content_type: str
    data: bytes
    url: str
    description: str | None = None
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        """The size in bytes."""
        return len(self.data)


@dataclass
class FakeMessage:
    """A message as stored by the fake, with its reactions and edit snapshots."""

    id: int
    channel_id: int
    guild_id: int | None
    author_id: int
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[FakeAttachment] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[int] = field(default_factory=list)
    mention_roles: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    type: int = DEFAULT_MESSAGE
    flags: int = 0
    tts: bool = False
    pinned: bool = False
    nonce: str | None = None
    timestamp: str = field(default_factory=iso_now)
    edited_timestamp: str | None = None
    message_reference: dict[str, Any] | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    #: emoji key ("🇦" or "name:id") -> user ids in the order they reacted.
    reactions: dict[str, list[int]] = field(default_factory=dict)
    deleted: bool = False
    #: Snapshots taken after each edit, oldest first.
    edits: list[FakeMessage] = field(default_factory=list)

    @property
    def is_ephemeral(self) -> bool:
        """Only the interaction's user sees it (flag 64)."""
        return bool(self.flags & EPHEMERAL)

    @property
    def is_loading(self) -> bool:
        """A deferred response still showing 'is thinking...' (flag 128)."""
        return bool(self.flags & LOADING)

    def reactors(self, emoji: str) -> list[int]:
        """Ids of the users who reacted with ``emoji``, in order."""
        return list(self.reactions.get(normalize_emoji(emoji), []))

    def snapshot(self) -> FakeMessage:
        """A copy that later changes to this message do not touch."""
        clone = copy.copy(self)
        clone.embeds = copy.deepcopy(self.embeds)
        clone.attachments = list(self.attachments)
        clone.components = copy.deepcopy(self.components)
        clone.reactions = {k: list(v) for k, v in self.reactions.items()}
        clone.edits = []
        return clone


@dataclass
class FakeInteraction:
    """An interaction sent to the bot, and how the bot answered it."""

    id: int
    token: str
    type: int  # 2 application command, 3 component, 4 autocomplete
    application_id: int
    guild_id: int | None
    channel_id: int
    user_id: int
    data: dict[str, Any]
    #: For component interactions: the message whose component was used.
    message_id: int | None = None
    created_at: float = field(default_factory=time.monotonic)
    #: The callback type the bot answered with (4 message, 5 deferred, 8 autocomplete, ...).
    response_type: int | None = None
    response_data: dict[str, Any] | None = None
    response_files: list[FakeAttachment] = field(default_factory=list)
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    callback_count: int = 0

    @property
    def age(self) -> float:
        """Seconds since the interaction was created."""
        return time.monotonic() - self.created_at

    @property
    def acknowledged(self) -> bool:
        """The bot has answered the interaction (any callback type)."""
        return self.response_type is not None

    @property
    def choices(self) -> list[dict[str, Any]]:
        """Autocomplete choices the bot returned (callback type 8)."""
        return list((self.response_data or {}).get("choices", []))


def normalize_emoji(emoji: str) -> str:
    """Reaction key: a unicode emoji as is, a custom one as ``name:id`` (``<:a:1>`` accepted)."""
    text = emoji.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if text.startswith("a:"):
        text = text[2:]
    if text.startswith(":"):
        text = text[1:]
    return text


def emoji_payload(key: str) -> dict[str, Any]:
    """The emoji object of a reaction key (unicode, or ``name:id``)."""
    if ":" in key:
        name, _, emoji_id = key.rpartition(":")
        return {"id": emoji_id, "name": name, "animated": False}
    return {"id": None, "name": key}


class State:
    """All the fake's persistent data plus permission and lookup helpers."""

    def __init__(self, *, application_id: int | None = None) -> None:
        self.snowflake = SnowflakeGenerator()
        self.users: dict[int, FakeUser] = {}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.messages: dict[int, FakeMessage] = {}
        #: channel id -> message ids in creation order.
        self.channel_messages: dict[int, list[int]] = {}
        self.interactions: dict[int, FakeInteraction] = {}
        #: (guild id or None) -> command name -> stored command payload.
        self.commands: dict[int | None, dict[str, dict[str, Any]]] = {}
        self.bot = self.add_user("Anneal", bot=True)
        self.application_id = application_id or self.snowflake()
        self.token = "fake-bot-token." + secrets.token_hex(8)
        self.owner = self.add_user("owner")

    # -- creation -------------------------------------------------------------------------

    def add_user(
        self,
        username: str,
        *,
        bot: bool = False,
        dms_open: bool = True,
        global_name: str | None = None,
    ) -> FakeUser:
        """Add a user (not yet in any guild)."""
        user = FakeUser(
            id=self.snowflake(),
            username=username,
            bot=bot,
            dms_open=dms_open,
            global_name=global_name,
        )
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, *, owner_id: int | None = None) -> FakeGuild:
        """Add a guild, its @everyone role, and its owner as a member."""
        guild_id = self.snowflake()
        guild = FakeGuild(id=guild_id, name=name, owner_id=owner_id or self.owner.id)
        guild.roles[guild_id] = FakeRole(
            id=guild_id, name="@everyone", permissions=DEFAULT_EVERYONE
        )
        self.guilds[guild_id] = guild
        guild.members[guild.owner_id] = FakeMember(user_id=guild.owner_id)
        return guild

    def add_role(
        self, guild_id: int, name: str, permissions: int, *, managed: bool = False
    ) -> FakeRole:
        """Add a role to a guild."""
        guild = self.guilds[guild_id]
        role = FakeRole(
            id=self.snowflake(),
            name=name,
            permissions=int(permissions),
            position=len(guild.roles),
            managed=managed,
        )
        guild.roles[role.id] = role
        return role

    def add_member(
        self, guild_id: int, user_id: int, *, roles: list[int] | None = None
    ) -> FakeMember:
        """Make a user a member of a guild with ``roles``."""
        member = FakeMember(user_id=user_id, roles=list(roles or []))
        self.guilds[guild_id].members[user_id] = member
        return member

    def add_text_channel(
        self,
        guild_id: int,
        name: str,
        *,
        overwrites: list[Overwrite] | None = None,
        topic: str | None = None,
    ) -> FakeChannel:
        """Add a text channel to a guild."""
        guild = self.guilds[guild_id]
        channel = FakeChannel(
            id=self.snowflake(),
            type=GUILD_TEXT,
            name=name,
            guild_id=guild_id,
            position=len(guild.channel_ids),
            topic=topic,
            overwrites=list(overwrites or []),
        )
        self.channels[channel.id] = channel
        self.channel_messages[channel.id] = []
        guild.channel_ids.append(channel.id)
        return channel

    def dm_channel_for(self, user_id: int) -> FakeChannel:
        """The DM channel between the bot and ``user_id`` (created on first use)."""
        for channel in self.channels.values():
            if channel.type == DM and channel.recipient_ids == [user_id]:
                return channel
        channel = FakeChannel(id=self.snowflake(), type=DM, recipient_ids=[user_id])
        self.channels[channel.id] = channel
        self.channel_messages[channel.id] = []
        return channel

    def add_message(self, message: FakeMessage, *, listed: bool = True) -> FakeMessage:
        """Store a message; ``listed=False`` (ephemeral) keeps it out of the channel's history."""
        self.messages[message.id] = message
        if listed:
            self.channel_messages.setdefault(message.channel_id, []).append(message.id)
            self.channels[message.channel_id].last_message_id = message.id
        return message

    # -- lookups --------------------------------------------------------------------------

    def user(self, user_id: int) -> FakeUser:
        """The user with this id."""
        return self.users[int(user_id)]

    def channel(self, channel_id: int) -> FakeChannel:
        """The channel with this id."""
        return self.channels[int(channel_id)]

    def message(self, message_id: int) -> FakeMessage:
        """The message with this id (deleted ones too)."""
        return self.messages[int(message_id)]

    def live_message(self, channel_id: int, message_id: int) -> FakeMessage | None:
        """The message if it is in that channel and not deleted."""
        message = self.messages.get(int(message_id))
        if message is None or message.deleted or message.channel_id != int(channel_id):
            return None
        return message

    def history(self, channel_id: int) -> list[FakeMessage]:
        """Undeleted messages of a channel, oldest first."""
        ids = self.channel_messages.get(int(channel_id), [])
        return [self.messages[i] for i in ids if not self.messages[i].deleted]

    def guild_of(self, channel: FakeChannel) -> FakeGuild | None:
        """The guild of a guild channel, None for a DM."""
        return self.guilds.get(channel.guild_id) if channel.guild_id is not None else None

    def dm_recipient(self, channel: FakeChannel) -> int | None:
        """The user a DM channel is with, None for a guild channel."""
        return channel.recipient_ids[0] if channel.type == DM and channel.recipient_ids else None

    # -- permissions ----------------------------------------------------------------------

    def base_permissions(self, guild: FakeGuild, user_id: int) -> int:
        """A member's guild-wide permissions from @everyone and their roles."""
        if user_id == guild.owner_id:
            return ALL_PERMISSIONS
        perms = guild.everyone_role.permissions
        member = guild.members.get(user_id)
        for role_id in member.roles if member else []:
            role = guild.roles.get(role_id)
            if role is not None:
                perms |= role.permissions
        if perms & P.ADMINISTRATOR:
            return ALL_PERMISSIONS
        return perms

    def channel_permissions(self, channel_id: int, user_id: int) -> int:
        """A user's permissions in a channel, overwrites applied."""
        channel = self.channel(channel_id)
        if channel.type == DM:
            return int(DM_PERMISSIONS) if user_id in (*channel.recipient_ids, self.bot.id) else 0
        guild = self.guild_of(channel)
        if guild is None or user_id not in guild.members:
            return 0
        base = self.base_permissions(guild, user_id)
        if base == ALL_PERMISSIONS:
            return ALL_PERMISSIONS
        member = guild.members[user_id]
        everyone: tuple[int, int] | None = None
        roles: list[tuple[int, int]] = []
        member_ow: tuple[int, int] | None = None
        for ow in channel.overwrites:
            if ow.type == 0 and ow.id == guild.id:
                everyone = (ow.allow, ow.deny)
            elif ow.type == 0 and ow.id in member.roles:
                roles.append((ow.allow, ow.deny))
            elif ow.type == 1 and ow.id == user_id:
                member_ow = (ow.allow, ow.deny)
        return apply_overwrites(base, everyone=everyone, roles=roles, member=member_ow)

    def has_permissions(self, channel_id: int, user_id: int, needed: int) -> bool:
        """The user has every permission in ``needed`` in the channel."""
        return self.channel_permissions(channel_id, user_id) & needed == needed
