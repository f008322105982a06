"""Tests for bot.storage._migrations: numbered files, user_version, upgrades, refusals."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

import bot.storage
from bot.storage import Database, MigrationError, SchemaTooNew
from bot.storage._connection import connect
from bot.storage._migrations import latest_version, load_migrations, migrate, user_version

SHIPPED = Path(bot.storage.__file__).parent / "migrations"


def _tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'").fetchall()
    return {name for (name,) in rows}


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir()
    for name, sql in files.items():
        (folder / name).write_text(sql, encoding="utf-8")
    return folder


async def test_fresh_database_reaches_latest_version(db_path: Path) -> None:
    """A new file gets every shipped migration and the matching user_version."""
    async with await Database.open(db_path) as db:
        assert await db.schema_version() == len(list(SHIPPED.glob("*.sql"))) == latest_version()
    assert {"sessions", "attempts", "guild_settings", "local_profiles"} <= _tables(db_path)


async def test_old_database_is_migrated_forward_keeping_data(db_path: Path) -> None:
    """A database left at version 1 with data is upgraded to the latest, data intact."""
    conn = await connect(db_path)
    try:
        assert await migrate(conn, target=1) == 1
        # Written with raw SQL against the version-1 schema, as an old Anneal would have.
        await conn.executescript(
            """
            INSERT INTO guilds (id, name, joined_at) VALUES (7, 'Old guild', 100.0);
            INSERT INTO users (id, display_name) VALUES (70, 'ada');
            INSERT INTO sessions (guild_id, channel_id, pack_id, problem_ids, started_by,
                                  started_at, opened_at, deadline)
                VALUES (7, 700, 'warmup', '["p1", "p2"]', 70, 1000.0, 1000.0, 1060.0);
            INSERT INTO attempts (session_id, user_id, problem_id, option, correct,
                                  attempt_number, points, answered_at)
                VALUES (1, 70, 'p1', 'B', 1, 1, 100, 1010.0);
            """
        )
    finally:
        await conn.close()
    assert "guild_settings" not in _tables(db_path)

    async with await Database.open(db_path) as db:
        assert await db.schema_version() == latest_version()
        session = await db.open_session_in_channel(700)
        assert session is not None
        assert (session.problem_ids, session.deadline) == (("p1", "p2"), 1060.0)
        [attempt] = await db.attempts_for_session(session.id)
        assert (attempt.user_id, attempt.option, attempt.correct, attempt.points) == (
            70,
            "B",
            True,
            100,
        )
        [row] = await db.leaderboard(7)
        assert (row.display_name, row.points) == ("ada", 100)

    with closing(sqlite3.connect(db_path)) as raw:
        # 0002 gave the guilds that already existed (local and old) their settings row.
        settings = raw.execute("SELECT guild_id FROM guild_settings ORDER BY guild_id").fetchall()
        assert settings == [(0,), (7,)]
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []


async def test_reopening_applies_nothing_twice(db_path: Path) -> None:
    """Opening an up-to-date database again leaves it as it was (no migration re-run)."""
    async with await Database.open(db_path) as db:
        await db.upsert_guild(1, "Study group", joined_at=5.0)
    async with await Database.open(db_path) as db:
        assert await db.schema_version() == latest_version()
        assert (await db.guild_settings(1)).timer_scale == 1.0


async def test_concurrent_openers_migrate_once(db_path: Path) -> None:
    """Two connections opening a new file at once apply each migration once, without error."""
    first, second = await asyncio.gather(Database.open(db_path), Database.open(db_path))
    async with first, second:
        assert await first.schema_version() == await second.schema_version() == latest_version()
        assert await first.local_user("ada") == -1
        assert await second.local_user("ada") == -1


async def test_failed_migration_is_rolled_back_entirely(tmp_path: Path) -> None:
    """A migration that fails halfway leaves neither its tables nor its version bump."""
    folder = _write(
        tmp_path / "migrations",
        {
            "0001_first.sql": "CREATE TABLE a (x INTEGER);\n",
            "0002_broken.sql": "CREATE TABLE b (x INTEGER);\nINSERT INTO missing VALUES (1);\n",
        },
    )
    path = tmp_path / "broken.db"
    conn = await connect(path)
    try:
        with pytest.raises(MigrationError, match=r"0002_broken\.sql"):
            await migrate(conn, migrations=load_migrations(folder))
        assert await user_version(conn) == 1
    finally:
        await conn.close()
    assert _tables(path) == {"a"}


async def test_newer_schema_is_refused_and_left_untouched(db_path: Path) -> None:
    """A database from a newer Anneal raises SchemaTooNew naming both versions and the file."""
    async with await Database.open(db_path):
        pass
    newer = latest_version() + 1
    with closing(sqlite3.connect(db_path)) as raw:
        raw.execute(f"PRAGMA user_version = {newer}")

    with pytest.raises(SchemaTooNew) as caught:
        await Database.open(db_path)

    assert (caught.value.found, caught.value.known) == (newer, latest_version())
    assert str(db_path) in str(caught.value)
    with closing(sqlite3.connect(db_path)) as raw:
        assert raw.execute("PRAGMA user_version").fetchone() == (newer,)


@pytest.mark.parametrize(
    "names",
    [
        pytest.param(["0001_a.sql", "0003_c.sql"], id="gap"),
        pytest.param(["0002_b.sql"], id="not-from-one"),
        pytest.param(["0001_a.sql", "0001_b.sql"], id="duplicate"),
        pytest.param(["0001_a.sql", "2_b.sql"], id="badly-named"),
    ],
)
def test_misnumbered_migrations_are_refused(tmp_path: Path, names: list[str]) -> None:
    """Migration files must be NNNN_name.sql numbered 1, 2, 3, ... exactly."""
    folder = _write(tmp_path / "migrations", dict.fromkeys(names, "SELECT 1;\n"))
    with pytest.raises(MigrationError):
        load_migrations(folder)


def test_unfinished_statement_is_refused(tmp_path: Path) -> None:
    """A script whose last statement lacks its semicolon is an error, not silently dropped."""
    folder = _write(
        tmp_path / "migrations", {"0001_a.sql": "CREATE TABLE a (x INTEGER);\nCREATE TABLE b (x)\n"}
    )
    [migration] = load_migrations(folder)
    with pytest.raises(MigrationError, match="unfinished"):
        _ = migration.statements


def test_statements_split_on_statement_ends_only(tmp_path: Path) -> None:
    """Semicolons inside strings, comments and trigger bodies do not cut a statement."""
    sql = """-- first; still a comment
