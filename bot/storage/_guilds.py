"""Guilds, users (Discord and local profiles) and per-guild settings."""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Iterable
from enum import Enum

from bot.storage import _totals
from bot.storage._core import Store, fetch_one, first_row
from bot.storage.models import GuildSettings


class _Unset(Enum):
    """Marks a setting left unchanged (None is a real value for `week_reset_at`)."""

    UNSET = "unset"


UNSET = _Unset.UNSET

_SETTINGS = "SELECT timer_scale, speed_bonus, week_reset_at FROM guild_settings WHERE guild_id = ?"
_CHANNELS = "SELECT channel_id FROM guild_allowed_channels WHERE guild_id = ?"
_ENSURE_SETTINGS = "INSERT INTO guild_settings (guild_id) VALUES (?) ON CONFLICT DO NOTHING"


class GuildQueries(Store):
    """Who plays where: guilds, users, local profiles and each guild's settings."""

    async def upsert_guild(
        self, guild_id: int, name: str, *, joined_at: float | None = None
    ) -> None:
        """Record a guild (or its new name). `joined_at` is kept from the first call."""
        if guild_id <= 0:
            raise ValueError(f"guild id {guild_id} is reserved (0 is local play)")
        query = """
            INSERT INTO guilds (id, name, joined_at) VALUES (?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name
        """
        first_seen = time.time() if joined_at is None else joined_at

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(query, (guild_id, name, first_seen))
            conn.execute(_ENSURE_SETTINGS, (guild_id,))

        await self._write(write)

    async def upsert_user(self, user_id: int, display_name: str) -> None:
        """Record a Discord user (or their new display name)."""
        check_user_id(user_id)
        await self._write(lambda conn: write_user(conn, user_id, display_name))

    async def local_user(self, name: str) -> int:
        """The user id of the terminal profile `name`, created on first use (-1, -2, ...).

        Names are compared without surrounding spaces and ignoring ASCII case.
        """
        name = name.strip()
        if not name:
            raise ValueError("a local profile needs a name")

        def write(conn: sqlite3.Connection) -> int:
            query = "SELECT user_id FROM local_profiles WHERE name = ?"
            row = first_row(conn, query, (name,))
            if row is not None:
                return int(row["user_id"])
            row = first_row(conn, "SELECT COALESCE(MIN(id), 0) - 1 AS next FROM users WHERE id < 0")
            assert row is not None  # an aggregate always returns one row
            user_id = int(row["next"])
            conn.execute("INSERT INTO users (id, display_name) VALUES (?, ?)", (user_id, name))
            conn.execute(
                "INSERT INTO local_profiles (name, user_id) VALUES (?, ?)", (name, user_id)
            )
            return user_id

        return await self._write(write)

    async def find_local_user(self, name: str) -> int | None:
        """The user id of the terminal profile `name` (compared as `local_user` does), or None."""
        query = "SELECT user_id FROM local_profiles WHERE name = ?"
        async with self._read() as conn:
            row = await fetch_one(conn, query, (name.strip(),))
        return None if row is None else int(row["user_id"])

    async def local_profile_names(self) -> list[str]:
        """Every terminal profile's name, in the order they were created."""
        query = "SELECT name FROM local_profiles ORDER BY user_id DESC"
        async with self._read() as conn:
            rows = await conn.execute_fetchall(query)
        return [str(row["name"]) for row in rows]

    async def guild_settings(self, guild_id: int) -> GuildSettings:
        """The guild's settings (the defaults for a guild never seen)."""
        async with self._read() as conn:
            row = await fetch_one(conn, _SETTINGS, (guild_id,))
            if row is None:
                return GuildSettings(guild_id)
            channels = await conn.execute_fetchall(_CHANNELS, (guild_id,))
        return _settings(guild_id, row, channels)

    async def set_channel_allowed(
        self, guild_id: int, channel_id: int, allowed: bool
    ) -> tuple[GuildSettings, GuildSettings]:
        """Add a channel to the allowed list, or take it off; returns (before, after).

        One transaction, so two admins changing different channels at once both count.
        The guild must have been upserted.
        """
        if allowed:
            change = """
                INSERT INTO guild_allowed_channels (guild_id, channel_id) VALUES (?, ?)
                ON CONFLICT DO NOTHING
            """
        else:
            change = "DELETE FROM guild_allowed_channels WHERE guild_id = ? AND channel_id = ?"

        def write(conn: sqlite3.Connection) -> tuple[GuildSettings, GuildSettings]:
            before = read_guild_settings(conn, guild_id)
            conn.execute(_ENSURE_SETTINGS, (guild_id,))
            conn.execute(change, (guild_id, channel_id))
            return before, read_guild_settings(conn, guild_id)

        return await self._write(write)

    async def update_guild_settings(
        self,
        guild_id: int,
        *,
        allowed_channel_ids: Iterable[int] | _Unset = UNSET,
        timer_scale: float | _Unset = UNSET,
        speed_bonus: bool | _Unset = UNSET,
        week_reset_at: float | _Unset | None = UNSET,
    ) -> GuildSettings:
        """Change the given settings (others keep their value) and return the result.

        The guild must have been upserted. An empty `allowed_channel_ids` allows every
        channel. A new `week_reset_at` restarts the guild's weekly totals from then.
        """
        if not isinstance(timer_scale, _Unset) and not (
            math.isfinite(timer_scale) and timer_scale > 0
        ):
            raise ValueError(f"timer_scale must be a positive number, not {timer_scale}")
        if isinstance(week_reset_at, float | int) and not math.isfinite(week_reset_at):
            raise ValueError(f"week_reset_at must be a time, not {week_reset_at}")
        channels = (
            None if isinstance(allowed_channel_ids, _Unset) else frozenset(allowed_channel_ids)
        )
        query = """
            INSERT INTO guild_settings (guild_id, timer_scale, speed_bonus, week_reset_at)
            VALUES (?, ?, ?, ?)
            ON CONFLICT (guild_id) DO UPDATE SET
                timer_scale = excluded.timer_scale,
                speed_bonus = excluded.speed_bonus,
                week_reset_at = excluded.week_reset_at
        """

        # Read and write in one transaction, so two admins changing different settings
        # at once do not undo each other.
        def write(conn: sqlite3.Connection) -> GuildSettings:
            current = read_guild_settings(conn, guild_id)
            new = GuildSettings(
                guild_id=guild_id,
                allowed_channel_ids=current.allowed_channel_ids if channels is None else channels,
                timer_scale=current.timer_scale if isinstance(timer_scale, _Unset) else timer_scale,
                speed_bonus=current.speed_bonus if isinstance(speed_bonus, _Unset) else speed_bonus,
                week_reset_at=current.week_reset_at
                if isinstance(week_reset_at, _Unset)
                else week_reset_at,
            )
            conn.execute(query, (guild_id, new.timer_scale, new.speed_bonus, new.week_reset_at))
            if new.allowed_channel_ids != current.allowed_channel_ids:
                conn.execute("DELETE FROM guild_allowed_channels WHERE guild_id = ?", (guild_id,))
                conn.executemany(
                    "INSERT INTO guild_allowed_channels (guild_id, channel_id) VALUES (?, ?)",
                    [(guild_id, channel_id) for channel_id in sorted(new.allowed_channel_ids)],
                )
            if new.week_reset_at != current.week_reset_at:
                _totals.reset_guild(conn, guild_id, new.week_reset_at)
            return new

        return await self._write(write)


