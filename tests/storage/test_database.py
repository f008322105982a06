"""Tests for bot.storage.database: the Database API against a real SQLite file."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.engine.problems import Letter
from bot.engine.session import Attempt, HintUse
from bot.storage import (
    LOCAL_CHANNEL_ID,
    LOCAL_GUILD_ID,
    LOCAL_GUILD_NAME,
    AttemptAlreadyRecorded,
    ChannelBusy,
    Database,
    GuildSettings,
    SessionNotOpen,
    SessionStatus,
)
from tests.storage.sql_trace import traced_statements, transactions

GUILD, OTHER_GUILD = 1, 2
CHANNEL, OTHER_CHANNEL = 100, 200
ADA, BOB, CY = 10, 11, 12
DAY = 86_400.0
# Noon UTC, so +-hours in a test stay on the intended day.
T0 = datetime(2025, 3, 10, 12, 0, tzinfo=UTC).timestamp()
TODAY = date(2025, 3, 10)


async def _seed(db: Database) -> None:
    await db.upsert_guild(GUILD, "Study group", joined_at=T0 - 30 * DAY)
    await db.upsert_guild(OTHER_GUILD, "Other group", joined_at=T0 - 30 * DAY)
    for user_id, name in ((ADA, "ada"), (BOB, "bob"), (CY, "cy")):
        await db.upsert_user(user_id, name)


async def _session(
    db: Database, *, guild: int = GUILD, channel: int = CHANNEL, started_at: float = T0
) -> int:
    return await db.create_session(guild, channel, "warmup", ["p1", "p2", "p3"], ADA, started_at)


async def _answer(
    db: Database,
    session_id: int,
    user_id: int,
    problem_id: str,
    *,
    points: int,
    at: float,
    attempt_number: int = 1,
) -> None:
    option: Letter = "A" if points else "B"
    attempt = Attempt(user_id, problem_id, option, points > 0, attempt_number, points, at)
    await db.save_attempt(session_id, attempt)


@pytest.fixture
async def seeded(db: Database) -> Database:
    await _seed(db)
    return db


async def test_close_is_idempotent(db_path: Path) -> None:
    """Closing twice (e.g. `async with` after an explicit close) does not raise."""
    db = await Database.open(db_path)
    await db.close()
    await db.close()


# ----------------------------------------------------------------- guilds and users


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
    session_id = await _session(seeded)
    await _answer(seeded, session_id, BOB, "p1", points=100, at=T0)
    await seeded.upsert_user(BOB, "Robert")
    [row] = await seeded.leaderboard(GUILD)
    assert row.display_name == "Robert"


# ------------------------------------------------------------------------- sessions


async def test_session_round_trip(seeded: Database) -> None:
    """A created session reads back with its problems, and the current problem updates."""
    session_id = await _session(seeded)
    fresh = await seeded.session(session_id)
    assert fresh is not None
    assert fresh.problem_ids == ("p1", "p2", "p3")
    assert (fresh.current_index, fresh.opened_at, fresh.deadline) == (0, None, None)
    assert fresh.is_open

    await seeded.set_current_problem(session_id, 1, T0 + 60, T0 + 120)
    await seeded.set_problem_message(session_id, 555)

    stored = await seeded.session(session_id)
    assert stored is not None
    assert stored.current_problem_id == "p2"
    assert (stored.opened_at, stored.deadline, stored.message_id) == (T0 + 60, T0 + 120, 555)
    assert await seeded.open_session_in_channel(CHANNEL) == stored
    assert await seeded.open_sessions() == [stored]


async def test_second_session_in_a_busy_channel_is_refused(seeded: Database) -> None:
    """ChannelBusy carries the open session's id; another channel or a later start is fine."""
    first = await _session(seeded)
    with pytest.raises(ChannelBusy) as caught:
        await _session(seeded)
    assert caught.value.session_id == first

    other = await _session(seeded, channel=OTHER_CHANNEL)
    await seeded.end_session(first, SessionStatus.STOPPED, T0 + 10)
    again = await _session(seeded, started_at=T0 + 20)
    assert len({first, other, again}) == 3


async def test_ended_session_cannot_change(seeded: Database) -> None:
    """After end_session the session is closed for good: further updates raise SessionNotOpen."""
    session_id = await _session(seeded)
    await seeded.end_session(session_id, SessionStatus.FINISHED, T0 + 300)

    stored = await seeded.session(session_id)
    assert stored is not None
    assert (stored.status, stored.ended_at) == (SessionStatus.FINISHED, T0 + 300)
    assert await seeded.open_sessions() == []
    assert await seeded.open_session_in_channel(CHANNEL) is None
    with pytest.raises(SessionNotOpen):
        await seeded.end_session(session_id, SessionStatus.EXPIRED, T0 + 400)
    with pytest.raises(SessionNotOpen):
        await seeded.set_current_problem(session_id, 1, T0 + 400, T0 + 460)
    with pytest.raises(SessionNotOpen):
        await _answer(seeded, session_id, BOB, "p1", points=100, at=T0 + 400)
    with pytest.raises(SessionNotOpen):
        await seeded.save_hint(session_id, HintUse(BOB, "p1", T0 + 400))


