"""Build JSON payloads shaped like Discord's API v10 from the fake's state."""

from __future__ import annotations

import struct
from typing import Any

from .state import (
    DM,
    INTENT_MESSAGE_CONTENT,
    FakeAttachment,
    FakeChannel,
    FakeGuild,
    FakeInteraction,
    FakeMember,
    FakeMessage,
    FakeRole,
    FakeUser,
    State,
    emoji_payload,
)

#: Application flags: GATEWAY_PRESENCE, GATEWAY_GUILD_MEMBERS, GATEWAY_MESSAGE_CONTENT.
APP_FLAG_PRESENCE = 1 << 12
APP_FLAG_GUILD_MEMBERS = 1 << 14
APP_FLAG_MESSAGE_CONTENT = 1 << 18


def user(u: FakeUser) -> dict[str, Any]:
    """The user object Discord sends."""
    return {
        "id": str(u.id),
        "username": u.username,
        "discriminator": "0",
        "global_name": u.global_name,
        "avatar": None,
        "bot": u.bot,
        "system": False,
        "public_flags": 0,
    }


def client_user(u: FakeUser) -> dict[str, Any]:
    """The bot's own user object (GET /users/@me, READY)."""
    return {**user(u), "verified": True, "mfa_enabled": False, "flags": 0, "locale": "en-US"}


def role(r: FakeRole) -> dict[str, Any]:
    """The role object Discord sends."""
    return {
        "id": str(r.id),
        "name": r.name,
        "permissions": str(r.permissions),
        "position": r.position,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "managed": r.managed,
        "mentionable": False,
        "icon": None,
        "unicode_emoji": None,
        "flags": 0,
    }


def member(
    state: State,
    m: FakeMember,
    *,
    with_user: bool = True,
    permissions: int | None = None,
) -> dict[str, Any]:
    """The guild member object Discord sends."""
    payload: dict[str, Any] = {
        "roles": [str(r) for r in m.roles],
        "nick": m.nick,
        "avatar": None,
        "banner": None,
        "joined_at": m.joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "pending": False,
        "flags": 0,
        "communication_disabled_until": None,
    }
    if with_user:
        payload["user"] = user(state.user(m.user_id))
    if permissions is not None:
        payload["permissions"] = str(permissions)
    return payload


def channel(state: State, c: FakeChannel) -> dict[str, Any]:
    """The channel object Discord sends (guild text channel or DM)."""
    last = str(c.last_message_id) if c.last_message_id else None
    if c.type == DM:
        return {
            "id": str(c.id),
            "type": DM,
            "last_message_id": last,
            "recipients": [user(state.user(uid)) for uid in c.recipient_ids],
            "flags": 0,
        }
    return {
        "id": str(c.id),
        "type": c.type,
        "guild_id": str(c.guild_id),
        "name": c.name,
        "position": c.position,
        "topic": c.topic,
        "nsfw": False,
        "parent_id": None,
        "last_message_id": last,
        "rate_limit_per_user": 0,
        "flags": 0,
        "permission_overwrites": [
            {"id": str(o.id), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}
            for o in c.overwrites
        ],
    }


