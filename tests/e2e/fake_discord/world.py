"""The default test world: one guild, two text channels, three users with different rights."""

from __future__ import annotations

from dataclasses import dataclass

from .permissions import P
from .state import FakeChannel, FakeGuild, FakeRole, FakeUser, State

#: What the bot's managed role grants: enough to post challenges and tidy reactions.
BOT_PERMISSIONS = (
    P.VIEW_CHANNEL
    | P.SEND_MESSAGES
    | P.EMBED_LINKS
    | P.ATTACH_FILES
    | P.READ_MESSAGE_HISTORY
    | P.ADD_REACTIONS
    | P.USE_EXTERNAL_EMOJIS
    | P.MANAGE_MESSAGES
    | P.USE_APPLICATION_COMMANDS
)

ADMIN_PERMISSIONS = P.MANAGE_GUILD | P.MANAGE_MESSAGES | P.MANAGE_CHANNELS | P.MANAGE_ROLES


@dataclass
class World:
    """The default world's objects, for tests to refer to by role."""

    bot: FakeUser
    guild: FakeGuild
    general: FakeChannel
    challenges: FakeChannel
    #: alice: has the Admin role (Manage Guild, Manage Messages, ...).
    admin: FakeUser
    #: bob: a plain member (@everyone permissions only).
    member: FakeUser
    #: carol: a plain member whose DMs are closed (sending her a DM gives 403 / 50007).
    closed_dms: FakeUser
    everyone_role: FakeRole
    admin_role: FakeRole
    bot_role: FakeRole


def build_default_world(state: State) -> World:
    """Fill ``state`` with one guild, two channels, an admin, a member and a closed-DM user."""
    guild = state.add_guild("Anneal Test Guild")
    bot_role = state.add_role(guild.id, state.bot.username, BOT_PERMISSIONS, managed=True)
    admin_role = state.add_role(guild.id, "Admin", ADMIN_PERMISSIONS)
    state.add_member(guild.id, state.bot.id, roles=[bot_role.id])
    admin = state.add_user("alice", global_name="Alice")
    state.add_member(guild.id, admin.id, roles=[admin_role.id])
    member = state.add_user("bob", global_name="Bob")
    state.add_member(guild.id, member.id)
    closed = state.add_user("carol", global_name="Carol", dms_open=False)
    state.add_member(guild.id, closed.id)
    general = state.add_text_channel(guild.id, "general")
    challenges = state.add_text_channel(guild.id, "challenges", topic="Timed challenges")
    return World(
        bot=state.bot,
        guild=guild,
        general=general,
        challenges=challenges,
        admin=admin,
        member=member,
        closed_dms=closed,
        everyone_role=guild.everyone_role,
        admin_role=admin_role,
        bot_role=bot_role,
    )