async def test_foreign_key_violations_are_refused(seeded: Database) -> None:
    """A session in an unknown guild, or an attempt by an unknown user, is not stored."""
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        await _session(seeded, guild=999)
    assert await seeded.open_sessions() == []

    session_id = await _session(seeded)
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        await _answer(seeded, session_id, 999, "p1", points=100, at=T0)
    assert await seeded.attempts_for_session(session_id) == []


async def test_open_session_and_attempts_survive_a_restart(db_path: Path) -> None:
    """Closing and reopening the file keeps the open session, its deadline and every attempt."""
    async with await Database.open(db_path) as db:
        await _seed(db)
        session_id = await _session(db)
        await db.set_current_problem(session_id, 0, T0, T0 + 60, message_id=42)
        first = Attempt(BOB, "p1", "C", False, 1, 0, T0 + 5)
        second = Attempt(BOB, "p1", "A", True, 2, 50, T0 + 9)
        await db.save_attempt(session_id, first)
        await db.save_attempt(session_id, second)
        before = await db.session(session_id)

    async with await Database.open(db_path) as db:
        assert await db.open_sessions() == [before]
        assert await db.attempts_for_session(session_id) == [first, second]


async def test_attempt_is_committed_when_save_attempt_returns(db_path: Path) -> None:
    """Another connection sees the attempt as soon as save_attempt returns (no lazy commit)."""
    async with await Database.open(db_path) as bot, await Database.open(db_path) as observer:
        await _seed(bot)
        session_id = await _session(bot)
        attempt = Attempt(CY, "p1", "D", True, 1, 100, T0 + 3)
        await bot.save_attempt(session_id, attempt)
        assert await observer.attempts_for_session(session_id) == [attempt]


async def test_record_attempt_stores_the_attempt_its_values_make(seeded: Database) -> None:
    """record_attempt (for seeding scores) stores the same Attempt as save_attempt would."""
    session_id = await _session(seeded)
    await seeded.record_attempt(session_id, CY, "p1", "D", True, 1, 100, T0 + 3)
    attempts = await seeded.attempts_for_session(session_id)
    assert attempts == [Attempt(CY, "p1", "D", True, 1, 100, T0 + 3)]


async def test_an_answer_with_its_player_is_one_transaction(db: Database) -> None:
    """save_attempt with a display name records the player and the attempt in one commit."""
    await db.upsert_guild(GUILD, "Study group")
    await db.upsert_user(ADA, "ada")
    session_id = await _session(db)
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
    session_id = await _session(db)
    await db.end_session(session_id, SessionStatus.STOPPED, T0 + 1)
    with pytest.raises(SessionNotOpen):
        await db.save_attempt(
            session_id, Attempt(BOB, "p1", "A", True, 1, 100, T0 + 2), display_name="bob"
        )
    assert (await db.profile(GUILD, BOB, TODAY)).display_name is None


async def test_the_same_attempt_is_stored_once(seeded: Database) -> None:
    """Recording the same attempt number twice raises AttemptAlreadyRecorded and keeps one."""
    session_id = await _session(seeded)
    await _answer(seeded, session_id, BOB, "p1", points=0, at=T0 + 1)
    with pytest.raises(AttemptAlreadyRecorded):
        await _answer(seeded, session_id, BOB, "p1", points=100, at=T0 + 2)
    assert len(await seeded.attempts_for_session(session_id)) == 1


async def test_hint_is_recorded_once_per_problem(seeded: Database) -> None:
    """save_hint is True the first time for a user and problem, then False."""
    session_id = await _session(seeded)
    assert await seeded.save_hint(session_id, HintUse(BOB, "p1", T0 + 1))
    assert not await seeded.save_hint(session_id, HintUse(BOB, "p1", T0 + 2))
    assert await seeded.save_hint(session_id, HintUse(CY, "p1", T0 + 3))
    hints = await seeded.hints_for_session(session_id)
    assert hints == [HintUse(BOB, "p1", T0 + 1), HintUse(CY, "p1", T0 + 3)]


async def test_a_hint_with_its_player_is_one_transaction(db: Database) -> None:
    """save_hint with a display name records the player and the hint in one commit."""
    await db.upsert_guild(GUILD, "Study group")
    await db.upsert_user(ADA, "ada")
    session_id = await _session(db)
    async with traced_statements(db) as statements:
        assert await db.save_hint(session_id, HintUse(BOB, "p1", T0 + 1), display_name="bob")
    assert transactions(statements) == 1
    assert (await db.profile(GUILD, BOB, TODAY)).display_name == "bob"


