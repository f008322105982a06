"""Tests for bot.storage._standings: badges, leaderboards and profiles."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.engine.session import Attempt
from bot.features.stats.weeks import Board, window
from bot.storage import LOCAL_CHANNEL_ID, LOCAL_GUILD_ID, Database, SessionStatus, _standings
from bot.storage._connection import week_start
from tests.storage.seeding import (
    ADA,
    BOB,
    CY,
    DAY,
    GUILD,
    OTHER_CHANNEL,
    OTHER_GUILD,
    T0,
    TODAY,
    answer,
    start_session,
)


async def test_badge_is_awarded_once_per_guild(seeded: Database) -> None:
    """A held badge is not awarded again (the first date stays); each guild counts apart."""
    assert await seeded.award_badge(GUILD, BOB, "Warmup Wizard", "warmup", T0)
    assert not await seeded.award_badge(GUILD, BOB, "Warmup Wizard", "warmup", T0 + DAY)
    assert await seeded.award_badge(OTHER_GUILD, BOB, "Warmup Wizard", "warmup", T0 + DAY)

    [badge] = await seeded.badges_for(GUILD, BOB)
    assert (badge.badge, badge.pack_id, badge.awarded_at) == ("Warmup Wizard", "warmup", T0)
    assert badge.awarded_on == TODAY


async def test_leaderboard_orders_by_points_and_counts_problems(seeded: Database) -> None:
    """Players rank by summed points; answered and correct count problems, not attempts."""
    session_id = await start_session(seeded)
    await answer(seeded, session_id, BOB, "p1", points=0, at=T0 + 1)
    await answer(seeded, session_id, BOB, "p1", points=50, at=T0 + 2, attempt_number=2)
    await answer(seeded, session_id, BOB, "p2", points=0, at=T0 + 3)
    await answer(seeded, session_id, CY, "p1", points=100, at=T0 + 4)
    await answer(seeded, session_id, CY, "p2", points=100, at=T0 + 5)
    await answer(seeded, session_id, ADA, "p1", points=0, at=T0 + 6)

    rows = await seeded.leaderboard(GUILD)

    assert [(r.rank, r.display_name, r.points, r.correct, r.answered) for r in rows] == [
        (1, "cy", 200, 2, 2),
        (2, "bob", 50, 1, 2),
        (3, "ada", 0, 0, 1),
    ]


async def test_leaderboard_tie_goes_to_whoever_reached_it_first(seeded: Database) -> None:
    """Equal points: the player whose last scoring answer came earlier ranks higher."""
    session_id = await start_session(seeded)
    await answer(seeded, session_id, BOB, "p1", points=100, at=T0 + 1)
    await answer(seeded, session_id, CY, "p1", points=50, at=T0 + 2)
    await answer(seeded, session_id, CY, "p2", points=50, at=T0 + 3)
    # BOB answers last but scores nothing: his 100 were reached at T0 + 1.
    await answer(seeded, session_id, BOB, "p2", points=0, at=T0 + 9)

    rows = await seeded.leaderboard(GUILD)

    assert [(r.rank, r.user_id, r.points) for r in rows] == [(1, BOB, 100), (2, CY, 100)]


async def test_leaderboard_since_and_guild_filters(seeded: Database) -> None:
    """`since` drops older attempts, and another guild's attempts never count."""
    old = await start_session(seeded, started_at=T0 - 10 * DAY)
    await answer(seeded, old, BOB, "p1", points=100, at=T0 - 10 * DAY)
    await seeded.end_session(old, SessionStatus.FINISHED, T0 - 10 * DAY + 60)
    recent = await start_session(seeded)
    await answer(seeded, recent, CY, "p1", points=50, at=T0)
    elsewhere = await start_session(seeded, guild=OTHER_GUILD, channel=OTHER_CHANNEL)
    await answer(seeded, elsewhere, ADA, "p1", points=100, at=T0)

    all_time = await seeded.leaderboard(GUILD)
    this_week = await seeded.leaderboard(GUILD, since=T0 - 7 * DAY)

    assert [(r.user_id, r.points) for r in all_time] == [(BOB, 100), (CY, 50)]
    assert [(r.rank, r.user_id, r.points) for r in this_week] == [(1, CY, 50)]


async def test_leaderboard_limit_and_rank_of(seeded: Database) -> None:
    """The limit cuts the list; rank_of still finds a player below it, and None for a non-player."""
    session_id = await start_session(seeded)
    await answer(seeded, session_id, CY, "p1", points=100, at=T0 + 1)
    await answer(seeded, session_id, BOB, "p1", points=50, at=T0 + 2)

    assert [r.user_id for r in await seeded.leaderboard(GUILD, limit=1)] == [CY]
    bob = await seeded.rank_of(GUILD, BOB)
    assert bob is not None
    assert (bob.rank, bob.points, bob.display_name) == (2, 50, "bob")
    assert await seeded.rank_of(GUILD, ADA) is None
    assert await seeded.rank_of(GUILD, BOB, since=T0 + 10) is None


