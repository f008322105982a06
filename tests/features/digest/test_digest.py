"""Tests for bot.features.digest.reading and render: what a week's digest says, read from
a real database, and how it reads as an embed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.content import ContentLibrary
from bot.features.digest.reading import Digest, read_digest
from bot.features.digest.render import digest_embed, footer_text, week_label
from bot.features.stats.weeks import WEEK, Board, Window
from bot.storage import Database, SessionStatus
from tests.engine.conftest import make_pack, make_problem

GUILD, CHANNEL = 1, 100
MONDAY = datetime(2025, 3, 10, tzinfo=UTC).timestamp()  # the week the digest is about
PACK = make_pack(
    make_problem("p1", title="Warm-up", subject=["StepLR"]),
    make_problem(
        "p2",
        answer="C",
        title="Cosine trap",
        schedulers=["CosineAnnealingLR"],
        subject=["CosineAnnealingLR"],
    ),
)
LIBRARY = ContentLibrary(packs={PACK.id: PACK}, sources={})


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A database where 12 members answered p1 and p2 in the week of 10 March; most missed
    p2 (picking B); member 1 also earned the tiny badge."""
    async with await Database.open(tmp_path / "anneal.db") as database:
        await database.upsert_guild(GUILD, "Study group", joined_at=MONDAY - WEEK)
        for user in range(1, 13):
            await database.upsert_user(user, f"member {user}")
        session = await database.create_session(GUILD, CHANNEL, "tiny", ["p1", "p2"], 1, MONDAY)
        for user in range(1, 13):
            at = MONDAY + 3600 + user
            await database.record_attempt(session, user, "p1", "B", True, 1, 10 * user, at)
            right = user <= 3
            await database.record_attempt(
                session, user, "p2", "C" if right else "B", right, 1, 100 if right else 0, at + 60
            )
        await database.end_session(session, SessionStatus.FINISHED, MONDAY + 7200)
        await database.award_badge(GUILD, 1, "Tiny Master", "tiny", MONDAY + 7200)
        yield database


async def test_the_digest_reads_the_week(db: Database) -> None:
    """Top 10 by points, members and problems answered, the week's badges, p2 most missed."""
    digest = await read_digest(db, LIBRARY, GUILD, MONDAY)

    assert (digest.members, digest.answered) == (12, 24)
    # Equal points: whoever reached them first ranks higher (12 scored p1 before 2 scored p2).
    assert [row.user_id for row in digest.board] == [3, 12, 2, 11, 1, 10, 9, 8, 7, 6]
    assert [(b.user_id, b.pack_id) for b in digest.badges] == [(1, "tiny")]
    assert digest.most_missed is not None
    assert digest.most_missed.accuracy.problem_id == "p2"
    assert (digest.most_missed.accuracy.misses, digest.most_missed.scheduler) == (
        9,
        "CosineAnnealingLR",
    )
    assert digest.span == Window(Board.LASTWEEK, MONDAY, MONDAY + WEEK)


async def test_a_problem_in_play_is_never_named(db: Database) -> None:
    """p2 is open in a live challenge: the digest names the next most missed (none here)."""
    digest = await read_digest(db, LIBRARY, GUILD, MONDAY, in_play={"p2"})
    assert digest.most_missed is None


async def test_a_weekly_reset_starts_the_board_there(db: Database) -> None:
    """After `!admin resetweek` mid-week, the board counts from the reset, as `lastweek` does."""
    await db.update_guild_settings(GUILD, week_reset_at=MONDAY + 3600 + 6.5)

    digest = await read_digest(db, LIBRARY, GUILD, MONDAY)

    assert digest.span.after_reset
    points = {row.user_id: row.points for row in digest.board}
    assert digest.board[0].user_id == 12  # p1 of members 7 to 12 came after the reset
    assert (points[12], points[3]) == (120, 100)  # member 3's p1 came before it
    assert len(digest.board) == 10


async def test_the_embed_has_every_part(db: Database) -> None:
    """Title with the days, activity, top 10, badges, the most missed with what to practise,
    and the footer naming the week."""
    digest = await read_digest(db, LIBRARY, GUILD, MONDAY)

    embed = digest_embed(digest, LIBRARY.packs, prefix="?")

    assert embed.title == "📬 Weekly digest: 10 to 16 March 2025"
    assert (embed.description or "").startswith("12 members answered 24 problems.")
    fields = {field.name: field.value or "" for field in embed.fields}
    top = fields["🏆 Top 10"].splitlines()
    assert len(top) == 10
    assert top[0] == "🥇 **member 3** · 130 pts · 2/2 correct"
    assert fields["🏅 Badges earned"] == "🏅 **Tiny Master**: <@1>"
    assert fields["🎯 Most missed"].splitlines() == [
        "**Cosine trap** (`p2`): 25% right of 12 · most picked wrong: **B** 9 times “two”",
        "Practise its scheduler: `?practice CosineAnnealingLR` · read its card: "
        "`?learn CosineAnnealingLR`",
    ]
    assert (
        embed.footer.text
        == footer_text(MONDAY)
        == ("Anneal weekly digest · 2025-W11 · every Monday 00:00 UTC")
    )
    assert len(embed) < 6000


def test_an_empty_week_says_so_and_how_to_start() -> None:
    """No answers: no board, no most missed; the week still gets its digest."""
    span = Window(Board.LASTWEEK, MONDAY, MONDAY + WEEK)
    embed = digest_embed(Digest(MONDAY, span, 0, 0, [], [], None), {}, prefix="!")

    assert (embed.description or "").startswith("Nobody answered a problem last week.")
    assert "`!challenge start`" in (embed.description or "")
    assert [field.name for field in embed.fields] == ["🏅 Badges earned"]
    assert embed.fields[0].value == "No new badge last week."


@pytest.mark.parametrize(
    ("monday", "title", "label"),
    [
        (datetime(2025, 4, 28, tzinfo=UTC), "28 April to 4 May 2025", "2025-W18"),
        (datetime(2025, 12, 29, tzinfo=UTC), "29 December 2025 to 4 January 2026", "2026-W01"),
    ],
)
def test_weeks_across_months_and_years(monday: datetime, title: str, label: str) -> None:
    """The title names both months (and years) when the week crosses them; ISO week labels."""
    start = monday.timestamp()
    span = Window(Board.LASTWEEK, start, start + WEEK)
    embed = digest_embed(Digest(start, span, 0, 0, [], [], None), {}, prefix="!")
    assert embed.title == f"📬 Weekly digest: {title}"
    assert week_label(start) == label
