"""Guilds, users (Discord and local profiles) and per-guild settings."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from enum import Enum

import aiosqlite

from bot.storage._core import Store, fetch_one
from bot.storage.models import GuildSettings


class _Unset(Enum):
    """Marks a setting left unchanged (None is a real value for `week_reset_at`)."""

    UNSET = "unset"


UNSET = _Unset.UNSET


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
        async with self._write() as conn:
            await conn.execute(
                query, (guild_id, name, time.time() if joined_at is None else joined_at)
            )
            await conn.execute(
                "INSERT INTO guild_settings (guild_id) VALUES (?) ON CONFLICT DO NOTHING",
                (guild_id,),
            )

    async def upsert_user(self, user_id: int, display_name: str) -> None:
        """Record a Discord user (or their new display name)."""
        async with self._write() as conn:
            await write_user(conn, user_id, display_name)

    async def local_user(self, name: str) -> int:
        """The user id of the terminal profile `name`, created on first use (-1, -2, ...).

        Names are compared without surrounding spaces and ignoring ASCII case.
        """
        name = name.strip()
        if not name:
            raise ValueError("a local profile needs a name")
        async with self._write() as conn:
            row = await fetch_one(
                conn, "SELECT user_id FROM local_profiles WHERE name = ?", (name,)
            )
            if row is not None:
                return int(row["user_id"])
            row = await fetch_one(
                conn, "SELECT COALESCE(MIN(id), 0) - 1 AS next FROM users WHERE id < 0"
            )
            assert row is not None  # an aggregate always returns one row
            user_id = int(row["next"])
            await conn.execute(
                "INSERT INTO users (id, display_name) VALUES (?, ?)", (user_id, name)
            )
            await conn.execute(
                "INSERT INTO local_profiles (name, user_id) VALUES (?, ?)", (name, user_id)
            )
            return user_id

    async def guild_settings(self, guild_id: int) -> GuildSettings:
        """The guild's settings (the defaults for a guild never seen)."""
        async with self._read() as conn:
            return await _guild_settings(conn, guild_id)

    async def set_channel_allowed(
        self, guild_id: int, channel_id: int, allowed: bool
    ) -> tuple[GuildSettings, GuildSettings]:
        """Add a channel to the allowed list, or take it off; returns (before, after).

        One transaction, so two admins changing different channels at once both count.
        The guild must have been upserted.
        """
        ensure_row = "INSERT INTO guild_settings (guild_id) VALUES (?) ON CONFLICT DO NOTHING"
        if allowed:
            change = """
                INSERT INTO guild_allowed_channels (guild_id, channel_id) VALUES (?, ?)
                ON CONFLICT DO NOTHING
            """
        else:
            change = "DELETE FROM guild_allowed_channels WHERE guild_id = ? AND channel_id = ?"
        async with self._write() as conn:
            before = await _guild_settings(conn, guild_id)
            await conn.execute(ensure_row, (guild_id,))
            await conn.execute(change, (guild_id, channel_id))
            after = await _guild_settings(conn, guild_id)
        return before, after

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

        The guild must have been upserted. An empty `allowed_channel_ids` allows every channel.
        """
        if not isinstance(timer_scale, _Unset) and not (
            math.isfinite(timer_scale) and timer_scale > 0
        ):
            raise ValueError(f"timer_scale must be a positive number, not {timer_scale}")
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
        async with self._write() as conn:
            current = await _guild_settings(conn, guild_id)
            new = GuildSettings(
                guild_id=guild_id,
                allowed_channel_ids=current.allowed_channel_ids
                if isinstance(allowed_channel_ids, _Unset)
                else frozenset(allowed_channel_ids),
                timer_scale=current.timer_scale if isinstance(timer_scale, _Unset) else timer_scale,
                speed_bonus=current.speed_bonus if isinstance(speed_bonus, _Unset) else speed_bonus,
                week_reset_at=current.week_reset_at
                if isinstance(week_reset_at, _Unset)
                else week_reset_at,
            )
            await conn.execute(
                query, (guild_id, new.timer_scale, new.speed_bonus, new.week_reset_at)
            )
            if new.allowed_channel_ids != current.allowed_channel_ids:
                await conn.execute(
                    "DELETE FROM guild_allowed_channels WHERE guild_id = ?", (guild_id,)
                )
                await conn.executemany(
                    "INSERT INTO guild_allowed_channels (guild_id, channel_id) VALUES (?, ?)",
                    [(guild_id, channel_id) for channel_id in sorted(new.allowed_channel_ids)],
                )
        return new


async def _guild_settings(conn: aiosqlite.Connection, guild_id: int) -> GuildSettings:
    query = "SELECT timer_scale, speed_bonus, week_reset_at FROM guild_settings WHERE guild_id = ?"
    row = await fetch_one(conn, query, (guild_id,))
    if row is None:
        return GuildSettings(guild_id)
    channels = await conn.execute_fetchall(
        "SELECT channel_id FROM guild_allowed_channels WHERE guild_id = ?", (guild_id,)
    )
    return GuildSettings(
        guild_id=guild_id,
        allowed_channel_ids=frozenset(channel["channel_id"] for channel in channels),
        timer_scale=row["timer_scale"],
        speed_bonus=bool(row["speed_bonus"]),
        week_reset_at=row["week_reset_at"],
    )


async def write_user(conn: aiosqlite.Connection, user_id: int, display_name: str) -> None:
    """Record a Discord user (or their new name) inside the caller's transaction."""
    if user_id <= 0:
        raise ValueError(f"user id {user_id} is reserved (negative ids are local profiles)")
    query = """
        INSERT INTO users (id, display_name) VALUES (?, ?)
        ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name
    """
    await conn.execute(query, (user_id, display_name))