# --------------------------------------------------------------------------- badges


async def test_badge_is_awarded_once_per_guild(seeded: Database) -> None:
    """A held badge is not awarded again (the first date stays); each guild counts apart."""
    assert await seeded.award_badge(GUILD, BOB, "Warmup Wizard", "warmup", T0)
    assert not await seeded.award_badge(GUILD, BOB, "Warmup Wizard", "warmup", T0 + DAY)
    assert await seeded.award_badge(OTHER_GUILD, BOB, "Warmup Wizard", "warmup", T0 + DAY)

    [badge] = await seeded.badges_for(GUILD, BOB)
    assert (badge.badge, badge.pack_id, badge.awarded_at) == ("Warmup Wizard", "warmup", T0)
    assert badge.awarded_on == TODAY


# ---------------------------------------------------------------------- leaderboard


async def test_leaderboard_orders_by_points_and_counts_problems(seeded: Database) -> None:
    """Players rank by summed points; answered and correct count problems, not attempts."""
    session_id = await _session(seeded)
    await _answer(seeded, session_id, BOB, "p1", points=0, at=T0 + 1)
    await _answer(seeded, session_id, BOB, "p1", points=50, at=T0 + 2, attempt_number=2)
    await _answer(seeded, session_id, BOB, "p2", points=0, at=T0 + 3)
    await _answer(seeded, session_id, CY, "p1", points=100, at=T0 + 4)
    await _answer(seeded, session_id, CY, "p2", points=100, at=T0 + 5)
    await _answer(seeded, session_id, ADA, "p1", points=0, at=T0 + 6)

    rows = await seeded.leaderboard(GUILD)

    assert [(r.rank, r.display_name, r.points, r.correct, r.answered) for r in rows] == [
        (1, "cy", 200, 2, 2),
        (2, "bob", 50, 1, 2),
        (3, "ada", 0, 0, 1),
    ]


async def test_leaderboard_tie_goes_to_whoever_reached_it_first(seeded: Database) -> None:
    """Equal points: the player whose last scoring answer came earlier ranks higher."""
    session_id = await _session(seeded)
    await _answer(seeded, session_id, BOB, "p1", points=100, at=T0 + 1)
    await _answer(seeded, session_id, CY, "p1", points=50, at=T0 + 2)
    await _answer(seeded, session_id, CY, "p2", points=50, at=T0 + 3)
    # BOB answers last but scores nothing: his 100 were reached at T0 + 1.
    await _answer(seeded, session_id, BOB, "p2", points=0, at=T0 + 9)

    rows = await seeded.leaderboard(GUILD)

    assert [(r.rank, r.user_id, r.points) for r in rows] == [(1, BOB, 100), (2, CY, 100)]


async def test_leaderboard_since_and_guild_filters(seeded: Database) -> None:
    """`since` drops older attempts, and another guild's attempts never count."""
    old = await _session(seeded, started_at=T0 - 10 * DAY)
    await _answer(seeded, old, BOB, "p1", points=100, at=T0 - 10 * DAY)
    await seeded.end_session(old, SessionStatus.FINISHED, T0 - 10 * DAY + 60)
    recent = await _session(seeded)
    await _answer(seeded, recent, CY, "p1", points=50, at=T0)
    elsewhere = await _session(seeded, guild=OTHER_GUILD, channel=OTHER_CHANNEL)
    await _answer(seeded, elsewhere, ADA, "p1", points=100, at=T0)

    all_time = await seeded.leaderboard(GUILD)
    this_week = await seeded.leaderboard(GUILD, since=T0 - 7 * DAY)

    assert [(r.user_id, r.points) for r in all_time] == [(BOB, 100), (CY, 50)]
    assert [(r.rank, r.user_id, r.points) for r in this_week] == [(1, CY, 50)]


async def test_leaderboard_limit_and_rank_of(seeded: Database) -> None:
    """The limit cuts the list; rank_of still finds a player below it, and None for a non-player."""
    session_id = await _session(seeded)
    await _answer(seeded, session_id, CY, "p1", points=100, at=T0 + 1)
    await _answer(seeded, session_id, BOB, "p1", points=50, at=T0 + 2)

    assert [r.user_id for r in await seeded.leaderboard(GUILD, limit=1)] == [CY]
    bob = await seeded.rank_of(GUILD, BOB)
    assert bob is not None
    assert (bob.rank, bob.points, bob.display_name) == (2, 50, "bob")
    assert await seeded.rank_of(GUILD, ADA) is None
    assert await seeded.rank_of(GUILD, BOB, since=T0 + 10) is None


