"""Tests for bot.storage._readers: reads run on their own connections and never wait for writes."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.storage import Database, StorageFailed
from tests.storage.blocking import HANG_GUARD, queued, writer_blocked
from tests.storage.seeding import BOB, CY, GUILD, T0, TODAY, answer, seed, start_session


async def test_reads_go_on_while_the_writer_is_busy(seeded: Database) -> None:
    """With the writer occupied and answers queued behind it, every read still answers."""
    session_id = await start_session(seeded)
    await answer(seeded, session_id, BOB, "p1", points=100, at=T0)
    async with writer_blocked(seeded):
        waiting = asyncio.ensure_future(answer(seeded, session_id, CY, "p1", points=50, at=T0 + 1))
        await queued(seeded, 1)
        reads = asyncio.gather(
            seeded.leaderboard(GUILD),
            seeded.rank_of(GUILD, BOB),
            seeded.profile(GUILD, BOB, TODAY),
            seeded.badges_for(GUILD, BOB),
            seeded.guild_settings(GUILD),
        )
        board, rank, profile, _, _ = await asyncio.wait_for(reads, HANG_GUARD)
        assert not waiting.done()
    await waiting
    # The reads saw the last commit, not the answer still waiting for the writer.
    assert [(row.user_id, row.points) for row in board] == [(BOB, 100)]
    assert rank is not None
    assert rank.rank == 1
    assert profile.points == 100
    assert [(row.user_id, row.points) for row in await seeded.leaderboard(GUILD)] == [
        (BOB, 100),
        (CY, 50),
    ]


async def test_reads_see_no_uncommitted_write_of_another_process(db_path: Path) -> None:
    """Another process's open write transaction neither blocks reads nor shows in them."""
    async with await Database.open(db_path) as db:
        await seed(db)
        with closing(sqlite3.connect(db_path, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")
            other.execute("UPDATE users SET display_name = 'renamed' WHERE id = ?", (BOB,))
            profile = await asyncio.wait_for(db.profile(GUILD, BOB, TODAY), HANG_GUARD)
            assert profile.display_name == "bob"
            other.execute("COMMIT")
        assert (await db.profile(GUILD, BOB, TODAY)).display_name == "renamed"


async def test_a_read_connection_cannot_write(seeded: Database) -> None:
    """Read connections are query_only: a write through one fails instead of racing the writer."""
    with pytest.raises(StorageFailed, match="reading the scores") as caught:
        async with seeded._read() as conn:
            await conn.execute("DELETE FROM users")
    assert "readonly" in str(caught.value.__cause__)
    assert (await seeded.profile(GUILD, BOB, TODAY)).display_name == "bob"


async def test_the_pool_serves_more_reads_than_it_has_connections(db_path: Path) -> None:
    """Twenty reads at once on two connections: each waits its turn and all answer."""
    async with await Database.open(db_path, readers=2) as db:
        await seed(db)
        results = await asyncio.wait_for(
            asyncio.gather(*(db.guild_settings(GUILD) for _ in range(20))), HANG_GUARD
        )
    assert {settings.guild_id for settings in results} == {GUILD}