def read_guild_settings(conn: sqlite3.Connection, guild_id: int) -> GuildSettings:
    """The guild's settings, read inside the caller's transaction."""
    row = first_row(conn, _SETTINGS, (guild_id,))
    if row is None:
        return GuildSettings(guild_id)
    return _settings(guild_id, row, conn.execute(_CHANNELS, (guild_id,)).fetchall())


def _settings(guild_id: int, row: sqlite3.Row, channels: Iterable[sqlite3.Row]) -> GuildSettings:
    return GuildSettings(
        guild_id=guild_id,
        allowed_channel_ids=frozenset(channel["channel_id"] for channel in channels),
        timer_scale=row["timer_scale"],
        speed_bonus=bool(row["speed_bonus"]),
        week_reset_at=row["week_reset_at"],
    )


def check_user_id(user_id: int) -> None:
    """Refuse the ids Discord users cannot have (negative ids are local profiles)."""
    if user_id <= 0:
        raise ValueError(f"user id {user_id} is reserved (negative ids are local profiles)")


def write_user(conn: sqlite3.Connection, user_id: int, display_name: str) -> None:
    """Record a Discord user (or their new name) inside the caller's transaction."""
    check_user_id(user_id)
    # The WHERE skips rewriting a row whose name did not change (most answers).
    query = """
        INSERT INTO users (id, display_name) VALUES (?, ?)
        ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name
        WHERE display_name IS NOT excluded.display_name
    """
    conn.execute(query, (user_id, display_name))
