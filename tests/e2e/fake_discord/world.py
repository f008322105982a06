"""The test worlds: the default (one guild, two channels, three users with different rights)
and study groups (the default plus a crowd of members and a second guild)."""

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


@dataclass
class StudyGroups(World):
    """The default world, a crowd of plain members in its guild, and a second guild."""

    #: members with open DMs in ``guild`` (member01, member02, ...), in order.
    crowd: list[FakeUser]
    #: another server running its own challenges; alice, bob and the first crowd members.
    second_guild: FakeGuild
    #: #study in ``second_guild``.
    second_channel: FakeChannel


def build_study_groups(state: State, *, members: int = 20, shared: int = 3) -> StudyGroups:
    """The default world plus ``members`` crowd members; ``shared`` of them in a second guild."""
    world = build_default_world(state)
    crowd = []
    for number in range(1, members + 1):
        user = state.add_user(f"member{number:02d}", global_name=f"Member {number}")
        state.add_member(world.guild.id, user.id)
        crowd.append(user)
    second = state.add_guild("Second Study Group")
    bot_role = state.add_role(second.id, state.bot.username, BOT_PERMISSIONS, managed=True)
    state.add_member(second.id, state.bot.id, roles=[bot_role.id])
    for user in [world.admin, world.member, *crowd[:shared]]:
        state.add_member(second.id, user.id)
    study = state.add_text_channel(second.id, "study")
    return StudyGroups(**vars(world), crowd=crowd, second_guild=second, second_channel=study)
