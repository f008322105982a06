"""A fake Discord (REST v10 + gateway) on 127.0.0.1 for end-to-end tests with discord.py.

Typical use (the ``fake_discord`` / ``discord_at_fake`` fixtures in tests/conftest.py
do the first two steps)::

    server = FakeDiscord.with_default_world()
    await server.start()
    with point_discord_at(server):
        async with running_client(bot, server):
            await server.user_sends_message(server.world.general.id, server.world.member, "!ping")
            reply = await server.wait_for_message(server.world.general.id)
"""

from .gateway import Gateway, Session
from .harness import point_discord_at, running_client, serving_default_world, serving_study_groups
from .permissions import ALL_PERMISSIONS, DEFAULT_EVERYONE, P
from .predicates import has_embed, title_starts
from .ratelimits import DISCORD_LIKE, BucketRule, RateLimits
from .rest import RecordedRequest, UploadedFile
from .server import DEFAULT_TIMEOUT, FakeDiscord, Fault, MessagePredicate
from .state import (
    FakeAttachment,
    FakeChannel,
    FakeGuild,
    FakeInteraction,
    FakeMember,
    FakeMessage,
    FakeRole,
    FakeUser,
    Overwrite,
    State,
)
from .world import (
    ADMIN_PERMISSIONS,
    BOT_PERMISSIONS,
    StudyGroups,
    World,
    build_default_world,
    build_study_groups,
)

__all__ = [
    "ADMIN_PERMISSIONS",
    "ALL_PERMISSIONS",
    "BOT_PERMISSIONS",
    "DEFAULT_EVERYONE",
    "DEFAULT_TIMEOUT",
    "DISCORD_LIKE",
    "BucketRule",
    "FakeAttachment",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeInteraction",
    "FakeMember",
    "FakeMessage",
    "FakeRole",
    "FakeUser",
    "Fault",
    "Gateway",
    "MessagePredicate",
    "Overwrite",
    "P",
    "RateLimits",
    "RecordedRequest",
    "Session",
    "State",
    "StudyGroups",
    "UploadedFile",
    "World",
    "build_default_world",
    "build_study_groups",
    "has_embed",
    "point_discord_at",
    "running_client",
    "serving_default_world",
    "serving_study_groups",
    "title_starts",
]