async def test_leaderboard_and_rank_of_until_excludes_the_end(seeded: Database) -> None:
    """`until` is exclusive: [since, until) holds an attempt at `since` but not one at `until`."""
    session_id = await start_session(seeded)
    await answer(seeded, session_id, BOB, "p1", points=100, at=T0)
    await answer(seeded, session_id, CY, "p1", points=50, at=T0 + DAY)
    await answer(seeded, session_id, BOB, "p2", points=25, at=T0 + DAY)

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


async def test_profile_totals_and_accuracy(seeded: Database) -> None:
    """Profile sums points over attempts and counts accuracy per problem answered."""
    session_id = await start_session(seeded)
    await answer(seeded, session_id, BOB, "p1", points=100, at=T0 + 1)
    await answer(seeded, session_id, BOB, "p2", points=0, at=T0 + 2)
    await answer(seeded, session_id, BOB, "p2", points=50, at=T0 + 3, attempt_number=2)
    await answer(seeded, session_id, BOB, "p3", points=0, at=T0 + 4)
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
        session_id = await start_session(seeded, started_at=at)
        await answer(seeded, session_id, BOB, f"p{number}", points=100, at=at)
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


async def test_terminal_answers_never_reach_a_server_board(seeded: Database) -> None:
    """`anneal play` stores in the local guild: its points show there, in no server."""
    player = await seeded.local_user("ada")
    local = await seeded.create_session(
        LOCAL_GUILD_ID, LOCAL_CHANNEL_ID, "warmup", ["p1"], player, T0
    )
    await seeded.save_attempt(local, Attempt(player, "p1", "A", True, 1, 100, T0 + 1))

    assert await seeded.leaderboard(GUILD) == []
    assert await seeded.rank_of(GUILD, player) is None
    assert [(row.user_id, row.points) for row in await seeded.leaderboard(LOCAL_GUILD_ID)] == [
        (player, 100)
    ]
    assert (await seeded.profile(LOCAL_GUILD_ID, player, TODAY)).points == 100


async def test_a_weekly_reset_restarts_the_week_and_keeps_the_rest(seeded: Database) -> None:
    """After `resetweek`, this week counts from the reset, and when the week is over
    `lastweek` shows it as it stood; all time and the week's full board keep everything."""
    monday = week_start(T0)
    session_id = await start_session(seeded)
    await answer(seeded, session_id, BOB, "p1", points=100, at=T0)
    reset = T0 + 60
    await seeded.update_guild_settings(GUILD, week_reset_at=reset)
    await answer(seeded, session_id, CY, "p1", points=50, at=T0 + 120)

    this_week = window(Board.WEEK, T0 + 3600, reset)
    shown = await seeded.leaderboard(GUILD, this_week.since, 10, this_week.until)
    assert [(r.rank, r.user_id, r.points) for r in shown] == [(1, CY, 50)]
    later = window(Board.LASTWEEK, monday + 8 * DAY, reset)
    shown = await seeded.leaderboard(GUILD, later.since, 10, later.until)
    assert [(r.rank, r.user_id, r.points) for r in shown] == [(1, CY, 50)]
    everything = await seeded.leaderboard(GUILD)
    assert [(r.user_id, r.points) for r in everything] == [(BOB, 100), (CY, 50)]
    full_week = await seeded.leaderboard(GUILD, monday, 10, monday + 7 * DAY)
    assert [(r.user_id, r.points) for r in full_week] == [(BOB, 100), (CY, 50)]

    # A second reset replaces the first: only what came after it counts this week.
    await seeded.update_guild_settings(GUILD, week_reset_at=T0 + 180)
    again = window(Board.WEEK, T0 + 3600, T0 + 180)
    assert await seeded.leaderboard(GUILD, again.since, 10, again.until) == []
    assert (await seeded.check_totals()).ok


async def test_boards_ranks_and_profiles_read_a_bounded_number_of_rows(seeded: Database) -> None:
    """The bot's standings queries search indexes of the totals and never scan or sort the
    attempts, so their cost does not grow with a guild's history."""
    session_id = await start_session(seeded)
    await answer(seeded, session_id, BOB, "p1", points=100, at=T0)
    params = {
        "guild_id": GUILD,
        "period": "week",
        "since": week_start(T0),
        "user_id": BOB,
        "points": 100,
        "scored_at": T0,
        "limit": 10,
    }
    async with seeded._read() as conn:
        for query in (_standings._BOARD, _standings._PLAYER, _standings._AHEAD):
            plan = " | ".join(
                row["detail"]
                for row in await conn.execute_fetchall(f"EXPLAIN QUERY PLAN {query}", params)
            )
            assert "attempts" not in plan, plan
            assert "TEMP B-TREE" not in plan, plan
            assert "SEARCH t USING" in plan or "SEARCH standing_totals USING" in plan, plan
