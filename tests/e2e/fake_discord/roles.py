"""Roles in the fake: giving and taking members' roles by REST, with Discord's rules, and
creating and moving roles as a server's admin would (the bot sees GUILD_ROLE_* events).

Discord's rules for PUT/DELETE /guilds/{g}/members/{u}/roles/{r}: the bot needs Manage
Roles (Administrator and ownership include it), and the role must be below the bot's
highest role; @everyone and managed roles (a bot's own, a booster role) cannot be given
or taken by anyone. Each failure is 403 / 50013 Missing Permissions, as on Discord. A
role is created at position 1, just above @everyone, as Discord creates it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import payloads
from .permissions import P
from .rest import DiscordError, Handler, _int, missing_permissions, no_content
from .state import INTENT_GUILD_MEMBERS, INTENT_GUILDS, FakeGuild, FakeMember, FakeRole

if TYPE_CHECKING:
    from .server import FakeDiscord

MEMBER_ROLE = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"


class FakeRoles:
    """The member-role routes, and the admin's moves: create, move and delete roles."""

    def __init__(self, server: FakeDiscord) -> None:
        self.server = server

    def routes(self) -> list[tuple[str, str, Handler]]:
        """(method, path, handler) for the member-role routes, without the API prefix."""
        return [
            ("PUT", MEMBER_ROLE, self.add_member_role),
            ("DELETE", MEMBER_ROLE, self.remove_member_role),
        ]

    # -- the rules ------------------------------------------------------------------------

    def top_position(self, guild: FakeGuild, user_id: int) -> int:
        """The position of the member's highest role (0: only @everyone)."""
        member = guild.members.get(user_id)
        positions = [guild.roles[r].position for r in (member.roles if member else [])]
        return max(positions, default=0)

    def may_manage(self, guild: FakeGuild, role: FakeRole) -> bool:
        """Whether Discord lets the bot give or take `role` now."""
        state = self.server.state
        if role.id == guild.id or role.managed:
            return False
        if state.bot.id == guild.owner_id:
            return True
        if not state.base_permissions(guild, state.bot.id) & P.MANAGE_ROLES:
            return False
        return self.top_position(guild, state.bot.id) > role.position

    def _target(self, request: web.Request) -> tuple[FakeGuild, FakeMember, FakeRole]:
        guild = self.server.rest.guild_or_404(request)
        member = guild.members.get(_int(request.match_info["user_id"]))
        if member is None:
            raise DiscordError(404, 10007, "Unknown Member")
        role = guild.roles.get(_int(request.match_info["role_id"]))
        if role is None:
            raise DiscordError(404, 10011, "Unknown Role")
        if not self.may_manage(guild, role):
            raise missing_permissions()
        return guild, member, role

    # -- routes ---------------------------------------------------------------------------

    async def add_member_role(self, request: web.Request) -> web.Response:
        """PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}: give the role (idempotent)."""
        guild, member, role = self._target(request)
        if role.id not in member.roles:
            member.roles.append(role.id)
            await self._member_updated(guild, member)
        return no_content()

    async def remove_member_role(self, request: web.Request) -> web.Response:
        """DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}: take the role back."""
        guild, member, role = self._target(request)
        if role.id in member.roles:
            member.roles.remove(role.id)
            await self._member_updated(guild, member)
        return no_content()

    async def _member_updated(self, guild: FakeGuild, member: FakeMember) -> None:
        # Discord sends GUILD_MEMBER_UPDATE only to clients with the members intent.
        data = {"guild_id": str(guild.id), **payloads.member(self.server.state, member)}
        await self.server.gateway.dispatch(
            "GUILD_MEMBER_UPDATE", lambda s: data, intent=INTENT_GUILD_MEMBERS
        )

    # -- what a server's admin does -------------------------------------------------------

    def member_roles(self, guild_id: int, user_id: int) -> list[FakeRole]:
        """The roles a member holds now, highest first (@everyone not included)."""
        guild = self.server.state.guilds[guild_id]
        member = guild.members[user_id]
        return sorted((guild.roles[r] for r in member.roles), key=lambda r: -r.position)

    async def create_role(
        self, guild_id: int, name: str, permissions: int = 0, *, managed: bool = False
    ) -> FakeRole:
        """A new role at position 1 (just above @everyone), the others moved up one."""
        state = self.server.state
        guild = state.guilds[guild_id]
        role = FakeRole(state.snowflake(), name, int(permissions), position=1, managed=managed)
        moved = [r for r in guild.roles.values() if r.id != guild.id]
        for other in moved:
            other.position += 1
        guild.roles[role.id] = role
        await self._dispatch_roles("GUILD_ROLE_CREATE", guild, [role])
        await self._dispatch_roles("GUILD_ROLE_UPDATE", guild, moved)
        return role

    async def move_role(self, guild_id: int, role_id: int, position: int) -> None:
        """Put a role at `position` (1 = lowest above @everyone), as Server Settings → Roles
        does by dragging: the roles in between shift by one."""
        guild = self.server.state.guilds[guild_id]
        ordered = sorted(
            (r for r in guild.roles.values() if r.id != guild.id), key=lambda r: r.position
        )
        role = guild.roles[role_id]
        ordered.remove(role)
        ordered.insert(max(0, min(position - 1, len(ordered))), role)
        changed = []
        for number, each in enumerate(ordered, start=1):
            if each.position != number:
                each.position = number
                changed.append(each)
        await self._dispatch_roles("GUILD_ROLE_UPDATE", guild, changed)

    async def delete_role(self, guild_id: int, role_id: int) -> None:
        """Delete a role: members lose it, the roles above move down one (GUILD_ROLE_DELETE)."""
        guild = self.server.state.guilds[guild_id]
        role = guild.roles.pop(role_id)
        for member in guild.members.values():
            if role_id in member.roles:
                member.roles.remove(role_id)
        moved = [r for r in guild.roles.values() if r.position > role.position]
        for other in moved:
            other.position -= 1
        data = {"guild_id": str(guild_id), "role_id": str(role_id)}
        await self.server.gateway.dispatch(
            "GUILD_ROLE_DELETE", lambda s: data, intent=INTENT_GUILDS
        )
        await self._dispatch_roles("GUILD_ROLE_UPDATE", guild, moved)

    async def _dispatch_roles(self, event: str, guild: FakeGuild, roles: list[FakeRole]) -> None:
        for role in roles:
            await self._dispatch_role(
                event, {"guild_id": str(guild.id), "role": payloads.role(role)}
            )
        self.server.notify()

    async def _dispatch_role(self, event: str, data: dict[str, Any]) -> None:
        await self.server.gateway.dispatch(event, lambda s: data, intent=INTENT_GUILDS)
