"""Storage: the SQLite database behind Anneal (aiosqlite, WAL, numbered migrations).

Everything a restart must not lose (open sessions, their deadlines, every attempt) is
committed before a `Database` method returns. No discord, no torch.
"""

from bot.storage.database import UNSET, Database
from bot.storage.errors import (
    AttemptAlreadyRecorded,
    ChannelBusy,
    MigrationError,
    SchemaTooNew,
    SessionNotOpen,
    StorageError,
)
from bot.storage.models import (
    LOCAL_CHANNEL_ID,
    LOCAL_GUILD_ID,
    LOCAL_GUILD_NAME,
    AwardedBadge,
    GuildSettings,
    LeaderboardRow,
    Profile,
    SessionStatus,
    StoredSession,
)

__all__ = [
    "LOCAL_CHANNEL_ID",
    "LOCAL_GUILD_ID",
    "LOCAL_GUILD_NAME",
    "UNSET",
    "AttemptAlreadyRecorded",
    "AwardedBadge",
    "ChannelBusy",
    "Database",
    "GuildSettings",
    "LeaderboardRow",
    "MigrationError",
    "Profile",
    "SchemaTooNew",
    "SessionNotOpen",
    "SessionStatus",
    "StorageError",
    "StoredSession",
]
