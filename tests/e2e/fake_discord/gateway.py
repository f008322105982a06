"""The fake gateway: HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, RESUME, dispatch.

Frames go out as TEXT JSON (discord.py asks for zlib-stream but only inflates binary
frames). Each session keeps its sequence and a replay buffer, so a dropped connection can
RESUME and receive what it missed, as on real Discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from . import payloads
from .state import (
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_PRESENCES,
    INTENT_GUILDS,
    INTENT_MESSAGE_CONTENT,
    PRIVILEGED_INTENTS,
)

if TYPE_CHECKING:
    from .server import FakeDiscord

log = logging.getLogger("fake_discord.gateway")

OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE_UPDATE = 3
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_GUILD_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

HEARTBEAT_INTERVAL_MS = 41_250
REPLAY_BUFFER = 5_000

#: Builds the event body for one session (it may depend on the session's intents), or
#: returns ``None`` to skip that session.
PayloadFactory = Callable[["Session"], dict[str, Any] | None]


@dataclass(eq=False)
class Connection:
    """One open gateway websocket, and the session it identified or resumed."""

    ws: web.WebSocketResponse
    request: web.Request
    session: Session | None = None
    closed_by_server: bool = False


@dataclass(eq=False)
class Session:
    """A gateway session: its intents, sequence number and events kept for RESUME."""

    id: str
    intents: int
    seq: int = 0
    connection: Connection | None = None
    resumable: bool = True
    history: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=REPLAY_BUFFER))
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: Every event name dispatched to this session, in order (for assertions).
    events: list[str] = field(default_factory=list)

    @property
    def connected(self) -> bool:
        """A socket is attached to the session right now."""
        return self.connection is not None and not self.connection.ws.closed


class Gateway:
    """The fake's gateway: HELLO, IDENTIFY/RESUME, heartbeats, and event dispatch."""

    def __init__(self, server: FakeDiscord) -> None:
        self.server = server
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self.identify_count = 0
        self.resume_count = 0
        self.heartbeat_count = 0
        #: Privileged intents the "developer portal" allows; others close the socket (4014).
        self.allowed_privileged_intents = PRIVILEGED_INTENTS

    @property
    def application_flags(self) -> int:
        """The application flags that say which privileged intents are allowed."""
        flags = 0
        if self.allowed_privileged_intents & INTENT_MESSAGE_CONTENT:
            flags |= payloads.APP_FLAG_MESSAGE_CONTENT
        if self.allowed_privileged_intents & INTENT_GUILD_MEMBERS:
            flags |= payloads.APP_FLAG_GUILD_MEMBERS
        if self.allowed_privileged_intents & INTENT_GUILD_PRESENCES:
            flags |= payloads.APP_FLAG_PRESENCE
        return flags

    def live_sessions(self) -> list[Session]:
        """Sessions with a socket attached, in the order they were created."""
        return [s for s in self.sessions.values() if s.connected]

    # -- websocket handler ----------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one websocket connection until it closes."""
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = Connection(ws=ws, request=request)
        self.connections.add(conn)
        log.debug("gateway connection from %s (%s)", request.remote, request.query_string)
        try:
            await self._send(
                conn, {"op": OP_HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}}
            )
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_frame(conn, json.loads(msg.data))
                elif msg.type is WSMsgType.ERROR:
                    break
        except ConnectionResetError:
            pass
        finally:
            self._forget(conn)
        return ws

    def _forget(self, conn: Connection) -> None:
        self.connections.discard(conn)
        session = conn.session
        if session is not None and session.connection is conn:
            session.connection = None
            # A client that closes with 1000/1001 ends its session (real Discord does too);
            # other codes, or a close the server started, leave it resumable.
            if not conn.closed_by_server and conn.ws.close_code in (1000, 1001):
                self.sessions.pop(session.id, None)
                log.debug("session %s ended by client (code %s)", session.id, conn.ws.close_code)
        self.server.notify()

    async def _send(self, conn: Connection, frame: dict[str, Any]) -> bool:
        if conn.ws.closed:
            return False
        try:
            await conn.ws.send_str(json.dumps(frame))
        except (ConnectionResetError, RuntimeError):
            return False
        return True

    async def _on_frame(self, conn: Connection, frame: dict[str, Any]) -> None:
        op = frame.get("op")
        data = frame.get("d")
        if op == OP_HEARTBEAT:
            self.heartbeat_count += 1
            await self._send(conn, {"op": OP_HEARTBEAT_ACK, "d": None})
        elif op == OP_IDENTIFY:
            await self._identify(conn, data or {})
        elif op == OP_RESUME:
            await self._resume(conn, data or {})
        elif op == OP_PRESENCE_UPDATE:
            pass
        elif op == OP_REQUEST_GUILD_MEMBERS:
            await self._request_members(conn, data or {})
        else:
            log.warning("gateway: unknown op %r, closing with 4001", op)
            await self._close(conn, 4001, "Unknown opcode")

    async def _close(self, conn: Connection, code: int, reason: str) -> None:
        conn.closed_by_server = True
        with contextlib.suppress(ConnectionResetError, RuntimeError):
            await conn.ws.close(code=code, message=reason.encode())

    async def _identify(self, conn: Connection, data: dict[str, Any]) -> None:
        state = self.server.state
        if conn.session is not None:
            await self._close(conn, 4005, "Already authenticated")
            return
        if data.get("token") != state.token:
            log.warning("gateway: IDENTIFY with a wrong token, closing with 4004")
            await self._close(conn, 4004, "Authentication failed")
            return
        intents = data.get("intents")
        if not isinstance(intents, int):
            await self._close(conn, 4013, "Invalid intent(s)")
            return
        if intents & PRIVILEGED_INTENTS & ~self.allowed_privileged_intents:
            await self._close(conn, 4014, "Disallowed intent(s)")
            return
        session = Session(id=secrets.token_hex(16), intents=intents)
        self.sessions[session.id] = session
        session.connection = conn
        conn.session = session
        self.identify_count += 1
        ready: dict[str, Any] = {
            "v": 10,
            "user": payloads.client_user(state.bot),
            "guilds": [
                {"id": str(g.id), "unavailable": True}
                for g in state.guilds.values()
                if state.bot.id in g.members
            ],
            "session_id": session.id,
            "resume_gateway_url": self.server.gateway_url,
            "session_type": "normal",
            "application": {"id": str(state.application_id), "flags": self.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "auth": {},
        }
        if "shard" in data:
            ready["shard"] = data["shard"]
        async with session.lock:
            await self._emit(session, "READY", ready)
            if intents & INTENT_GUILDS:
                for g in state.guilds.values():
                    if state.bot.id in g.members:
                        await self._emit(
                            session, "GUILD_CREATE", payloads.guild(state, g, for_gateway=True)
                        )
        self.server.notify()

    async def _resume(self, conn: Connection, data: dict[str, Any]) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        last_seq = data.get("seq") or 0
        oldest = session.history[0][0] if session and session.history else 1
        if (
            session is None
            or not session.resumable
            or data.get("token") != self.server.state.token
            or last_seq < oldest - 1
        ):
            log.info("gateway: RESUME refused (unknown or invalidated session)")
            if session is not None:
                self.sessions.pop(session.id, None)
            await self._send(conn, {"op": OP_INVALID_SESSION, "d": False})
            return
        old = session.connection
        if old is not None and old is not conn:
            old.session = None
            await self._close(old, 4009, "Session resumed elsewhere")
        async with session.lock:
            session.connection = conn
            conn.session = session
            for seq, frame in list(session.history):
                if seq > last_seq and not await self._send_raw(conn, frame):
                    return
            await self._emit(session, "RESUMED", {})
        self.resume_count += 1
        self.server.notify()

    async def _request_members(self, conn: Connection, data: dict[str, Any]) -> None:
        session = conn.session
        state = self.server.state
        g = state.guilds.get(int(data.get("guild_id", 0)))
        if session is None or g is None:
            return
        chunk = {
            "guild_id": str(g.id),
            "members": [payloads.member(state, m) for m in g.members.values()],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        async with session.lock:
            await self._emit(session, "GUILD_MEMBERS_CHUNK", chunk)

    async def _send_raw(self, conn: Connection, frame: str) -> bool:
        if conn.ws.closed:
            return False
        try:
            await conn.ws.send_str(frame)
        except (ConnectionResetError, RuntimeError):
            return False
        return True

    async def _emit(self, session: Session, event: str, data: dict[str, Any]) -> None:
        """Give the event the session's next sequence number and send it (hold session.lock)."""
        session.seq += 1
        frame = json.dumps({"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data})
        session.history.append((session.seq, frame))
        session.events.append(event)
        conn = session.connection
        if conn is not None:
            await self._send_raw(conn, frame)

    # -- dispatch -------------------------------------------------------------------------

    async def dispatch(self, event: str, build: PayloadFactory, *, intent: int | None) -> None:
        """Send an event to every session (live or resumable) whose intents include ``intent``."""
        for session in list(self.sessions.values()):
            if intent is not None and not session.intents & intent:
                continue
            data = build(session)
            if data is None:
                continue
            async with session.lock:
                await self._emit(session, event, data)

    # -- fault injection ------------------------------------------------------------------

    async def disconnect(self, *, code: int = 4000, resumable: bool = True) -> None:
        """Close every gateway connection from the server side."""
        for conn in list(self.connections):
            if conn.session is not None and not resumable:
                conn.session.resumable = False
            await self._close(conn, code, "fake discord: simulated disconnect")

    def drop(self) -> None:
        """Cut every gateway TCP connection without a close frame (a network failure)."""
        for conn in list(self.connections):
            conn.closed_by_server = True
            transport = conn.request.transport
            if transport is not None:
                transport.abort()

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: the client should reconnect and RESUME."""
        for conn in list(self.connections):
            conn.closed_by_server = True
            await self._send(conn, {"op": OP_RECONNECT, "d": None})

    async def close_all(self, app: web.Application | None = None) -> None:
        """Close the connections (of one aiohttp app, if given) with 1001 going away."""
        for conn in list(self.connections):
            if app is None or conn.request.app is app:
                await self._close(conn, 1001, "fake discord going away")
