"""Errors raised by the storage layer; the ones a user can cause carry a message fit to show."""

from __future__ import annotations

from pathlib import Path


class StorageError(Exception):
    """Base class for every error raised on purpose by `bot.storage`."""


class MigrationError(StorageError):
    """The shipped migrations are malformed, or one of them failed to apply."""


class SchemaTooNew(StorageError):
    """The database was written by a newer Anneal than this one."""

    def __init__(self, found: int, known: int, path: Path | None = None) -> None:
        self.found = found
        self.known = known
        self.path = path
        where = f"{path}: " if path is not None else ""
        super().__init__(
            f"{where}database schema version {found} is newer than this Anneal understands "
            f"(up to {known}). Upgrade Anneal, or point it at another database file."
        )


class ChannelBusy(StorageError):
    """A challenge is already running in the channel."""

    def __init__(self, channel_id: int, session_id: int) -> None:
        self.channel_id = channel_id
        self.session_id = session_id
        super().__init__("A challenge is already running in this channel.")


class SessionNotOpen(StorageError):
    """The session does not exist or has already ended (finished, stopped or expired)."""

    def __init__(self, session_id: int) -> None:
        self.session_id = session_id
        super().__init__("This challenge has already ended.")


class AttemptAlreadyRecorded(StorageError):
    """The same attempt (session, user, problem, attempt number) was recorded before."""

    def __init__(self, session_id: int, user_id: int, problem_id: str, attempt_number: int) -> None:
        self.session_id = session_id
        self.user_id = user_id
        self.problem_id = problem_id
        self.attempt_number = attempt_number
        super().__init__("That answer was already counted.")


class StorageBusy(StorageError):
    """Another process held the database's write lock for longer than storage waits."""

    def __init__(self, *, writing: bool = True) -> None:
        self.writing = writing
        what = "so that was not saved" if writing else "so I could not read the scores"
        super().__init__(f"My database is busy right now, {what}. Please try again in a moment.")


class StorageFull(StorageError):
    """The disk holding the database is full (SQLite's SQLITE_FULL)."""

    def __init__(self) -> None:
        super().__init__(
            "I could not save that: the disk my database is on is full. "
            "Please let whoever runs this bot know."
        )


class StorageFailed(StorageError):
    """Any other database failure; the cause is chained and logged, the message is generic."""

    def __init__(self, *, writing: bool = True) -> None:
        self.writing = writing
        what = "saving that" if writing else "reading the scores"
        super().__init__(f"Something went wrong {what}; it has been logged. Please try again.")


class DatabaseClosed(RuntimeError):
    """A `Database` was used after `close()`: a bug in the caller, not a user's doing."""
