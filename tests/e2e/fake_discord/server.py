"""FakeDiscord: an aiohttp app on 127.0.0.1 speaking enough of Discord for discord.py 2.7.

The test drives it as the users (messages, reactions, slash commands) and waits on it for
what the bot did (messages, DMs, edits, reactions, interaction responses). Every REST call
is recorded. State lives in :class:`State`, so ``stop()``/``start()`` keep it.
"""

# The waiters take ``timeout=`` on purpose (ASYNC109): on expiry they fail with a description
# of what the fake saw, which a bare asyncio.timeout() around them could not give.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import BodyPartReader, web
from aiohttp.typedefs import Handler

from . import payloads
from .gateway import Gateway, Session
from .ratelimits import RateLimiter, RateLimits
from .rest import (
    API_PREFIX,
    RECORD,
    DiscordError,
    RecordedRequest,
    RestApi,
    UploadedFile,
    content_mentions,
    json_response,
)
from .state import (
    DM,
    INTENT_DIRECT_MESSAGE_REACTIONS,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGE_REACTIONS,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILDS,
    REPLY,
    FakeChannel,
    FakeGuild,
    FakeInteraction,
    FakeMessage,
    FakeRole,
    FakeUser,
    Overwrite,
    State,
    emoji_payload,
    iso_now,
    normalize_emoji,
)
from .world import StudyGroups, World, build_default_world, build_study_groups

log = logging.getLogger("fake_discord")

T = TypeVar("T")
# Generous: a wait returns as soon as its condition holds, so only a failing test waits it
# out, and a loaded machine (two test workers, torch warming) can be slow to answer.
DEFAULT_TIMEOUT = 15.0
RECHECK_INTERVAL = 0.05

UserRef = FakeUser | int
MessagePredicate = Callable[[FakeMessage], bool]
#: What a test may give as a slash command option; users, channels and roles become ids.
OptionValue = str | int | float | bool | FakeUser | FakeChannel | FakeRole


def _uid(user: UserRef) -> int:
    return user.id if isinstance(user, FakeUser) else int(user)


@dataclass
class Fault:
    """A canned error for the next ``times`` requests matching ``method`` and ``path``."""

    method: str
    path: re.Pattern[str]
    status: int
    code: int
    message: str
    times: int | None
    retry_after: float | None = None
    hits: int = 0

    def matches(self, rec: RecordedRequest) -> bool:
        """The fault applies to this request and still has uses left."""
        if self.times is not None and self.hits >= self.times:
            return False
        return self.method in ("*", rec.method) and bool(self.path.fullmatch(rec.path))

    def response(self) -> web.Response:
        """The canned error response (a 429 carries Retry-After and Via)."""
        self.hits += 1
        if self.status == 429:
            retry = self.retry_after if self.retry_after is not None else 0.05
            body = {"message": "You are being rate limited.", "retry_after": retry, "global": False}
            # discord.py retries a 429 only when it carries a Via header (else: Cloudflare ban).
            headers = {"Via": "1.1 google", "Retry-After": str(retry), "X-RateLimit-Scope": "user"}
            return json_response(body, status=429, headers=headers)
        return json_response(payloads.error(self.message, self.code), status=self.status)