CREATE TABLE t (x TEXT DEFAULT 'a;b');
CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN
    UPDATE t SET x = 'c;d';
END;
-- trailing comment
"""
    folder = _write(tmp_path / "migrations", {"0001_a.sql": sql})
    [migration] = load_migrations(folder)
    assert len(migration.statements) == 2


async def test_migration_5_builds_the_totals_of_an_existing_database(db_path: Path) -> None:
    """A version-4 database with answers (and a weekly reset) gets totals equal to a
    recomputation, and its boards read the same as before the upgrade."""
    monday = 1_741_564_800.0  # Monday 10 March 2025, 00:00 UTC
    conn = await connect(db_path)
    try:
        assert await migrate(conn, target=4) == 4
        await conn.executescript(
            f"""
            INSERT INTO guilds (id, name, joined_at) VALUES (7, 'Old guild', 100.0);
            UPDATE guild_settings SET week_reset_at = {monday + 86_400} WHERE guild_id = 7;
            INSERT INTO users (id, display_name) VALUES (70, 'ada'), (71, 'bob');
            INSERT INTO sessions (guild_id, channel_id, pack_id, problem_ids, started_by,
                                  started_at, status, ended_at)
                VALUES (7, 700, 'warmup', '["p1", "p2"]', 70, {monday - 3600}, 'finished',
                        {monday + 7200});
            INSERT INTO attempts (session_id, user_id, problem_id, option, correct,
                                  attempt_number, points, answered_at)
                VALUES (1, 70, 'p1', 'B', 0, 1, 0, {monday - 60}),
                       (1, 70, 'p1', 'A', 1, 2, 50, {monday + 60}),
                       (1, 71, 'p1', 'A', 1, 1, 100, {monday + 90000}),
                       (1, 71, 'p2', 'A', 1, 1, 100, {monday + 90001});
            """
        )
    finally:
        await conn.close()

    async with await Database.open(db_path) as db:
        report = await db.check_totals()
        assert report.ok, [m.describe() for m in report.mismatches]
        assert (report.attempts, report.active_days) == (4, 3)
        week = await db.leaderboard(7, monday, 10, monday + 7 * 86_400)
        assert [(r.display_name, r.points, r.correct, r.answered) for r in week] == [
            ("bob", 200, 2, 2),
            ("ada", 50, 1, 1),
        ]
        since_reset = await db.leaderboard(7, monday + 86_400, 10, monday + 7 * 86_400)
        assert [(r.display_name, r.points) for r in since_reset] == [("bob", 200)]
        ada = await db.profile(7, 70, date(2025, 3, 10))
        assert (ada.points, ada.answered, ada.correct, ada.streak) == (50, 1, 1, 2)