def guild(state: State, g: FakeGuild, *, for_gateway: bool = False) -> dict[str, Any]:
    """The guild object of REST, or of GUILD_CREATE with ``for_gateway``."""
    payload: dict[str, Any] = {
        "id": str(g.id),
        "name": g.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "owner_id": str(g.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": [role(r) for r in g.roles.values()],
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "system_channel_id": g.channel_ids[0] if g.channel_ids else None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "vanity_url_code": None,
        "description": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": None,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
    }
    if for_gateway:
        payload.update(
            {
                "unavailable": False,
                "large": False,
                "joined_at": g.members[state.bot.id].joined_at
                if state.bot.id in g.members
                else None,
                "member_count": len(g.members),
                "members": [member(state, m) for m in g.members.values()],
                "channels": [channel(state, state.channel(cid)) for cid in g.channel_ids],
                "threads": [],
                "voice_states": [],
                "presences": [],
                "stage_instances": [],
                "guild_scheduled_events": [],
                "soundboard_sounds": [],
            }
        )
    return payload


def attachment(a: FakeAttachment) -> dict[str, Any]:
    """The attachment object of a message."""
    payload: dict[str, Any] = {
        "id": str(a.id),
        "filename": a.filename,
        "size": a.size,
        "url": a.url,
        "proxy_url": a.url,
        "content_type": a.content_type,
        "ephemeral": False,
    }
    if a.description is not None:
        payload["description"] = a.description
    if a.width is not None:
        payload["width"] = a.width
        payload["height"] = a.height
    return payload


def reactions(state: State, m: FakeMessage) -> list[dict[str, Any]]:
    """A message's reactions, counted, with ``me`` for the bot's own."""
    out = []
    for key, users in m.reactions.items():
        if not users:
            continue
        out.append(
            {
                "emoji": emoji_payload(key),
                "count": len(users),
                "count_details": {"burst": 0, "normal": len(users)},
                "burst_colors": [],
                "me": state.bot.id in users,
                "me_burst": False,
                "burst_count": 0,
            }
        )
    return out


def message(
    state: State,
    m: FakeMessage,
    *,
    intents: int | None = None,
    with_reference: bool = True,
) -> dict[str, Any]:
    """A message object; with ``intents`` (a gateway session's), apply the content rules."""
    author = state.user(m.author_id)
    payload: dict[str, Any] = {
        "id": str(m.id),
        "channel_id": str(m.channel_id),
        "author": user(author),
        "content": m.content,
        "timestamp": m.timestamp,
        "edited_timestamp": m.edited_timestamp,
        "tts": m.tts,
        "mention_everyone": m.mention_everyone,
        "mentions": [],
        "mention_roles": [str(r) for r in m.mention_roles],
        "attachments": [attachment(a) for a in m.attachments],
        "embeds": m.embeds,
        "reactions": reactions(state, m),
        "pinned": m.pinned,
        "type": m.type,
        "flags": m.flags,
        "components": m.components,
    }
    if m.nonce is not None:
        payload["nonce"] = m.nonce
    if m.webhook_id is not None:
        payload["webhook_id"] = str(m.webhook_id)
    if m.application_id is not None:
        payload["application_id"] = str(m.application_id)
    if m.interaction_metadata is not None:
        payload["interaction_metadata"] = m.interaction_metadata
    g = state.guilds.get(m.guild_id) if m.guild_id is not None else None
    if g is not None:
        payload["guild_id"] = str(g.id)
        if m.author_id in g.members and m.webhook_id is None:
            payload["member"] = member(state, g.members[m.author_id], with_user=False)
    for uid in m.mentions:
        mentioned = state.users.get(uid)
        if mentioned is None:
            continue
        entry = user(mentioned)
        if g is not None and uid in g.members:
            entry["member"] = member(state, g.members[uid], with_user=False)
        payload["mentions"].append(entry)
    if m.message_reference is not None:
        payload["message_reference"] = m.message_reference
        if with_reference:
            ref = state.messages.get(int(m.message_reference.get("message_id", 0)))
            payload["referenced_message"] = (
                message(state, ref, intents=intents, with_reference=False)
                if ref is not None and not ref.deleted
                else None
            )
    if intents is not None and not intents & INTENT_MESSAGE_CONTENT:
        # Without MESSAGE_CONTENT a bot sees content only in DMs, its own messages and
        # messages that mention it.
        exempt = m.guild_id is None or m.author_id == state.bot.id or state.bot.id in m.mentions
        if not exempt:
            payload.update(content="", embeds=[], attachments=[], components=[])
    return payload


def interaction(
    state: State,
    i: FakeInteraction,
    *,
    member_permissions: int,
    app_permissions: int,
) -> dict[str, Any]:
    """The INTERACTION_CREATE body, with the permissions Discord computed."""
    ch = state.channel(i.channel_id)
    payload: dict[str, Any] = {
        "id": str(i.id),
        "application_id": str(i.application_id),
        "type": i.type,
        "data": i.data,
        "channel_id": str(ch.id),
        "channel": channel(state, ch),
        "token": i.token,
        "version": 1,
        "app_permissions": str(app_permissions),
        "locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {},
        "attachment_size_limit": 10 * 1024 * 1024,
    }
    g = state.guilds.get(i.guild_id) if i.guild_id is not None else None
    if g is not None:
        payload["guild_id"] = str(g.id)
        payload["guild"] = {"id": str(g.id), "locale": "en-US", "features": []}
        payload["guild_locale"] = "en-US"
        payload["context"] = 0
        payload["authorizing_integration_owners"] = {"0": str(g.id)}
        payload["member"] = member(
            state, g.members[i.user_id], with_user=True, permissions=member_permissions
        )
    else:
        payload["context"] = 1
        payload["user"] = user(state.user(i.user_id))
    return payload


def application(state: State, flags: int) -> dict[str, Any]:
    """The application object (GET /oauth2/applications/@me)."""
    return {
        "id": str(state.application_id),
        "name": state.bot.username,
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "flags": flags,
        "owner": user(state.owner),
        "team": None,
        "bot": user(state.bot),
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "tags": [],
        "approximate_guild_count": len(state.guilds),
        "integration_types_config": {},
    }


def error(message: str, code: int = 0, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    """A Discord JSON error body: message, code, and the per-field errors if any."""
    payload: dict[str, Any] = {"message": message, "code": code}
    if errors:
        payload["errors"] = errors
    return payload


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG (from its IHDR chunk), else ``None``."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return None