class FakeDiscord:
    """A fake Discord (REST v10 + gateway) on loopback; see the package docstring."""

    def __init__(
        self,
        state: State | None = None,
        *,
        host: str = "127.0.0.1",
        rate_limits: RateLimits | None = None,
    ) -> None:
        self.state = state or State()
        #: Discord-like buckets, global limit and latency; None: every call answers at once.
        self.limiter = RateLimiter(rate_limits) if rate_limits is not None else None
        self.host = host
        self.world: World | None = None
        self.gateway = Gateway(self)
        self.rest = RestApi(self)
        self.requests: list[RecordedRequest] = []
        self.unhandled: list[RecordedRequest] = []
        self.internal_errors: list[str] = []
        self.faults: list[Fault] = []
        #: Seconds the bot has to answer an interaction (Discord: 3).
        self.interaction_deadline = 3.0
        #: If true, the ``fake_discord`` fixture fails a test that hit an unknown route.
        self.fail_on_unhandled = True
        #: If true, slash commands must have been synced (PUT/POST commands) before use.
        self.require_registered_commands = False
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._waiters: set[asyncio.Event] = set()
        self._seen_messages: set[int] = set()
        self._seen_edits: dict[int, int] = {}

    @classmethod
    def with_default_world(cls, *, rate_limits: RateLimits | None = None) -> FakeDiscord:
        """A guild with #general and #challenges, an admin, a member and a user with closed DMs."""
        server = cls(rate_limits=rate_limits)
        server.world = build_default_world(server.state)
        return server

    @classmethod
    def with_study_groups(
        cls, *, members: int = 20, rate_limits: RateLimits | None = None
    ) -> FakeDiscord:
        """The default world plus ``members`` more members and a second guild (``study_groups``)."""
        server = cls(rate_limits=rate_limits)
        server.world = build_study_groups(server.state, members=members)
        return server

    @property
    def study_groups(self) -> StudyGroups:
        """The world of ``with_study_groups`` (fails for any other world)."""
        if not isinstance(self.world, StudyGroups):
            raise TypeError("this FakeDiscord was not built by with_study_groups()")
        return self.world

    # -- addresses ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the fake listens on (kept across stop/start)."""
        if self._port is None:
            raise RuntimeError("FakeDiscord is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:<port>, without the API prefix."""
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` must be set to."""
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """What ``DiscordWebSocket.DEFAULT_GATEWAY`` must be set to (also resume_gateway_url)."""
        return f"ws://{self.host}:{self.port}/"

    @property
    def token(self) -> str:
        """The bot token the fake accepts."""
        return self.state.token

    @property
    def bot_user(self) -> FakeUser:
        """The bot's own user."""
        return self.state.bot

    @property
    def application_id(self) -> int:
        """The bot's application id."""
        return self.state.application_id

    @property
    def running(self) -> bool:
        """The fake is listening."""
        return self._runner is not None

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        """Listen on 127.0.0.1 (a random port the first time, the same port on restarts)."""
        if self._runner is not None:
            return self
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        for method, path, handler in self.rest.routes():
            app.router.add_route(method, path, handler)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._cdn)
        app.router.add_route("*", "/{tail:.*}", self._fallback)
        app.on_shutdown.append(self._on_shutdown)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self._port or 0, reuse_address=True)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        if self._port is None:
            self._port = int(runner.addresses[0][1])
        log.info("fake Discord listening on %s", self.base_url)
        return self

    async def stop(self) -> None:
        """Stop listening and close gateway sockets; the state (messages...) is kept."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        self.notify()

    async def restart(self) -> None:
        """Replace the listener on the same port, then close the old connections.

        State and gateway sessions survive, and clients reconnect (RESUME) at once. For an
        outage during which connections are refused, use ``stop()`` ... ``start()``.
        """
        old = self._runner
        if old is None:
            await self.start()
            return
        for site in old.sites:
            await site.stop()  # stop listening; open connections stay for now
        self._runner = None
        await self.start()
        await old.cleanup()
        self.notify()

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _on_shutdown(self, app: web.Application) -> None:
        await self.gateway.close_all(app)

    # -- HTTP plumbing --------------------------------------------------------------------

    @web.middleware
    async def _middleware(
        self,
        request: web.Request,
        handler: Handler,
    ) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX + "/"):
            return await handler(request)
        rec = await self._record(request)
        response: web.StreamResponse
        request[RECORD] = rec
        self.requests.append(rec)
        try:
            expected = f"Bot {self.state.token}"
            if self.rest.needs_auth(rec.path) and request.headers.get("Authorization") != expected:
                raise DiscordError(401, 0, "401: Unauthorized")
            limited, limit_headers = await self._rate_limit(rec)
            fault = next((f for f in self.faults if f.matches(rec)), None)
            if limited is not None:
                response = limited
            elif fault is not None:
                log.info("fake Discord: injected %s for %s %s", fault.status, rec.method, rec.path)
                response = fault.response()
            else:
                response = await handler(request)
                response.headers.update(limit_headers)
        except DiscordError as exc:
            response = json_response(payloads.error(exc.message, exc.code, exc.errors), exc.status)
        except Exception as exc:
            # 503 is not retried by discord.py (500 would be, with sleeps): fail fast and loud.
            log.exception("fake Discord crashed on %s %s", rec.method, rec.path)
            self.internal_errors.append(f"{rec.method} {rec.path}: {exc!r}")
            response = json_response(
                payloads.error(f"fake Discord crashed: {exc!r}", 0), status=503
            )
        rec.status = response.status
        log.debug("%s %s -> %s", rec.method, rec.path, rec.status)
        self.notify()
        return response

    async def _rate_limit(self, rec: RecordedRequest) -> tuple[web.Response | None, dict[str, str]]:
        """Wait out the added latency, then count the call: (a 429 or None, its headers)."""
        if self.limiter is None:
            return None, {}
        if self.limiter.limits.latency > 0:
            await asyncio.sleep(self.limiter.limits.latency)
        now = asyncio.get_running_loop().time()
        limited, headers = self.limiter.check(rec.method, rec.path, now)
        if limited is not None:
            log.info("fake Discord: 429 for %s %s", rec.method, rec.path)
        return limited, headers

    @property
    def rate_limited(self) -> int:
        """How many requests were answered 429 by the rate limits (injected faults aside)."""
        return self.limiter.limited if self.limiter is not None else 0

    async def _record(self, request: web.Request) -> RecordedRequest:
        rec = RecordedRequest(
            method=request.method,
            path=request.path[len(API_PREFIX) :],
            query=dict(request.query),
        )
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue
                data = bytes(await part.read(decode=False))
                name = part.name or ""
                if part.filename is not None:
                    ctype = part.headers.get("Content-Type", "application/octet-stream")
                    rec.files.append(UploadedFile(name, part.filename, ctype, data))
                elif name == "payload_json":
                    rec.json = json.loads(data)
                else:
                    rec.form[name] = data.decode()
        elif request.can_read_body:
            raw = await request.read()
            if raw:
                try:
                    rec.json = json.loads(raw)
                except ValueError:
                    rec.form["_raw"] = raw.decode(errors="replace")
        return rec

    async def _fallback(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self.gateway.handle(request)
        if request.path.startswith(API_PREFIX + "/"):
            rec = request[RECORD]
            rec.handled = False
            self.unhandled.append(rec)
            log.warning(
                "FAKE DISCORD: no route for %s %s -- add it to tests/e2e/fake_discord/rest.py",
                rec.method,
                rec.path,
            )
            raise DiscordError(
                404, 0, f"404: Not Found (the fake Discord has no route {rec.method} {rec.path})"
            )
        log.warning("FAKE DISCORD: request outside the API: %s %s", request.method, request.path)
        return web.Response(status=404, text="not found")

    async def _cdn(self, request: web.Request) -> web.Response:
        attachment_id = int(request.match_info["attachment_id"])
        for message in self.state.messages.values():
            for attachment in message.attachments:
                if attachment.id == attachment_id:
                    return web.Response(body=attachment.data, content_type=attachment.content_type)
        return web.Response(status=404, text="unknown attachment")

    # -- waiting --------------------------------------------------------------------------

    def notify(self) -> None:
        """Wake every waiter so it re-checks its condition (call after any state change)."""
        for event in list(self._waiters):
            event.set()

    async def wait_for(
        self,
        check: Callable[[], T | None],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        what: str | Callable[[], str] = "condition",
    ) -> T:
        """Return ``check()`` once it is not ``None``; re-checked on every state change."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                text = what() if callable(what) else what
                raise TimeoutError(f"fake Discord: timed out after {timeout}s waiting for {text}")
            event = asyncio.Event()
            self._waiters.add(event)
            try:
                # Woken by notify(); the short cap also re-checks conditions on state the
                # fake does not own (e.g. attributes of the bot under test).
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), min(remaining, RECHECK_INTERVAL))
            finally:
                self._waiters.discard(event)

    def _describe_channel(self, channel_id: int) -> str:
        lines = [
            f"  {m.id} by {self.state.user(m.author_id).username}: {m.content!r}"
            f"{f' +{len(m.embeds)} embeds' if m.embeds else ''}"
            for m in self.state.history(channel_id)[-10:]
        ]
        recent = [str(r) for r in self.requests[-8:]]
        return (
            "\nlast messages in the channel:\n"
            + ("\n".join(lines) or "  (none)")
            + "\nlast requests: "
            + ", ".join(recent)
        )

    async def wait_for_message(
        self,
        channel_id: int,
        predicate: MessagePredicate | None = None,
        *,
        author_id: int | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> FakeMessage:
        """The oldest message by the bot (or ``author_id``) in the channel that matches and
        that no ``wait_for_message``/``wait_for_dm`` call returned before."""
        author = author_id or self.state.bot.id

        def check() -> FakeMessage | None:
            for message_id in self.state.channel_messages.get(channel_id, []):
                message = self.state.messages[message_id]
                if message.id in self._seen_messages or message.author_id != author:
                    continue
                if predicate is None or predicate(message):
                    self._seen_messages.add(message.id)
                    return message
            return None

        return await self.wait_for(
            check,
            timeout=timeout,
            what=lambda: f"a new message in {channel_id}" + self._describe_channel(channel_id),
        )

    async def wait_for_dm(
        self,
        user: UserRef,
        predicate: MessagePredicate | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> FakeMessage:
        """The oldest unseen DM the bot sent to ``user`` that matches."""
        user_id = _uid(user)

        def check() -> FakeMessage | None:
            for channel in self.state.channels.values():
                if channel.type != DM or channel.recipient_ids != [user_id]:
                    continue
                for message in self.state.history(channel.id):
                    if message.id in self._seen_messages or message.author_id != self.state.bot.id:
                        continue
                    if predicate is None or predicate(message):
                        self._seen_messages.add(message.id)
                        return message
            return None

        return await self.wait_for(check, timeout=timeout, what=f"a DM to user {user_id}")

    async def wait_for_edit(
        self,
        message_id: int,
        predicate: MessagePredicate | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> FakeMessage:
        """A snapshot of the message after its next unseen edit that matches ``predicate``."""

        def check() -> FakeMessage | None:
            message = self.state.messages.get(message_id)
            if message is None:
                return None
            start = self._seen_edits.get(message_id, 0)
            for index in range(start, len(message.edits)):
                snapshot = message.edits[index]
                if predicate is None or predicate(snapshot):
                    self._seen_edits[message_id] = index + 1
                    return snapshot
            return None

        def what() -> str:
            message = self.state.messages.get(message_id)
            contents = [e.content for e in message.edits] if message else "unknown message"
            return f"an edit of message {message_id} (edits so far: {contents})"

        return await self.wait_for(check, timeout=timeout, what=what)

    async def wait_for_reactions(
        self,
        message_id: int,
        emojis: Iterable[str],
        *,
        user: UserRef | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> FakeMessage:
        """Wait until ``user`` (default: the bot) has reacted with every emoji in ``emojis``."""
        user_id = _uid(user) if user is not None else self.state.bot.id
        wanted = [normalize_emoji(e) for e in emojis]

        def check() -> FakeMessage | None:
            message = self.state.messages.get(message_id)
            if message is None:
                return None
            if all(user_id in message.reactions.get(key, []) for key in wanted):
                return message
            return None

        def what() -> str:
            message = self.state.messages.get(message_id)
            have = message.reactions if message else {}
            return f"reactions {wanted} by {user_id} on {message_id} (have {have})"

        return await self.wait_for(check, timeout=timeout, what=what)

    async def wait_for_reaction_removed(
        self,
        message_id: int,
        emoji: str,
        user: UserRef,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> FakeMessage:
        """Wait until ``user``'s ``emoji`` reaction is no longer on the message."""
        user_id = _uid(user)
        key = normalize_emoji(emoji)

        def check() -> FakeMessage | None:
            message = self.state.messages.get(message_id)
            if message is not None and user_id not in message.reactions.get(key, []):
                return message
            return None

        return await self.wait_for(
            check, timeout=timeout, what=f"removal of {emoji} by {user_id} on {message_id}"
        )

    async def wait_for_deleted(
        self, message_id: int, *, timeout: float = DEFAULT_TIMEOUT
    ) -> FakeMessage:
        """The message once it has been deleted."""

        def check() -> FakeMessage | None:
            message = self.state.messages.get(message_id)
            return message if message is not None and message.deleted else None

        return await self.wait_for(check, timeout=timeout, what=f"deletion of {message_id}")

    async def interaction_response(
        self, interaction_id: int, *, timeout: float = DEFAULT_TIMEOUT
    ) -> FakeInteraction:
        """The interaction once the bot answered it (``response_type`` is then set)."""

        def check() -> FakeInteraction | None:
            interaction = self.state.interactions[interaction_id]
            return interaction if interaction.acknowledged else None

        return await self.wait_for(
            check,
            timeout=timeout,
            what=lambda: (
                f"a response to interaction {interaction_id}; last requests: "
                + ", ".join(str(r) for r in self.requests[-8:])
            ),
        )

    async def wait_for_interaction_message(
        self,
        interaction_id: int,
        predicate: MessagePredicate | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> FakeMessage:
        """The interaction's original response message once it is no longer 'thinking...'."""

        def check() -> FakeMessage | None:
            interaction = self.state.interactions[interaction_id]
            message = self.state.messages.get(interaction.original_message_id or 0)
            if message is None or message.is_loading:
                return None
            return message if predicate is None or predicate(message) else None

        return await self.wait_for(
            check, timeout=timeout, what=f"the response message of interaction {interaction_id}"
        )

    async def wait_for_request(
        self,
        method: str,
        path: str,
        *,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        since: int = 0,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> RecordedRequest:
        """The first finished request from index ``since`` whose path fully matches the regex."""
        pattern = re.compile(path)

        def check() -> RecordedRequest | None:
            for rec in self.requests[since:]:
                if rec.status is None or rec.method != method or not pattern.fullmatch(rec.path):
                    continue
                if predicate is None or predicate(rec):
                    return rec
            return None

        return await self.wait_for(
            check,
            timeout=timeout,
            what=lambda: f"{method} {path}; requests: " + ", ".join(map(str, self.requests[-10:])),
        )

    async def wait_for_identify(self, count: int = 1, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Wait until the gateway has accepted ``count`` IDENTIFYs in total."""
        await self.wait_for(
            lambda: True if self.gateway.identify_count >= count else None,
            timeout=timeout,
            what=f"{count} IDENTIFY",
        )

    async def wait_for_resume(self, count: int = 1, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Wait until the gateway has completed ``count`` RESUMEs in total."""
        await self.wait_for(
            lambda: True if self.gateway.resume_count >= count else None,
            timeout=timeout,
            what=f"{count} RESUME",
        )

    # -- queries --------------------------------------------------------------------------

    def requests_matching(
        self, method: str, path: str, *, status: int | None = None
    ) -> list[RecordedRequest]:
        """Recorded requests with this method whose path fully matches the regex ``path``."""
        pattern = re.compile(path)
        return [
            r
            for r in self.requests
            if r.method == method
            and pattern.fullmatch(r.path)
            and (status is None or r.status == status)
        ]

    def messages_in(self, channel_id: int) -> list[FakeMessage]:
        """Undeleted, non-ephemeral messages of a channel, oldest first."""
        return self.state.history(channel_id)

    def dm_channel(self, user: UserRef) -> FakeChannel:
        """The DM channel between the bot and ``user`` (created if needed)."""
        return self.state.dm_channel_for(_uid(user))

    def assert_clean(self) -> None:
        """Fail if a route was missing or a handler crashed (the fixture calls this)."""
        problems = list(self.internal_errors)
        if self.fail_on_unhandled:
            problems += [f"no route for {r.method} {r.path}" for r in self.unhandled]
        if problems:
            raise AssertionError("fake Discord problems:\n" + "\n".join(problems))

    # -- fault injection ------------------------------------------------------------------

    def inject_error(
        self,
        method: str,
        path: str,
        *,
        status: int = 403,
        code: int = 50013,
        message: str = "Missing Permissions",
        times: int | None = 1,
        retry_after: float | None = None,
    ) -> Fault:
        """Answer the next ``times`` (None: all) matching requests with an error.

        ``path`` is a regex matched against the path without /api/v10. A 429 carries the
        ``Via`` header and ``retry_after`` so discord.py retries it.
        """
        fault = Fault(
            method=method,
            path=re.compile(path),
            status=status,
            code=code,
            message=message,
            times=times,
            retry_after=retry_after,
        )
        self.faults.append(fault)
        return fault

    async def disconnect_gateway(self, *, code: int = 4000, resumable: bool = True) -> None:
        """Close the bot's gateway socket(s) from the server; the bot reconnects (RESUME)."""
        await self.gateway.disconnect(code=code, resumable=resumable)

    def drop_gateway(self) -> None:
        """Abort the gateway TCP connection(s) without a close frame."""
        self.gateway.drop()

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT."""
        await self.gateway.request_reconnect()

    # -- publishing (REST handlers and user helpers) --------------------------------------

    def _message_intent(self, message: FakeMessage) -> int:
        return INTENT_DIRECT_MESSAGES if message.guild_id is None else INTENT_GUILD_MESSAGES

    def _reaction_intent(self, message: FakeMessage) -> int:
        if message.guild_id is None:
            return INTENT_DIRECT_MESSAGE_REACTIONS
        return INTENT_GUILD_MESSAGE_REACTIONS

    async def publish_message(self, message: FakeMessage) -> None:
        """MESSAGE_CREATE to every session whose intents want it."""
        listed = not message.is_ephemeral
        self.state.add_message(message, listed=listed)
        if listed:

            def build(session: Session) -> dict[str, Any]:
                return payloads.message(self.state, message, intents=session.intents)

            await self.gateway.dispatch(
                "MESSAGE_CREATE", build, intent=self._message_intent(message)
            )
        self.notify()

    async def publish_edit(self, message: FakeMessage) -> None:
        """MESSAGE_UPDATE to every session whose intents want it."""
        message.edits.append(message.snapshot())
        if not message.is_ephemeral:

            def build(session: Session) -> dict[str, Any]:
                return payloads.message(self.state, message, intents=session.intents)

            await self.gateway.dispatch(
                "MESSAGE_UPDATE", build, intent=self._message_intent(message)
            )
        self.notify()

    async def publish_delete(self, message: FakeMessage) -> None:
        """MESSAGE_DELETE to every session whose intents want it."""
        message.deleted = True
        data: dict[str, Any] = {"id": str(message.id), "channel_id": str(message.channel_id)}
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
        if not message.is_ephemeral:
            await self.gateway.dispatch(
                "MESSAGE_DELETE", lambda s: data, intent=self._message_intent(message)
            )
        self.notify()

    def _reaction_data(self, message: FakeMessage, user_id: int, key: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "user_id": str(user_id),
            "channel_id": str(message.channel_id),
            "message_id": str(message.id),
            "emoji": emoji_payload(key),
            "type": 0,
            "burst": False,
        }
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
        return data

    async def publish_reaction_add(self, message: FakeMessage, user_id: int, key: str) -> None:
        """MESSAGE_REACTION_ADD to the sessions that want it."""
        users = message.reactions.setdefault(key, [])
        if user_id in users:
            return
        users.append(user_id)
        data = self._reaction_data(message, user_id, key)
        data.update(message_author_id=str(message.author_id), burst_colors=[])
        guild = self.state.guilds.get(message.guild_id or 0)
        if guild is not None and user_id in guild.members:
            data["member"] = payloads.member(self.state, guild.members[user_id])
        await self.gateway.dispatch(
            "MESSAGE_REACTION_ADD", lambda s: data, intent=self._reaction_intent(message)
        )
        self.notify()

    async def publish_reaction_remove(self, message: FakeMessage, user_id: int, key: str) -> None:
        """MESSAGE_REACTION_REMOVE to the sessions that want it."""
        users = message.reactions.get(key, [])
        if user_id not in users:
            return
        users.remove(user_id)
        if not users:
            del message.reactions[key]
        data = self._reaction_data(message, user_id, key)
        await self.gateway.dispatch(
            "MESSAGE_REACTION_REMOVE", lambda s: data, intent=self._reaction_intent(message)
        )
        self.notify()

    async def publish_reaction_clear(self, message: FakeMessage, key: str | None) -> None:
        """MESSAGE_REACTION_REMOVE_ALL / _EMOJI to the sessions that want it."""
        data: dict[str, Any] = {
            "channel_id": str(message.channel_id),
            "message_id": str(message.id),
        }
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
        if key is None:
            message.reactions.clear()
            event = "MESSAGE_REACTION_REMOVE_ALL"
        else:
            message.reactions.pop(key, None)
            data["emoji"] = emoji_payload(key)
            event = "MESSAGE_REACTION_REMOVE_EMOJI"
        await self.gateway.dispatch(event, lambda s: data, intent=self._reaction_intent(message))
        self.notify()

    # -- acting as users ------------------------------------------------------------------

    def _check_member(self, channel: FakeChannel, user_id: int) -> None:
        guild = self.state.guild_of(channel)
        if guild is not None and user_id not in guild.members:
            raise ValueError(f"user {user_id} is not a member of guild {guild.id}")

    async def user_sends_message(
        self,
        channel_id: int,
        author: UserRef,
        content: str,
        *,
        embeds: list[dict[str, Any]] | None = None,
        reply_to: int | None = None,
    ) -> FakeMessage:
        """``author`` posts in a channel: MESSAGE_CREATE (content per the bot's intents)."""
        channel = self.state.channel(channel_id)
        author_id = _uid(author)
        self._check_member(channel, author_id)
        message = FakeMessage(
            id=self.state.snowflake(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author_id=author_id,
            content=content,
            embeds=list(embeds or []),
        )
        message.mentions, message.mention_roles, message.mention_everyone = content_mentions(
            content
        )
        if reply_to is not None:
            target = self.state.message(reply_to)
            message.type = REPLY
            message.message_reference = {
                "type": 0,
                "message_id": str(target.id),
                "channel_id": str(target.channel_id),
                **({"guild_id": str(target.guild_id)} if target.guild_id else {}),
            }
        await self.publish_message(message)
        return message

    async def user_sends_dm(self, author: UserRef, content: str) -> FakeMessage:
        """``author`` writes to the bot in DMs."""
        channel = self.state.dm_channel_for(_uid(author))
        return await self.user_sends_message(channel.id, author, content)

    async def user_edits_message(self, message_id: int, content: str) -> FakeMessage:
        """A user edits their own message: MESSAGE_UPDATE."""
        message = self.state.message(message_id)
        message.content = content
        message.mentions, message.mention_roles, message.mention_everyone = content_mentions(
            content
        )
        message.edited_timestamp = iso_now()
        await self.publish_edit(message)
        return message

    async def user_deletes_message(self, message_id: int) -> None:
        """A user deletes a message: MESSAGE_DELETE."""
        await self.publish_delete(self.state.message(message_id))

    def _live_message(self, channel_id: int, message_id: int) -> FakeMessage:
        message = self.state.live_message(channel_id, message_id)
        if message is None:
            raise LookupError(f"no message {message_id} in channel {channel_id}")
        return message

    async def user_adds_reaction(
        self, channel_id: int, message_id: int, user: UserRef, emoji: str
    ) -> None:
        """MESSAGE_REACTION_ADD (type 0, with ``member`` in guilds) for ``user``."""
        message = self._live_message(channel_id, message_id)
        self._check_member(self.state.channel(channel_id), _uid(user))
        await self.publish_reaction_add(message, _uid(user), normalize_emoji(emoji))

    async def user_removes_reaction(
        self, channel_id: int, message_id: int, user: UserRef, emoji: str
    ) -> None:
        """MESSAGE_REACTION_REMOVE for ``user``."""
        message = self._live_message(channel_id, message_id)
        await self.publish_reaction_remove(message, _uid(user), normalize_emoji(emoji))

    async def user_uses_slash_command(
        self,
        guild_id: int | None,
        channel_id: int,
        user: UserRef,
        name: str,
        options: Mapping[str, OptionValue] | None = None,
        *,
        member_permissions: int | None = None,
        app_permissions: int | None = None,
    ) -> FakeInteraction:
        """INTERACTION_CREATE type 2 for ``/name`` (``"group sub"`` for subcommands).

        Option types come from the synced command when there is one, else from the Python
        values (str, int, float, bool, FakeUser, FakeChannel, FakeRole). Permissions default
        to what the user's roles and the channel's overwrites give.
        """
        data = self._command_data(guild_id, name, options or {}, focused=None)
        return await self._create_interaction(
            2,
            guild_id,
            channel_id,
            user,
            data,
            member_permissions=member_permissions,
            app_permissions=app_permissions,
        )

    async def user_autocompletes(
        self,
        guild_id: int | None,
        channel_id: int,
        user: UserRef,
        name: str,
        options: Mapping[str, OptionValue],
        focused: str,
    ) -> FakeInteraction:
        """INTERACTION_CREATE type 4 (autocomplete) with ``focused`` being typed."""
        data = self._command_data(guild_id, name, options, focused=focused)
        return await self._create_interaction(4, guild_id, channel_id, user, data)

    async def user_clicks_component(
        self,
        channel_id: int,
        message_id: int,
        user: UserRef,
        custom_id: str,
        *,
        component_type: int = 2,
        values: list[str] | None = None,
    ) -> FakeInteraction:
        """INTERACTION_CREATE type 3 for a button (or select, with ``values``)."""
        message = self._live_message(channel_id, message_id)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        channel = self.state.channel(channel_id)
        return await self._create_interaction(
            3, channel.guild_id, channel_id, user, data, message=message
        )

    async def _create_interaction(
        self,
        itype: int,
        guild_id: int | None,
        channel_id: int,
        user: UserRef,
        data: dict[str, Any],
        *,
        member_permissions: int | None = None,
        app_permissions: int | None = None,
        message: FakeMessage | None = None,
    ) -> FakeInteraction:
        channel = self.state.channel(channel_id)
        if channel.guild_id != guild_id:
            raise ValueError(f"channel {channel_id} is not in guild {guild_id}")
        user_id = _uid(user)
        self._check_member(channel, user_id)
        interaction = FakeInteraction(
            id=self.state.snowflake(),
            token="fake-interaction-" + secrets.token_urlsafe(32),
            type=itype,
            application_id=self.state.application_id,
            guild_id=guild_id,
            channel_id=channel_id,
            user_id=user_id,
            data=data,
            message_id=message.id if message is not None else None,
        )
        self.state.interactions[interaction.id] = interaction
        if member_permissions is None:
            member_permissions = self.state.channel_permissions(channel_id, user_id)
        if app_permissions is None:
            app_permissions = self.state.channel_permissions(channel_id, self.state.bot.id)
        payload = payloads.interaction(
            self.state,
            interaction,
            member_permissions=member_permissions,
            app_permissions=app_permissions,
        )
        if message is not None:
            payload["message"] = payloads.message(self.state, message)
        await self.gateway.dispatch("INTERACTION_CREATE", lambda s: payload, intent=None)
        self.notify()
        return interaction

    def _command_data(
        self,
        guild_id: int | None,
        name: str,
        options: Mapping[str, OptionValue],
        *,
        focused: str | None,
    ) -> dict[str, Any]:
        parts = name.strip().lstrip("/").split()
        top = parts[0]
        registered = self.state.commands.get(guild_id, {}).get(top) if guild_id else None
        is_guild_command = registered is not None
        if registered is None:
            registered = self.state.commands.get(None, {}).get(top)
        if registered is None and self.require_registered_commands:
            raise LookupError(f"/{top} was never synced (no PUT/POST of application commands)")
        spec: list[dict[str, Any]] | None = registered.get("options", []) if registered else None
        top_options: list[dict[str, Any]] = []
        container = top_options
        for index, sub in enumerate(parts[1:]):
            sub_spec = _find_option(spec, sub)
            last = index == len(parts) - 2
            sub_type = sub_spec["type"] if sub_spec else (1 if last else 2)
            node: dict[str, Any] = {"name": sub, "type": sub_type, "options": []}
            container.append(node)
            container = node["options"]
            spec = sub_spec.get("options", []) if sub_spec else None
        resolved: dict[str, dict[str, Any]] = {}
        for key, value in options.items():
            option_spec = _find_option(spec, key)
            if spec is not None and option_spec is None:
                known = [o.get("name") for o in spec]
                raise ValueError(f"/{name} has no option {key!r} (synced options: {known})")
            otype = int(option_spec["type"]) if option_spec else _infer_option_type(value)
            entry: dict[str, Any] = {"name": key, "type": otype}
            if focused == key:
                entry.update(value=str(value), focused=True)
            else:
                entry["value"] = self._option_value(otype, value, guild_id, resolved)
            container.append(entry)
        if focused is not None and focused not in options:
            raise ValueError(f"focused option {focused!r} must be in options")
        data: dict[str, Any] = {
            "id": registered["id"] if registered else str(self.state.snowflake()),
            "name": top,
            "type": 1,
        }
        if top_options:
            data["options"] = top_options
        if resolved:
            data["resolved"] = resolved
        if is_guild_command:
            data["guild_id"] = str(guild_id)
        return data

    def _option_value(
        self,
        otype: int,
        value: OptionValue,
        guild_id: int | None,
        resolved: dict[str, dict[str, Any]],
    ) -> str | int | float | bool:
        state = self.state
        if otype in (6, 9) and not isinstance(value, FakeRole):
            user = state.user(_option_id(value))
            resolved.setdefault("users", {})[str(user.id)] = payloads.user(user)
            guild = state.guilds.get(guild_id or 0)
            if guild is not None and user.id in guild.members:
                resolved.setdefault("members", {})[str(user.id)] = payloads.member(
                    state, guild.members[user.id], with_user=False, permissions=0
                )
            return str(user.id)
        if otype == 7:
            channel = state.channel(_option_id(value))
            resolved.setdefault("channels", {})[str(channel.id)] = {
                "id": str(channel.id),
                "name": channel.name,
                "type": channel.type,
                "permissions": str(state.channel_permissions(channel.id, state.bot.id)),
                **({"guild_id": str(channel.guild_id)} if channel.guild_id else {}),
            }
            return str(channel.id)
        if otype in (8, 9):
            role_id = _option_id(value)
            guild = state.guilds[guild_id or 0]
            resolved.setdefault("roles", {})[str(role_id)] = payloads.role(guild.roles[role_id])
            return str(role_id)
        if isinstance(value, FakeUser | FakeChannel | FakeRole):
            raise TypeError(f"option type {otype} takes a plain value, not {value!r}")
        return value

    # -- changing the world while the bot runs --------------------------------------------

    async def set_role_permissions(self, guild_id: int, role_id: int, permissions: int) -> None:
        """Change a role's permissions: GUILD_ROLE_UPDATE."""
        guild = self.state.guilds[guild_id]
        role = guild.roles[role_id]
        role.permissions = int(permissions)
        data = {"guild_id": str(guild_id), "role": payloads.role(role)}
        await self.gateway.dispatch("GUILD_ROLE_UPDATE", lambda s: data, intent=INTENT_GUILDS)
        self.notify()

    async def set_channel_overwrite(
        self,
        channel_id: int,
        target: FakeRole | FakeUser | FakeGuild,
        *,
        allow: int = 0,
        deny: int = 0,
    ) -> None:
        """Set a permission overwrite (role, member, or @everyone via the guild): CHANNEL_UPDATE."""
        channel = self.state.channel(channel_id)
        kind = 1 if isinstance(target, FakeUser) else 0
        channel.overwrites = [o for o in channel.overwrites if o.id != target.id]
        channel.overwrites.append(Overwrite(id=target.id, type=kind, allow=allow, deny=deny))
        data = payloads.channel(self.state, channel)
        await self.gateway.dispatch("CHANNEL_UPDATE", lambda s: data, intent=INTENT_GUILDS)
        self.notify()


def _find_option(spec: list[dict[str, Any]] | None, name: str) -> dict[str, Any] | None:
    for option in spec or []:
        if option.get("name") == name:
            return option
    return None


def _option_id(value: OptionValue) -> int:
    """The snowflake of a user, channel or role option given as an object or an id."""
    if isinstance(value, FakeUser | FakeChannel | FakeRole):
        return value.id
    return int(value)


def _infer_option_type(value: OptionValue) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    if isinstance(value, FakeUser):
        return 6
    if isinstance(value, FakeChannel):
        return 7
    if isinstance(value, FakeRole):
        return 8
    return 3
