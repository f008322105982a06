"""Tests for bot.storage._attempts: attempts and hints, each one transaction."""

from __future__ import annotations

import pytest

from bot.engine.session import Attempt, HintUse
from bot.storage import AttemptAlreadyRecorded, Database, SessionNotOpen, SessionStatus
from tests.storage.seeding import ADA, BOB, CY, GUILD, T0, TODAY, answer, start_session
from tests.storage.sql_trace import traced_statements, transactions


async def test_record_attempt_stores_the_attempt_its_values_make(seeded: Database) -> None:
    """record_attempt (for seeding scores) stores the same Attempt as save_attempt would."""
    session_id = await start_session(seeded)
    await seeded.record_attempt(session_id, CY, "p1", "D", True, 1, 100, T0 + 3)
    attempts = await seeded.attempts_for_session(session_id)
    assert attempts == [Attempt(CY, "p1", "D", True, 1, 100, T0 + 3)]


async def test_an_answer_with_its_player_is_one_transaction(db: Database) -> None:
    """save_attempt with a display name records the player and the attempt in one commit."""
    await db.upsert_guild(GUILD, "Study group")
    await db.upsert_user(ADA, "ada")
    session_id = await start_session(db)
    async with traced_statements(db) as statements:
        await db.save_attempt(
            session_id, Attempt(BOB, "p1", "A", True, 1, 100, T0 + 1), display_name="bob"
        )
    assert transactions(statements) == 1
    assert statements[0] == "BEGIN IMMEDIATE"
    assert statements[-1] == "COMMIT"
    [row] = await db.leaderboard(GUILD)
    assert (row.user_id, row.display_name, row.points) == (BOB, "bob", 100)


async def test_a_refused_answer_leaves_no_player_behind(db: Database) -> None:
    """The player's name is written with the attempt, so a refused attempt writes neither."""
    await db.upsert_guild(GUILD, "Study group")
    await db.upsert_user(ADA, "ada")
    session_id = await start_session(db)
    await db.end_session(session_id, SessionStatus.STOPPED, T0 + 1)
    with pytest.raises(SessionNotOpen):
        await db.save_attempt(
            session_id, Attempt(BOB, "p1", "A", True, 1, 100, T0 + 2), display_name="bob"
        )
    assert (await db.profile(GUILD, BOB, TODAY)).display_name is None


async def test_the_same_attempt_is_stored_once(seeded: Database) -> None:
    """Recording the same attempt number twice raises AttemptAlreadyRecorded and keeps one."""
    session_id = await start_session(seeded)
    await answer(seeded, session_id, BOB, "p1", points=0, at=T0 + 1)
    with pytest.raises(AttemptAlreadyRecorded):
        await answer(seeded, session_id, BOB, "p1", points=100, at=T0 + 2)
    assert len(await seeded.attempts_for_session(session_id)) == 1


async def test_hint_is_recorded_once_per_problem(seeded: Database) -> None:
    """save_hint is True the first time for a user and problem, then False."""
    session_id = await start_session(seeded)
    assert await seeded.save_hint(session_id, HintUse(BOB, "p1", T0 + 1))
    assert not await seeded.save_hint(session_id, HintUse(BOB, "p1", T0 + 2))
    assert await seeded.save_hint(session_id, HintUse(CY, "p1", T0 + 3))
    hints = await seeded.hints_for_session(session_id)
    assert hints == [HintUse(BOB, "p1", T0 + 1), HintUse(CY, "p1", T0 + 3)]


async def test_a_hint_with_its_player_is_one_transaction(db: Database) -> None:
    """save_hint with a display name records the player and the hint in one commit."""
    await db.upsert_guild(GUILD, "Study group")
    await db.upsert_user(ADA, "ada")
    session_id = await start_session(db)
    async with traced_statements(db) as statements:
        assert await db.save_hint(session_id, HintUse(BOB, "p1", T0 + 1), display_name="bob")
    assert transactions(statements) == 1
    assert (await db.profile(GUILD, BOB, TODAY)).display_name == "bob"
