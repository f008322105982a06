"""Tests for bot.storage._guilds: guilds, users, local profiles and guild settings."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.storage import LOCAL_CHANNEL_ID, LOCAL_GUILD_ID, LOCAL_GUILD_NAME, Database, GuildSettings
from tests.storage.seeding import (
    BOB,
    CHANNEL,
    GUILD,
    OTHER_CHANNEL,
    OTHER_GUILD,
    T0,
    answer,
    seed,
    start_session,
)


async def test_local_guild_is_seeded(seeded: Database, db_path: Path) -> None:
    """Guild 0 exists as the local guild, so a terminal session needs no setup."""
    player = await seeded.local_user("ada")
    session_id = await seeded.create_session(
        LOCAL_GUILD_ID, LOCAL_CHANNEL_ID, "warmup", ["p1"], player, T0
    )
    assert (await seeded.open_session_in_channel(LOCAL_CHANNEL_ID)) is not None
    assert session_id > 0
    with closing(sqlite3.connect(db_path)) as raw:
        assert raw.execute("SELECT name FROM guilds WHERE id = 0").fetchone() == (LOCAL_GUILD_NAME,)


async def test_local_user_allocates_negative_ids_stably(db_path: Path) -> None:
    """Local profiles get -1, -2, ... and the same name keeps its id across a restart."""
    async with await Database.open(db_path) as db:
        ada = await db.local_user("ada")
        bob = await db.local_user("bob")
        assert (ada, bob) == (-1, -2)
        assert await db.local_user("ada") == ada
    async with await Database.open(db_path) as db:
        assert await db.local_user("  ADA ") == ada
        assert await db.local_user("bob") == bob
        assert await db.local_user("cy") == -3


async def test_local_user_needs_a_name(db: Database) -> None:
    """A blank local profile name is refused."""
    with pytest.raises(ValueError, match="name"):
        await db.local_user("   ")


@pytest.mark.parametrize("bad_id", [0, -1])
async def test_reserved_ids_are_refused(db: Database, bad_id: int) -> None:
    """Guild 0 and user ids <= 0 belong to local play and cannot be upserted."""
    with pytest.raises(ValueError, match="reserved"):
        await db.upsert_guild(bad_id, "x")
    with pytest.raises(ValueError, match="reserved"):
        await db.upsert_user(bad_id, "x")


async def test_upsert_user_updates_display_name(seeded: Database) -> None:
    """Upserting a known user renames them, as the leaderboard then shows."""
    session_id = await start_session(seeded)
    await answer(seeded, session_id, BOB, "p1", points=100, at=T0)
    await seeded.upsert_user(BOB, "Robert")
    [row] = await seeded.leaderboard(GUILD)
    assert row.display_name == "Robert"


async def test_new_guild_has_default_settings(seeded: Database) -> None:
    """A guild starts with every channel allowed, timers at 1x and no speed bonus."""
    settings = await seeded.guild_settings(GUILD)
    assert settings == GuildSettings(GUILD)
    assert settings.allows(CHANNEL)


async def test_update_guild_settings_changes_only_what_is_given(db_path: Path) -> None:
    """Each update changes the named settings only, and the result persists across a restart."""
    async with await Database.open(db_path) as db:
        await seed(db)
        await db.update_guild_settings(
            GUILD, allowed_channel_ids=[CHANNEL], timer_scale=1.5, week_reset_at=T0
        )
        updated = await db.update_guild_settings(GUILD, speed_bonus=True)
        assert updated == GuildSettings(GUILD, frozenset({CHANNEL}), 1.5, True, T0)

    async with await Database.open(db_path) as db:
        assert await db.guild_settings(GUILD) == updated
        cleared = await db.update_guild_settings(GUILD, allowed_channel_ids=[], week_reset_at=None)
        assert cleared == GuildSettings(GUILD, frozenset(), 1.5, True, None)
        assert await db.guild_settings(GUILD) == cleared
        assert not updated.allows(OTHER_CHANNEL)
        assert cleared.allows(OTHER_CHANNEL)
        assert await db.guild_settings(OTHER_GUILD) == GuildSettings(OTHER_GUILD)


@pytest.mark.parametrize("scale", [0.0, -1.0, float("nan"), float("inf")])
async def test_timer_scale_must_be_a_positive_number(seeded: Database, scale: float) -> None:
    """A zero, negative or non-finite timer scale is refused and the setting kept."""
    with pytest.raises(ValueError, match="timer_scale"):
        await seeded.update_guild_settings(GUILD, timer_scale=scale)
    assert (await seeded.guild_settings(GUILD)).timer_scale == 1.0


async def test_two_admins_changing_channels_at_once_both_count(tmp_path: Path) -> None:
    """Allowing two channels concurrently keeps both; taking one off keeps the other."""
    async with await Database.open(tmp_path / "channels.db") as db:
        await db.upsert_guild(5, "g")
        await asyncio.gather(
            db.set_channel_allowed(5, 100, True), db.set_channel_allowed(5, 200, True)
        )
        assert (await db.guild_settings(5)).allowed_channel_ids == {100, 200}
        before, after = await db.set_channel_allowed(5, 100, False)
        assert before.allowed_channel_ids == {100, 200}
        assert after.allowed_channel_ids == {200}
