"""REST API v10 routes of the fake, with Discord's error codes for the failures bots meet."""

from __future__ import annotations

import json
import logging
import mimetypes
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import payloads, uploads
from .permissions import P
from .state import (
    CHAT_INPUT_COMMAND,
    DEFAULT_MESSAGE,
    DM,
    EPHEMERAL,
    LOADING,
    REPLY,
    FakeAttachment,
    FakeChannel,
    FakeGuild,
    FakeInteraction,
    FakeMessage,
    State,
    iso_now,
    normalize_emoji,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

log = logging.getLogger("fake_discord.rest")

API_PREFIX = "/api/v10"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class UploadedFile:
    """A file part of a multipart request, as the bot uploaded it."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class RecordedRequest:
    """One REST call the bot made, for assertions."""

    method: str
    path: str  # without the /api/v10 prefix, percent-decoded
    query: dict[str, str]
    json: Any = None  # the JSON body, or the parsed payload_json of a multipart body
    form: dict[str, str] = field(default_factory=dict)  # other multipart text fields
    files: list[UploadedFile] = field(default_factory=list)
    status: int | None = None
    handled: bool = True

    @property
    def is_multipart(self) -> bool:
        """The body was multipart (files or extra form fields)."""
        return bool(self.files or self.form)

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status}"


#: Where the middleware stores the request's record.
RECORD: web.RequestKey[RecordedRequest] = web.RequestKey("record", RecordedRequest)


class DiscordError(Exception):
    """Raised inside a handler; becomes a Discord-shaped JSON error response."""

    def __init__(
        self, status: int, code: int, message: str, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors


def missing_permissions() -> DiscordError:
    """The 403 / 50013 Discord answers when the bot lacks a permission."""
    return DiscordError(403, 50013, "Missing Permissions")


def invalid_form(errors: dict[str, Any]) -> DiscordError:
    """The 400 / 50035 Discord answers to an invalid body, with per-field errors."""
    return DiscordError(400, 50035, "Invalid Form Body", errors)


def field_error(code: str, message: str) -> dict[str, Any]:
    """One field's entry in an Invalid Form Body error."""
    return {"_errors": [{"code": code, "message": message}]}


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON response whose Content-Type is exactly application/json."""
    # body= (not text=) so that the header is exactly "application/json": discord.py compares
    # it verbatim and treats "application/json; charset=utf-8" as plain text.
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        content_type="application/json",
        headers=headers,
    )


def no_content() -> web.Response:
    """The empty 204 answer."""
    return web.Response(status=204)


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise DiscordError(400, 50035, f"Value {value!r} is not snowflake.") from None


EMBED_LIMITS = {
    "title": 256,
    "description": 4096,
}


def validate_embeds(embeds: list[dict[str, Any]]) -> None:
    """Discord's embed limits; violations are 400 Invalid Form Body (code 50035)."""
    if len(embeds) > 10:
        raise invalid_form({"embeds": field_error("BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer.")})
    total = 0
    for index, embed in enumerate(embeds):
        errors: dict[str, Any] = {}
        for key, limit in EMBED_LIMITS.items():
            value = embed.get(key) or ""
            total += len(value)
            if len(value) > limit:
                errors[key] = field_error(
                    "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."
                )
        fields = embed.get("fields") or []
        if len(fields) > 25:
            errors["fields"] = field_error("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for f_index, emb_field in enumerate(fields):
            name = str(emb_field.get("name") or "")
            value = str(emb_field.get("value") or "")
            total += len(name) + len(value)
            f_errors: dict[str, Any] = {}
            if not name or len(name) > 256:
                f_errors["name"] = field_error("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 256.")
            if not value or len(value) > 1024:
                f_errors["value"] = field_error(
                    "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 1024 in length."
                )
            if f_errors:
                errors.setdefault("fields", {})[str(f_index)] = f_errors
        footer = (embed.get("footer") or {}).get("text") or ""
        author = (embed.get("author") or {}).get("name") or ""
        total += len(footer) + len(author)
        if len(footer) > 2048:
            errors["footer"] = {"text": field_error("BASE_TYPE_MAX_LENGTH", "Too long.")}
        if len(author) > 256:
            errors["author"] = {"name": field_error("BASE_TYPE_MAX_LENGTH", "Too long.")}
        if errors:
            raise invalid_form({"embeds": {str(index): errors}})
    if total > 6000:
        raise invalid_form(
            {
                "embeds": field_error(
                    "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
                )
            }
        )


MENTION_USER = re.compile(r"<@!?(\d+)>")
MENTION_ROLE = re.compile(r"<@&(\d+)>")


def content_mentions(content: str) -> tuple[list[int], list[int], bool]:
    """User and role ids mentioned in ``content``, and whether it pings everyone."""
    users = list(dict.fromkeys(int(m) for m in MENTION_USER.findall(content)))
    roles = list(dict.fromkeys(int(m) for m in MENTION_ROLE.findall(content)))
    return users, roles, "@everyone" in content or "@here" in content


def guess_content_type(filename: str, data: bytes) -> str:
    """The content type of an uploaded file (PNGs by their magic bytes)."""
    if data.startswith(b"\x89PNG"):
        return "image/png"
    guessed, _ = mimetypes.guess_type(filename)
    return guessed or "application/octet-stream"


class RestApi:
    """The REST v10 routes of the fake, one handler per route."""

    def __init__(self, server: FakeDiscord) -> None:
        self.server = server

    @property
    def state(self) -> State:
        """The fake's state (users, guilds, messages...)."""
        return self.server.state

    # -- table ----------------------------------------------------------------------------

    def routes(self) -> list[tuple[str, str, Handler]]:
        """(method, path, handler) for every route, with the /api/v10 prefix."""
        ch = "/channels/{channel_id}"
        msg = ch + "/messages/{message_id}"
        react = msg + "/reactions"
        app = "/applications/{application_id}"
        hook = "/webhooks/{application_id}/{token}"
        table: list[tuple[str, str, Handler]] = [
            ("GET", "/gateway", self.get_gateway),
            ("GET", "/gateway/bot", self.get_gateway_bot),
            ("GET", "/users/@me", self.get_me),
            ("POST", "/users/@me/channels", self.create_dm),
            ("GET", "/users/{user_id}", self.get_user),
            ("GET", "/oauth2/applications/@me", self.get_application),
            ("GET", "/applications/@me", self.get_application),
            ("GET", "/guilds/{guild_id}", self.get_guild),
            ("GET", "/guilds/{guild_id}/channels", self.get_guild_channels),
            ("GET", "/guilds/{guild_id}/roles", self.get_guild_roles),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member),
            ("GET", ch, self.get_channel),
            ("POST", ch + "/typing", self.typing),
            ("GET", ch + "/messages", self.get_messages),
            ("POST", ch + "/messages", self.create_message),
            ("POST", ch + "/messages/bulk-delete", self.bulk_delete),
            ("GET", msg, self.get_message),
            ("PATCH", msg, self.edit_message),
            ("DELETE", msg, self.delete_message),
            ("PUT", react + "/{emoji}/@me", self.add_own_reaction),
            ("DELETE", react + "/{emoji}/@me", self.remove_own_reaction),
            ("DELETE", react + "/{emoji}/{user_id}", self.remove_user_reaction),
            ("GET", react + "/{emoji}", self.get_reaction_users),
            ("DELETE", react + "/{emoji}", self.clear_emoji_reactions),
            ("DELETE", react, self.clear_reactions),
            ("GET", app + "/commands", self.get_commands),
            ("PUT", app + "/commands", self.put_commands),
            ("POST", app + "/commands", self.post_command),
            ("GET", app + "/commands/{command_id}", self.get_command),
            ("PATCH", app + "/commands/{command_id}", self.patch_command),
            ("DELETE", app + "/commands/{command_id}", self.delete_command),
            ("GET", app + "/guilds/{guild_id}/commands", self.get_commands),
            ("PUT", app + "/guilds/{guild_id}/commands", self.put_commands),
            ("POST", app + "/guilds/{guild_id}/commands", self.post_command),
            ("GET", app + "/guilds/{guild_id}/commands/{command_id}", self.get_command),
            ("PATCH", app + "/guilds/{guild_id}/commands/{command_id}", self.patch_command),
            ("DELETE", app + "/guilds/{guild_id}/commands/{command_id}", self.delete_command),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self.interaction_callback),
            ("GET", hook + "/messages/@original", self.get_original),
            ("PATCH", hook + "/messages/@original", self.edit_original),
            ("DELETE", hook + "/messages/@original", self.delete_original),
            ("POST", hook, self.create_followup),
            ("GET", hook + "/messages/{message_id}", self.get_followup),
            ("PATCH", hook + "/messages/{message_id}", self.edit_followup),
            ("DELETE", hook + "/messages/{message_id}", self.delete_followup),
        ]
        return [(m, API_PREFIX + p, h) for m, p, h in table]

    @staticmethod
    def needs_auth(path: str) -> bool:
        """Interaction callbacks and interaction webhooks are authorised by their token."""
        return not (path.startswith("/interactions/") or path.startswith("/webhooks/"))

    # -- helpers --------------------------------------------------------------------------

    @staticmethod
    def record(request: web.Request) -> RecordedRequest:
        """The recorded request the middleware stored for ``request``."""
        return request[RECORD]

    def body(self, request: web.Request) -> dict[str, Any]:
        """The request's JSON body (or payload_json) as an object; ``{}`` otherwise."""
        data = self.record(request).json
        return data if isinstance(data, dict) else {}

    def channel_or_404(self, request: web.Request) -> FakeChannel:
        """The channel of the URL, if it exists and the bot can see it."""
        channel = self.state.channels.get(_int(request.match_info["channel_id"]))
        if channel is None:
            raise DiscordError(404, 10003, "Unknown Channel")
        if not self.state.has_permissions(channel.id, self.state.bot.id, P.VIEW_CHANNEL):
            raise DiscordError(403, 50001, "Missing Access")
        return channel

    def message_or_404(self, request: web.Request) -> tuple[FakeChannel, FakeMessage]:
        """The channel and live message of the URL, or a 404."""
        channel = self.channel_or_404(request)
        message = self.state.live_message(channel.id, _int(request.match_info["message_id"]))
        if message is None or message.is_ephemeral:
            raise DiscordError(404, 10008, "Unknown Message")
        return channel, message

    def require(self, channel: FakeChannel, needed: int) -> None:
        """Raise Missing Permissions unless the bot has ``needed`` in ``channel``."""
        if not self.state.has_permissions(channel.id, self.state.bot.id, needed):
            raise missing_permissions()

    def message_json(self, message: FakeMessage) -> dict[str, Any]:
        """The message object Discord sends for ``message``."""
        return payloads.message(self.state, message)

    # -- meta -----------------------------------------------------------------------------

    async def get_gateway(self, request: web.Request) -> web.Response:
        """GET /gateway."""
        return json_response({"url": self.server.gateway_url})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        """GET /gateway/bot."""
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        return json_response(
            {"url": self.server.gateway_url, "shards": 1, "session_start_limit": limit}
        )

    async def get_me(self, request: web.Request) -> web.Response:
        """GET /users/@me."""
        return json_response(payloads.client_user(self.state.bot))

    async def get_user(self, request: web.Request) -> web.Response:
        """GET /users/{user_id}."""
        user = self.state.users.get(_int(request.match_info["user_id"]))
        if user is None:
            raise DiscordError(404, 10013, "Unknown User")
        return json_response(payloads.user(user))

    async def create_dm(self, request: web.Request) -> web.Response:
        """POST /users/@me/channels."""
        recipient = self.body(request).get("recipient_id")
        user = self.state.users.get(_int(str(recipient)))
        if user is None:
            raise DiscordError(404, 10013, "Unknown User")
        channel = self.state.dm_channel_for(user.id)
        return json_response(payloads.channel(self.state, channel))

    async def get_application(self, request: web.Request) -> web.Response:
        """GET /oauth2/applications/@me · GET /applications/@me."""
        return json_response(
            payloads.application(self.state, self.server.gateway.application_flags)
        )

    # -- guilds ---------------------------------------------------------------------------

    def guild_or_404(self, request: web.Request) -> FakeGuild:
        """The guild of the URL, or 404 Unknown Guild."""
        guild = self.state.guilds.get(_int(request.match_info["guild_id"]))
        if guild is None or self.state.bot.id not in guild.members:
            raise DiscordError(404, 10004, "Unknown Guild")
        return guild

    async def get_guild(self, request: web.Request) -> web.Response:
        """GET /guilds/{guild_id}."""
        guild = self.guild_or_404(request)
        data = payloads.guild(self.state, guild)
        if request.query.get("with_counts") in ("true", "1", "True"):
            data["approximate_member_count"] = len(guild.members)
            data["approximate_presence_count"] = 0
        return json_response(data)

    async def get_guild_channels(self, request: web.Request) -> web.Response:
        """GET /guilds/{guild_id}/channels."""
        guild = self.guild_or_404(request)
        return json_response(
            [payloads.channel(self.state, self.state.channel(cid)) for cid in guild.channel_ids]
        )

    async def get_guild_roles(self, request: web.Request) -> web.Response:
        """GET /guilds/{guild_id}/roles."""
        guild = self.guild_or_404(request)
        return json_response([payloads.role(r) for r in guild.roles.values()])

    async def get_member(self, request: web.Request) -> web.Response:
        """GET /guilds/{guild_id}/members/{user_id}."""
        guild = self.guild_or_404(request)
        member = guild.members.get(_int(request.match_info["user_id"]))
        if member is None:
            raise DiscordError(404, 10007, "Unknown Member")
        return json_response(payloads.member(self.state, member))

    # -- channels and messages ------------------------------------------------------------

    async def get_channel(self, request: web.Request) -> web.Response:
        """GET /channels/{channel_id}."""
        return json_response(payloads.channel(self.state, self.channel_or_404(request)))

    async def typing(self, request: web.Request) -> web.Response:
        """POST /channels/{channel_id}/typing."""
        self.channel_or_404(request)
        return no_content()

    async def get_messages(self, request: web.Request) -> web.Response:
        """GET /channels/{channel_id}/messages."""
        channel = self.channel_or_404(request)
        self.require(channel, P.READ_MESSAGE_HISTORY)
        limit = max(1, min(100, int(request.query.get("limit", "50"))))
        history = self.state.history(channel.id)  # oldest first
        before = request.query.get("before")
        after = request.query.get("after")
        around = request.query.get("around")
        if after:
            selected = [m for m in history if m.id > int(after)][:limit]
            selected.reverse()
        elif around:
            pivot = int(around)
            older = [m for m in history if m.id <= pivot][-(limit // 2 + 1) :]
            newer = [m for m in history if m.id > pivot][: limit - len(older)]
            selected = list(reversed(older + newer))
        else:
            if before:
                history = [m for m in history if m.id < int(before)]
            selected = list(reversed(history[-limit:]))
        return json_response([self.message_json(m) for m in selected])

    async def get_message(self, request: web.Request) -> web.Response:
        """GET /channels/{channel_id}/messages/{message_id}."""
        channel, message = self.message_or_404(request)
        self.require(channel, P.READ_MESSAGE_HISTORY)
        return json_response(self.message_json(message))

    async def create_message(self, request: web.Request) -> web.Response:
        """POST /channels/{channel_id}/messages."""
        channel = self.channel_or_404(request)
        rec = self.record(request)
        body = self.body(request)
        state = self.state
        if channel.type == DM:
            recipient = state.user(state.dm_recipient(channel) or 0)
            if not recipient.dms_open or recipient.bot:
                raise DiscordError(403, 50007, "Cannot send messages to this user")
        else:
            self.require(channel, P.VIEW_CHANNEL | P.SEND_MESSAGES)
            if rec.files:
                self.require(channel, P.ATTACH_FILES)
            if body.get("message_reference"):
                self.require(channel, P.READ_MESSAGE_HISTORY)
        message = self.build_message(channel, body, rec.files)
        if body.get("embeds") and not state.has_permissions(
            channel.id, state.bot.id, P.EMBED_LINKS
        ):
            log.warning("bot lacks Embed Links in #%s: Discord drops the embeds", channel.name)
            message.embeds = []
        await self.server.publish_message(message)
        return json_response(self.message_json(message))

    def build_message(
        self,
        channel: FakeChannel,
        body: dict[str, Any],
        files: list[UploadedFile],
        *,
        author_id: int | None = None,
        interaction: FakeInteraction | None = None,
        placeholder: bool = False,
    ) -> FakeMessage:
        """Validate a create-message body (JSON or payload_json + files) into a message."""
        state = self.state
        content = body.get("content")
        content = "" if content is None else str(content)
        if len(content) > 2000:
            raise invalid_form(
                {"content": field_error("BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")}
            )
        embeds = [dict(e) for e in body.get("embeds") or []]
        validate_embeds(embeds)
        message = FakeMessage(
            id=state.snowflake(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author_id=author_id or state.bot.id,
            content=content,
            embeds=embeds,
            components=list(body.get("components") or []),
            tts=bool(body.get("tts", False)),
            flags=int(body.get("flags") or 0),
            nonce=str(body["nonce"]) if body.get("nonce") is not None else None,
        )
        message.attachments = self.collect_attachments(
            channel.id, body.get("attachments"), files, existing=[]
        )
        self.resolve_embed_attachments(message)
        has_body = content or embeds or message.attachments or message.components
        if not (has_body or placeholder or body.get("sticker_ids") or body.get("poll")):
            raise DiscordError(400, 50006, "Cannot send an empty message")
        message.mentions, message.mention_roles, message.mention_everyone = content_mentions(
            content
        )
        ref = body.get("message_reference")
        if ref:
            target = state.messages.get(int(ref.get("message_id", 0)))
            if target is None or target.deleted:
                if ref.get("fail_if_not_exists", True):
                    raise invalid_form(
                        {
                            "message_reference": field_error(
                                "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
                            )
                        }
                    )
            else:
                message.type = REPLY
                message.message_reference = {
                    "type": 0,
                    "message_id": str(target.id),
                    "channel_id": str(target.channel_id),
                    **({"guild_id": str(target.guild_id)} if target.guild_id else {}),
                }
                replied = ref.get("replied_user", True)
                allowed = body.get("allowed_mentions") or {}
                if (
                    allowed.get("replied_user", replied)
                    and target.author_id not in message.mentions
                ):
                    message.mentions.append(target.author_id)
        if interaction is not None:
            message.webhook_id = interaction.application_id
            message.application_id = interaction.application_id
            message.interaction_metadata = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": payloads.user(state.user(interaction.user_id)),
                "authorizing_integration_owners": {},
                "name": interaction.data.get("name"),
            }
            if interaction.type == 2 and message.type == DEFAULT_MESSAGE:
                message.type = CHAT_INPUT_COMMAND
        return message

    def collect_attachments(
        self,
        channel_id: int,
        spec: list[dict[str, Any]] | None,
        files: list[UploadedFile],
        *,
        existing: list[FakeAttachment],
    ) -> list[FakeAttachment]:
        """Map ``attachments`` entries to uploaded ``files[n]`` (new) or kept attachments."""
        try:
            uploads.check_upload(files)
        except uploads.UploadTooLarge as exc:
            raise DiscordError(413, 40005, str(exc)) from None
        by_index: dict[int, UploadedFile] = {}
        for upload in files:
            match = re.fullmatch(r"files\[(\d+)\]|file(\d*)", upload.field)
            if match:
                index = match.group(1) or match.group(2) or "0"
                by_index[int(index)] = upload
        kept = {a.id: a for a in existing}
        described: dict[int, dict[str, Any]] = {}
        result: list[FakeAttachment] = []
        if spec is None:
            result.extend(existing)
        else:
            for entry in spec:
                entry_id = int(entry.get("id", -1))
                if entry_id in kept:
                    result.append(kept[entry_id])
                else:
                    described[entry_id] = entry
        for index in sorted(by_index):
            upload = by_index[index]
            entry = described.get(index, {})
            filename = str(entry.get("filename") or upload.filename)
            att_id = self.state.snowflake()
            size = payloads.image_size(upload.data)
            result.append(
                FakeAttachment(
                    id=att_id,
                    filename=filename,
                    content_type=guess_content_type(filename, upload.data),
                    data=upload.data,
                    url=f"{self.server.base_url}/attachments/{channel_id}/{att_id}/{filename}",
                    description=entry.get("description"),
                    width=size[0] if size else None,
                    height=size[1] if size else None,
                )
            )
        return result

    @staticmethod
    def resolve_embed_attachments(message: FakeMessage) -> None:
        """``attachment://name`` in an embed image/thumbnail becomes the attachment's URL."""
        by_name = {a.filename: a for a in message.attachments}
        for embed in message.embeds:
            embed.setdefault("type", "rich")
            for key in ("image", "thumbnail"):
                media = embed.get(key)
                if not isinstance(media, dict):
                    continue
                url = str(media.get("url", ""))
                if url.startswith("attachment://"):
                    found = by_name.get(url.removeprefix("attachment://"))
                    if found is None:
                        continue  # Discord leaves unresolvable references as they are
                    media.update(url=found.url, proxy_url=found.url)
                    if found.width is not None:
                        media.update(width=found.width, height=found.height)

    def apply_edit(
        self, message: FakeMessage, body: dict[str, Any], files: list[UploadedFile]
    ) -> None:
        """Apply an edit body to ``message`` (content, embeds, attachments...)."""
        if "content" in body:
            content = "" if body["content"] is None else str(body["content"])
            if len(content) > 2000:
                raise invalid_form(
                    {"content": field_error("BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer.")}
                )
            message.content = content
            message.mentions, message.mention_roles, message.mention_everyone = content_mentions(
                content
            )
        if "embeds" in body:
            embeds = [dict(e) for e in body["embeds"] or []]
            validate_embeds(embeds)
            message.embeds = embeds
        if "components" in body:
            message.components = list(body["components"] or [])
        if "attachments" in body or files:
            message.attachments = self.collect_attachments(
                message.channel_id, body.get("attachments"), files, existing=message.attachments
            )
        if "flags" in body and body["flags"] is not None:
            keep = message.flags & (EPHEMERAL | LOADING)
            message.flags = keep | (int(body["flags"]) & ~(EPHEMERAL | LOADING))
        self.resolve_embed_attachments(message)
        if not (message.content or message.embeds or message.attachments or message.components):
            raise DiscordError(400, 50006, "Cannot send an empty message")
        message.flags &= ~LOADING
        message.edited_timestamp = iso_now()

    async def edit_message(self, request: web.Request) -> web.Response:
        """PATCH /channels/{channel_id}/messages/{message_id}."""
        _channel, message = self.message_or_404(request)
        if message.author_id != self.state.bot.id:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        self.apply_edit(message, self.body(request), self.record(request).files)
        await self.server.publish_edit(message)
        return json_response(self.message_json(message))

    async def delete_message(self, request: web.Request) -> web.Response:
        """DELETE /channels/{channel_id}/messages/{message_id}."""
        channel, message = self.message_or_404(request)
        if message.author_id != self.state.bot.id:
            if channel.type == DM:
                raise DiscordError(403, 50003, "Cannot execute action on a DM channel")
            self.require(channel, P.MANAGE_MESSAGES)
        await self.server.publish_delete(message)
        return no_content()

    async def bulk_delete(self, request: web.Request) -> web.Response:
        """POST /channels/{channel_id}/messages/bulk-delete."""
        channel = self.channel_or_404(request)
        if channel.type == DM:
            raise DiscordError(403, 50003, "Cannot execute action on a DM channel")
        self.require(channel, P.MANAGE_MESSAGES)
        ids = [int(i) for i in self.body(request).get("messages", [])]
        if not 2 <= len(ids) <= 100:
            raise invalid_form({"messages": field_error("BASE_TYPE_BAD_LENGTH", "2 to 100.")})
        for message_id in ids:
            message = self.state.live_message(channel.id, message_id)
            if message is not None:
                await self.server.publish_delete(message)
        return no_content()

    # -- reactions ------------------------------------------------------------------------

    def emoji_key(self, request: web.Request) -> str:
        """The reaction key of the URL's emoji; plain text is 400 Unknown Emoji."""
        key = normalize_emoji(request.match_info["emoji"])
        if ":" not in key and (not key or key.isascii()):
            raise DiscordError(400, 10014, "Unknown Emoji")
        return key

    async def add_own_reaction(self, request: web.Request) -> web.Response:
        """PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me."""
        channel, message = self.message_or_404(request)
        key = self.emoji_key(request)
        needed = P.READ_MESSAGE_HISTORY
        if not message.reactions.get(key):
            needed |= P.ADD_REACTIONS
        self.require(channel, needed)
        if sum(
            1 for users in message.reactions.values() if users
        ) >= 20 and not message.reactions.get(key):
            raise DiscordError(400, 30010, "Maximum number of reactions reached (20)")
        await self.server.publish_reaction_add(message, self.state.bot.id, key)
        return no_content()

    async def remove_own_reaction(self, request: web.Request) -> web.Response:
        """DELETE /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me."""
        _channel, message = self.message_or_404(request)
        await self.server.publish_reaction_remove(
            message, self.state.bot.id, self.emoji_key(request)
        )
        return no_content()

    async def remove_user_reaction(self, request: web.Request) -> web.Response:
        """DELETE /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/{user_id}."""
        channel, message = self.message_or_404(request)
        key = self.emoji_key(request)
        user_id = _int(request.match_info["user_id"])
        if user_id != self.state.bot.id:
            if channel.type == DM:
                raise DiscordError(403, 50003, "Cannot execute action on a DM channel")
            self.require(channel, P.MANAGE_MESSAGES)
        await self.server.publish_reaction_remove(message, user_id, key)
        return no_content()

    async def get_reaction_users(self, request: web.Request) -> web.Response:
        """GET /channels/{channel_id}/messages/{message_id}/reactions/{emoji}."""
        _channel, message = self.message_or_404(request)
        key = self.emoji_key(request)
        limit = max(1, min(100, int(request.query.get("limit", "25"))))
        after = int(request.query.get("after", "0"))
        users = sorted(uid for uid in message.reactions.get(key, []) if uid > after)[:limit]
        return json_response([payloads.user(self.state.user(uid)) for uid in users])

    async def clear_emoji_reactions(self, request: web.Request) -> web.Response:
        """DELETE /channels/{channel_id}/messages/{message_id}/reactions/{emoji}."""
        channel, message = self.message_or_404(request)
        key = self.emoji_key(request)
        if channel.type == DM:
            raise DiscordError(403, 50003, "Cannot execute action on a DM channel")
        self.require(channel, P.MANAGE_MESSAGES)
        await self.server.publish_reaction_clear(message, key)
        return no_content()

    async def clear_reactions(self, request: web.Request) -> web.Response:
        """DELETE /channels/{channel_id}/messages/{message_id}/reactions."""
        channel, message = self.message_or_404(request)
        if channel.type == DM:
            raise DiscordError(403, 50003, "Cannot execute action on a DM channel")
        self.require(channel, P.MANAGE_MESSAGES)
        await self.server.publish_reaction_clear(message, None)
        return no_content()

    # -- application commands -------------------------------------------------------------

    def command_scope(self, request: web.Request) -> int | None:
        """The guild id of a guild command route, None for global commands."""
        if _int(request.match_info["application_id"]) != self.state.application_id:
            raise DiscordError(403, 50001, "Missing Access")
        if "guild_id" in request.match_info:
            guild_id = _int(request.match_info["guild_id"])
            guild = self.state.guilds.get(guild_id)
            if guild is None or self.state.bot.id not in guild.members:
                raise DiscordError(403, 50001, "Missing Access")
            return guild_id
        return None

    def validate_command(self, command: dict[str, Any], index: int | None) -> None:
        """Refuse a command Discord would refuse (names, lengths, options)."""
        errors: dict[str, Any] = {}
        name = str(command.get("name", ""))
        ctype = int(command.get("type", 1))
        if ctype == 1:
            if not re.fullmatch(r"[-_\w]{1,32}", name) or name != name.lower():
                errors["name"] = field_error("APPLICATION_COMMAND_INVALID_NAME", "Invalid name")
            description = str(command.get("description", ""))
            if not 1 <= len(description) <= 100:
                errors["description"] = field_error(
                    "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
                )
        options = command.get("options") or []
        if len(options) > 25:
            errors["options"] = field_error("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer.")
        seen_optional = False
        for o_index, option in enumerate(options):
            if option.get("type") in (1, 2):
                continue
            if option.get("required"):
                if seen_optional:
                    errors.setdefault("options", {})[str(o_index)] = field_error(
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
            else:
                seen_optional = True
        if errors:
            raise invalid_form({str(index): errors} if index is not None else errors)

    def store_command(self, guild_id: int | None, command: dict[str, Any]) -> dict[str, Any]:
        """Store a synced command (keeping its id on re-sync); return what Discord echoes."""
        scope = self.state.commands.setdefault(guild_id, {})
        previous = scope.get(command["name"])
        stored = {
            "type": 1,
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "nsfw": False,
            **command,
            "id": previous["id"] if previous else str(self.state.snowflake()),
            "application_id": str(self.state.application_id),
            "version": str(self.state.snowflake()),
        }
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        else:
            stored.setdefault("dm_permission", True)
        scope[command["name"]] = stored
        return stored

    async def get_commands(self, request: web.Request) -> web.Response:
        """GET /applications/{application_id}[/guilds/{guild_id}]/commands."""
        scope = self.command_scope(request)
        return json_response(list(self.state.commands.get(scope, {}).values()))

    async def put_commands(self, request: web.Request) -> web.Response:
        """PUT /applications/{application_id}[/guilds/{guild_id}]/commands."""
        scope = self.command_scope(request)
        commands = self.record(request).json or []
        if not isinstance(commands, list):
            raise invalid_form({"_errors": [{"code": "BASE_TYPE_ARRAY", "message": "Not a list"}]})
        for index, command in enumerate(commands):
            self.validate_command(command, index)
        old = self.state.commands.get(scope, {})
        self.state.commands[scope] = {}
        stored = []
        for command in commands:
            if command["name"] in old:
                self.state.commands[scope][command["name"]] = old[command["name"]]
            stored.append(self.store_command(scope, command))
        self.server.notify()
        return json_response(stored)

    async def post_command(self, request: web.Request) -> web.Response:
        """POST /applications/{application_id}[/guilds/{guild_id}]/commands."""
        scope = self.command_scope(request)
        command = self.body(request)
        self.validate_command(command, None)
        stored = self.store_command(scope, command)
        self.server.notify()
        return json_response(stored, status=201)

    def find_command(self, request: web.Request) -> tuple[int | None, dict[str, Any]]:
        """The scope and stored command the URL names, or 404."""
        scope = self.command_scope(request)
        wanted = request.match_info["command_id"]
        for command in self.state.commands.get(scope, {}).values():
            if command["id"] == wanted:
                return scope, command
        raise DiscordError(404, 10063, "Unknown application command")

    async def get_command(self, request: web.Request) -> web.Response:
        """GET /applications/{application_id}[/guilds/{guild_id}]/commands/{command_id}."""
        return json_response(self.find_command(request)[1])

    async def patch_command(self, request: web.Request) -> web.Response:
        """PATCH /applications/{application_id}[/guilds/{guild_id}]/commands/{command_id}."""
        scope, command = self.find_command(request)
        updated = {**command, **self.body(request)}
        self.validate_command(updated, None)
        self.state.commands[scope].pop(command["name"])
        self.state.commands[scope][updated["name"]] = updated
        return json_response(self.store_command(scope, updated))

    async def delete_command(self, request: web.Request) -> web.Response:
        """DELETE /applications/{application_id}[/guilds/{guild_id}]/commands/{command_id}."""
        scope, command = self.find_command(request)
        self.state.commands[scope].pop(command["name"])
        return no_content()

    # -- interactions ---------------------------------------------------------------------

    def interaction_for_callback(self, request: web.Request) -> FakeInteraction:
        """The interaction a callback URL names, or 404 Unknown interaction (10062)."""
        interaction = self.state.interactions.get(_int(request.match_info["interaction_id"]))
        if interaction is None or interaction.token != request.match_info["token"]:
            raise DiscordError(404, 10062, "Unknown interaction")
        return interaction

    def interaction_for_webhook(self, request: web.Request) -> FakeInteraction:
        """The acknowledged interaction a webhook URL names, or 404 Unknown Webhook."""
        app_id = _int(request.match_info["application_id"])
        token = request.match_info["token"]
        for interaction in self.state.interactions.values():
            if interaction.token == token and interaction.application_id == app_id:
                if not interaction.acknowledged:
                    break
                return interaction
        raise DiscordError(404, 10015, "Unknown Webhook")

    async def interaction_callback(self, request: web.Request) -> web.Response:
        """POST /interactions/{interaction_id}/{token}/callback."""
        interaction = self.interaction_for_callback(request)
        interaction.callback_count += 1
        if interaction.acknowledged:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        if interaction.age > self.server.interaction_deadline:
            log.warning(
                "interaction %s answered after %.2fs (limit %.1fs): 404 Unknown interaction",
                interaction.id,
                interaction.age,
                self.server.interaction_deadline,
            )
            raise DiscordError(404, 10062, "Unknown interaction")
        rec = self.record(request)
        body = self.body(request)
        rtype = int(body.get("type", 0))
        data = dict(body.get("data") or {})
        channel = self.state.channel(interaction.channel_id)
        message: FakeMessage | None = None
        if rtype == 1:
            pass
        elif rtype == 4:
            if interaction.type == 4:
                raise invalid_form({"type": field_error("INTERACTION_TYPE_INVALID", "Invalid")})
            message = self.build_message(channel, data, rec.files, interaction=interaction)
            message.flags &= EPHEMERAL | (1 << 2) | (1 << 12) | (1 << 15)
        elif rtype == 5:
            message = self.build_message(channel, {}, [], interaction=interaction, placeholder=True)
            message.flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
        elif rtype in (6, 7):
            if interaction.type != 3:
                raise invalid_form({"type": field_error("INTERACTION_TYPE_INVALID", "Invalid")})
            target = self.state.messages.get(interaction.message_id or 0)
            if target is not None and rtype == 7:
                self.apply_edit(target, data, rec.files)
                await self.server.publish_edit(target)
        elif rtype == 8:
            if interaction.type != 4:
                raise invalid_form({"type": field_error("INTERACTION_TYPE_INVALID", "Invalid")})
            if len(data.get("choices", [])) > 25:
                raise invalid_form({"data": {"choices": field_error("BASE_TYPE_MAX_LENGTH", "25")}})
        elif rtype == 9:
            pass
        else:
            raise invalid_form({"type": field_error("BASE_TYPE_CHOICES", f"Bad type {rtype}")})
        interaction.response_type = rtype
        interaction.response_data = data
        interaction.response_files = message.attachments if message is not None else []
        if message is not None:
            interaction.original_message_id = message.id
            await self.server.publish_message(message)
        self.server.notify()
        if request.query.get("with_response") not in ("1", "true", "True"):
            return no_content()
        response: dict[str, Any] = {
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.type,
                "response_message_loading": rtype == 5,
                "response_message_ephemeral": bool(message and message.is_ephemeral),
            }
        }
        if message is not None:
            response["interaction"]["response_message_id"] = str(message.id)
            response["resource"] = {"type": rtype, "message": self.message_json(message)}
        return json_response(response)

    def original_message(self, interaction: FakeInteraction) -> FakeMessage:
        """The interaction's original response message, or 404."""
        message_id = interaction.original_message_id
        message = self.state.messages.get(message_id or 0)
        if message is None or message.deleted:
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    async def get_original(self, request: web.Request) -> web.Response:
        """GET /webhooks/{application_id}/{token}/messages/@original."""
        message = self.original_message(self.interaction_for_webhook(request))
        return json_response(self.message_json(message))

    async def edit_original(self, request: web.Request) -> web.Response:
        """PATCH /webhooks/{application_id}/{token}/messages/@original."""
        message = self.original_message(self.interaction_for_webhook(request))
        self.apply_edit(message, self.body(request), self.record(request).files)
        await self.server.publish_edit(message)
        return json_response(self.message_json(message))

    async def delete_original(self, request: web.Request) -> web.Response:
        """DELETE /webhooks/{application_id}/{token}/messages/@original."""
        message = self.original_message(self.interaction_for_webhook(request))
        await self.server.publish_delete(message)
        return no_content()

    async def create_followup(self, request: web.Request) -> web.Response:
        """POST /webhooks/{application_id}/{token}."""
        interaction = self.interaction_for_webhook(request)
        rec = self.record(request)
        body = self.body(request)
        original = self.state.messages.get(interaction.original_message_id or 0)
        if original is not None and original.is_loading and not original.deleted:
            # The first follow-up after a deferral replaces the "thinking..." message.
            self.apply_edit(original, body, rec.files)
            await self.server.publish_edit(original)
            message = original
        else:
            channel = self.state.channel(interaction.channel_id)
            message = self.build_message(channel, body, rec.files, interaction=interaction)
            message.type = DEFAULT_MESSAGE if message.type == CHAT_INPUT_COMMAND else message.type
            message.flags &= EPHEMERAL | (1 << 2) | (1 << 12) | (1 << 15)
            interaction.followup_ids.append(message.id)
            await self.server.publish_message(message)
        self.server.notify()
        if request.query.get("wait") in ("true", "1", "True"):
            return json_response(self.message_json(message))
        return no_content()

    def followup_message(self, request: web.Request) -> FakeMessage:
        """The followup message the webhook URL names, or 404."""
        interaction = self.interaction_for_webhook(request)
        message_id = _int(request.match_info["message_id"])
        if message_id not in (interaction.original_message_id, *interaction.followup_ids):
            raise DiscordError(404, 10008, "Unknown Message")
        message = self.state.messages.get(message_id)
        if message is None or message.deleted:
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    async def get_followup(self, request: web.Request) -> web.Response:
        """GET /webhooks/{application_id}/{token}/messages/{message_id}."""
        return json_response(self.message_json(self.followup_message(request)))

    async def edit_followup(self, request: web.Request) -> web.Response:
        """PATCH /webhooks/{application_id}/{token}/messages/{message_id}."""
        message = self.followup_message(request)
        self.apply_edit(message, self.body(request), self.record(request).files)
        await self.server.publish_edit(message)
        return json_response(self.message_json(message))

    async def delete_followup(self, request: web.Request) -> web.Response:
        """DELETE /webhooks/{application_id}/{token}/messages/{message_id}."""
        await self.server.publish_delete(self.followup_message(request))
        return no_content()