async def test_leaderboard_and_rank_of_until_excludes_the_end(seeded: Database) -> None:
    """`until` is exclusive: [since, until) holds an attempt at `since` but not one at `until`."""
    session_id = await _session(seeded)
    await _answer(seeded, session_id, BOB, "p1", points=100, at=T0)
    await _answer(seeded, session_id, CY, "p1", points=50, at=T0 + DAY)
    await _answer(seeded, session_id, BOB, "p2", points=25, at=T0 + DAY)

    window = await seeded.leaderboard(GUILD, since=T0, until=T0 + DAY)
    later = await seeded.leaderboard(GUILD, since=T0 + DAY, until=T0 + 2 * DAY)

    assert [(r.rank, r.user_id, r.points) for r in window] == [(1, BOB, 100)]
    assert [(r.rank, r.user_id, r.points) for r in later] == [(1, CY, 50), (2, BOB, 25)]
    assert await seeded.rank_of(GUILD, CY, since=T0, until=T0 + DAY) is None
    bob_later = await seeded.rank_of(GUILD, BOB, since=T0 + DAY, until=T0 + 2 * DAY)
    assert bob_later is not None
    assert (bob_later.rank, bob_later.points) == (2, 25)
    bob_until = await seeded.rank_of(GUILD, BOB, until=T0 + DAY)
    assert bob_until is not None
    assert bob_until.points == 100


# -------------------------------------------------------------------------- profile


async def test_profile_totals_and_accuracy(seeded: Database) -> None:
    """Profile sums points over attempts and counts accuracy per problem answered."""
    session_id = await _session(seeded)
    await _answer(seeded, session_id, BOB, "p1", points=100, at=T0 + 1)
    await _answer(seeded, session_id, BOB, "p2", points=0, at=T0 + 2)
    await _answer(seeded, session_id, BOB, "p2", points=50, at=T0 + 3, attempt_number=2)
    await _answer(seeded, session_id, BOB, "p3", points=0, at=T0 + 4)
    await seeded.award_badge(GUILD, BOB, "Warmup Wizard", "warmup", T0 + 5)

    profile = await seeded.profile(GUILD, BOB, TODAY)

    assert (profile.display_name, profile.points, profile.answered, profile.correct) == (
        "bob",
        150,
        3,
        2,
    )
    assert profile.accuracy == pytest.approx(2 / 3)
    assert [badge.badge for badge in profile.badges] == ["Warmup Wizard"]


async def test_profile_streak_counts_utc_days_with_an_attempt(seeded: Database) -> None:
    """The streak counts consecutive UTC days up to today; a gap ends it."""
    midnight = datetime(2025, 3, 10, tzinfo=UTC).timestamp()
    # 23:30 on the 8th and 00:30 on the 9th are two UTC days; the 5th is cut off by the
    # gap; the 10th (today) has nothing yet, which does not break the streak.
    times = [midnight - 5 * DAY, midnight - DAY - 1800, midnight - DAY + 1800]
    for number, at in enumerate(times):
        session_id = await _session(seeded, started_at=at)
        await _answer(seeded, session_id, BOB, f"p{number}", points=100, at=at)
        await seeded.end_session(session_id, SessionStatus.FINISHED, at + 1)

    assert (await seeded.profile(GUILD, BOB, TODAY)).streak == 2
    assert (await seeded.profile(GUILD, BOB, date(2025, 3, 12))).streak == 0


async def test_profile_of_a_user_with_no_answers(seeded: Database) -> None:
    """A user who never answered has an all-zero profile and 0.0 accuracy, not an error."""
    profile = await seeded.profile(GUILD, ADA, TODAY)
    assert (profile.display_name, profile.points, profile.answered, profile.streak) == (
        "ada",
        0,
        0,
        0,
    )
    assert profile.accuracy == 0.0
    assert (await seeded.profile(GUILD, 424242, TODAY)).display_name is None


# ------------------------------------------------------------------- guild settings


async def test_new_guild_has_default_settings(seeded: Database) -> None:
    """A guild starts with every channel allowed, timers at 1x and no speed bonus."""
    settings = await seeded.guild_settings(GUILD)
    assert settings == GuildSettings(GUILD)
    assert settings.allows(CHANNEL)


async def test_update_guild_settings_changes_only_what_is_given(db_path: Path) -> None:
    """Each update changes the named settings only, and the result persists across a restart."""
    async with await Database.open(db_path) as db:
        await _seed(db)
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


async def test_session_pack_round_trip(tmp_path: Path) -> None:
    """A generated pack saved with its session comes back as the same JSON."""
    async with await Database.open(tmp_path / "packs.db") as db:
        await db.upsert_guild(5, "g")
        await db.upsert_user(7, "u")
        session_id = await db.create_session(5, 9, "fresh", ["p"], 7, 1.0)
        assert await db.session_pack(session_id) is None
        await db.save_session_pack(session_id, '{"id": "fresh"}')
        assert await db.session_pack(session_id) == '{"id": "fresh"}'


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
