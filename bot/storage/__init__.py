"""Storage: the SQLite database behind Anneal (aiosqlite, WAL, numbered migrations).

Everything a restart must not lose (open sessions, their deadlines, every attempt) is
committed before a `Database` method returns; the standings are kept with every attempt.
Errors are StorageErrors (StorageBusy, StorageFull, ...), never raw sqlite3 ones. No
discord, no torch.
"""

from bot.storage.daily_models import DailyChoiceRecord, DailyClaim, DailyRecord, DailySchedule
from bot.storage.database import UNSET, Database
from bot.storage.errors import (
    AttemptAlreadyRecorded,
    ChannelBusy,
    DatabaseClosed,
    MigrationError,
    SchemaTooNew,
    SessionNotOpen,
    StorageBusy,
    StorageError,
    StorageFailed,
    StorageFull,
)
from bot.storage.models import (
    LOCAL_CHANNEL_ID,
    LOCAL_GUILD_ID,
    LOCAL_GUILD_NAME,
    SOLO_MODES,
    AwardedBadge,
    ExportedAttempt,
    GuildSettings,
    LeaderboardRow,
    ModeTotals,
    OptionPicks,
    PlayedGame,
    ProblemOutcome,
    Profile,
    ReviewReminder,
    SessionMode,
    SessionStatus,
    StoredSession,
    TotalsMismatch,
    TotalsReport,
    WeekActivity,
)

__all__ = [
    "LOCAL_CHANNEL_ID",
    "LOCAL_GUILD_ID",
    "LOCAL_GUILD_NAME",
    "SOLO_MODES",
    "UNSET",
    "AttemptAlreadyRecorded",
    "AwardedBadge",
    "ChannelBusy",
    "DailyChoiceRecord",
    "DailyClaim",
    "DailyRecord",
    "DailySchedule",
    "Database",
    "DatabaseClosed",
    "ExportedAttempt",
    "GuildSettings",
    "LeaderboardRow",
    "MigrationError",
    "ModeTotals",
    "OptionPicks",
    "PlayedGame",
    "ProblemOutcome",
    "Profile",
    "ReviewReminder",
    "SchemaTooNew",
    "SessionMode",
    "SessionNotOpen",
    "SessionStatus",
    "StorageBusy",
    "StorageError",
    "StorageFailed",
    "StorageFull",
    "StoredSession",
    "TotalsMismatch",
    "TotalsReport",
    "WeekActivity",
]
