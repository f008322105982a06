"""Tests for bot.features.stats.render: the leaderboard, profile, badges and packs embeds
from given rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import discord
import pytest

from bot.engine.problems import Badge, Level, Pack
from bot.features.stats.render import (
    FreshPacks,
    badges_embed,
    describe_window,
    how_to_earn,
    leaderboard_embed,
    packs_embed,
    profile_embed,
)
from bot.features.stats.weeks import WEEK, Board, Window, parse_board
from bot.storage import AwardedBadge, LeaderboardRow, Profile
from tests.engine.conftest import make_pack, make_problem

GUILD = 1
MONDAY = datetime(2025, 3, 10, tzinfo=UTC).timestamp()
THIS_WEEK = Window(Board.WEEK, MONDAY, MONDAY + WEEK)
ALL_TIME = Window(Board.ALL, None, None)


def row(
    rank: int, user_id: int | None = None, name: str | None = None, points: int = 0
) -> LeaderboardRow:
    """A leaderboard row at `rank` (user 100 + rank unless given), 1 of 2 answers correct."""
    user = user_id if user_id is not None else 100 + rank
    return LeaderboardRow(rank, user, name or f"Player {rank}", points, 1, 2)


def standing_lines(description: str) -> list[str]:
    """The lines of a leaderboard that show a player's standing."""
    return [line for line in description.splitlines() if "pts" in line]


def board(
    rows: list[LeaderboardRow],
    *,
    caller_id: int = 999,
    caller_row: LeaderboardRow | None = None,
    span: Window = ALL_TIME,
) -> str:
    """The description of the leaderboard embed for `rows` (guild "Study group", prefix `!`)."""
    embed = leaderboard_embed(
        rows,
        span=span,
        guild_name="Study group",
        caller_id=caller_id,
        caller_row=caller_row,
        prefix="!",
    )
    assert embed.description is not None
    return embed.description


# ------------------------------------------------------------------- leaderboard


def test_leaderboard_medals_then_numbers() -> None:
    """The top three get medals, the rest their rank; points have thousands separators."""
    rows = [row(rank, points=5000 - rank) for rank in range(1, 5)]
    lines = standing_lines(board(rows))
    assert lines[0] == "🥇 **Player 1** · 4,999 pts · 1/2 correct"
    assert lines[2].startswith("🥉 ")
    assert lines[3].startswith("`4.` **Player 4**")


def test_caller_in_the_top_is_marked_not_repeated() -> None:
    """A caller already in the list is marked there and gets no extra line."""
    rows = [row(1), row(2, user_id=7)]
    lines = standing_lines(board(rows, caller_id=7, caller_row=rows[1]))
    assert lines == [
        "🥇 **Player 1** · 0 pts · 1/2 correct",
        "🥈 **Player 2** · 0 pts · 1/2 correct ← you",
    ]


def test_caller_below_the_top_gets_their_own_line_after_a_gap() -> None:
    """Rank 42 appears after the top rows, behind an ellipsis line."""
    rows = [row(rank) for rank in range(1, 11)]
    text = board(rows, caller_id=7, caller_row=row(42, user_id=7, name="Me", points=5))
    lines = text.splitlines()
    assert lines[-2] == "⋯"
    assert lines[-1] == "`42.` **Me** · 5 pts · 1/2 correct ← you"


def test_caller_with_no_answers_gets_a_footer() -> None:
    """A caller absent from the window is told so in the footer, not in the list."""
    embed = leaderboard_embed(
        [row(1)], span=THIS_WEEK, guild_name="G", caller_id=9, caller_row=None, prefix="!"
    )
    assert embed.footer.text == "You have no answers this week yet."
    assert "⋯" not in (embed.description or "")


def test_empty_board_names_the_start_command_with_the_prefix() -> None:
    """No rows: the description says nobody answered and how to start, in the prefix."""
    embed = leaderboard_embed(
        [], span=THIS_WEEK, guild_name="G", caller_id=9, caller_row=None, prefix="?"
    )
    assert "Nobody has answered a problem this week." in (embed.description or "")
    assert "`?challenge start`" in (embed.description or "")
    assert embed.footer.text is None


def test_names_are_escaped_and_clipped() -> None:
    """Markdown in a name is escaped and a very long name is cut to 32 characters."""
    rows = [row(1, name="**bold**_x_"), row(2, name="a" * 200)]
    lines = standing_lines(board(rows))
    assert "\\*\\*bold\\*\\*\\_x\\_" in lines[0]
    assert "a" * 31 + "…" in lines[1]
    assert "a" * 32 not in lines[1]


def test_title_names_the_guild_and_the_board() -> None:
    """The title says whose board and which window."""
    embed = leaderboard_embed(
        [], span=ALL_TIME, guild_name="Study group", caller_id=1, caller_row=None, prefix="!"
    )
    assert embed.title == "🏆 Study group: all time"


def test_describe_window_uses_discord_timestamps() -> None:
    """This week names its start and when the next week begins, as <t:…> timestamps."""
    text = describe_window(THIS_WEEK)
    assert (
        text
        == f"Since Monday <t:{round(MONDAY)}:f>; a new week starts <t:{round(MONDAY + WEEK)}:R>."
    )
    reset = Window(Board.WEEK, MONDAY + 3600, MONDAY + WEEK, after_reset=True)
    assert describe_window(reset).startswith("Since the weekly reset")
    last = Window(Board.LASTWEEK, MONDAY - WEEK, MONDAY)
    assert describe_window(last) == f"From <t:{round(MONDAY - WEEK)}:f> to <t:{round(MONDAY)}:f>."
    assert describe_window(ALL_TIME) == "Every answer ever given in this server."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("week", Board.WEEK),
        ("This week", Board.WEEK),
        ("lastweek", Board.LASTWEEK),
        ("last-week", Board.LASTWEEK),
        ("ALL", Board.ALL),
        ("all time", Board.ALL),
        ("yesterday", None),
        ("", None),
    ],
)
def test_parse_board_accepts_natural_spellings(text: str, expected: Board | None) -> None:
    """Case, spaces and dashes do not matter; unknown words give None."""
    assert parse_board(text) is expected


# ----------------------------------------------------------------------- profile


PROFILE = Profile(
    guild_id=GUILD,
    user_id=7,
    display_name="Ada",
    points=1250,
    answered=8,
    correct=6,
    streak=3,
    badges=(),
)


def fields(embed: discord.Embed) -> dict[str, str]:
    """The embed's fields, by name."""
    return {f.name or "": f.value or "" for f in embed.fields}


def test_profile_shows_totals_week_rank_accuracy_and_streak() -> None:
    """Points all time and this week, ranks, answered, accuracy in percent and the streak."""
    embed = profile_embed(
        PROFILE,
        name="Ada",
        all_time=row(2, user_id=7, points=1250),
        this_week=row(1, user_id=7, points=300),
        packs={},
        prefix="!",
    )
    shown = fields(embed)
    assert embed.title == "📇 Ada"
    assert shown["Points"] == "**1,250** all time\n300 this week"
    assert shown["Rank"] == "#2 all time\n#1 this week"
    assert shown["Answered"] == "8 problems"
    assert shown["Accuracy"] == "75% (6 correct)"
    assert shown["Day streak"] == "🔥 3 days"
    assert shown["Badges"].startswith("None yet")


def test_profile_badges_have_their_pack_emoji_and_date() -> None:
    """Each badge shows its pack's emoji and the UTC day it was earned; unknown packs get 🏅."""
    pack = make_pack(emoji="🪜", name="Step Counter")
    day = datetime(2025, 3, 9, 23, 30, tzinfo=UTC).timestamp()
    badges = (
        AwardedBadge(GUILD, 7, "Step Counter", pack.id, day),
        AwardedBadge(GUILD, 7, "Retired", "gone", day + 3600),
    )
    embed = profile_embed(
        replace(PROFILE, badges=badges),
        name="Ada",
        all_time=None,
        this_week=None,
        packs={pack.id: pack},
        prefix="!",
    )
    assert (
        fields(embed)["Badges"] == "🪜 **Step Counter** · 9 Mar 2025\n🏅 **Retired** · 10 Mar 2025"
    )


def test_profile_of_a_newcomer_invites_them_to_play() -> None:
    """Zero answers: no streak flame, dashes for ranks, and the start command."""
    embed = profile_embed(
        replace(PROFILE, points=0, answered=0, correct=0, streak=0),
        name="New",
        all_time=None,
        this_week=None,
        packs={},
        prefix="!",
    )
    shown = fields(embed)
    assert "`!challenge start`" in (embed.description or "")
    assert shown["Rank"] == "— all time\n— this week"
    assert shown["Day streak"] == "0 days"
    assert shown["Accuracy"] == "0% (0 correct)"


# ------------------------------------------------------------------ badges, packs


def two_packs() -> list[Pack]:
    """Two packs with their own badges, for the badge and pack listings."""
    first = make_pack(emoji="🪜", name="Step Counter", description="Get them all.")
    second = Pack.model_validate(
        {
            **first.model_dump(),
            "id": "other",
            "title": "Other pack",
            "badge": {"name": "Sharp", "emoji": "🎯", "rule": "min_correct", "threshold": 1},
            "problems": [make_problem("q1", level="expert"), make_problem("q2")],
        }
    )
    return [first, second]


def test_badges_marks_held_badges_with_the_date() -> None:
    """A held badge says when it was earned; the others say not yet."""
    packs = two_packs()
    day = datetime(2025, 3, 11, 10, tzinfo=UTC).timestamp()
    embed = badges_embed(packs, [AwardedBadge(GUILD, 7, "Sharp", "other", day)], prefix="!")
    shown = fields(embed)
    assert list(shown) == ["🪜 Step Counter", "🎯 Sharp"]
    assert shown["🎯 Sharp"] == (
        "Answer at least 1 problem of the pack correctly.\n"
        "Pack: `other` (Other pack)\n"
        "✅ Earned 11 Mar 2025"
    )
    assert shown["🪜 Step Counter"].startswith("Get them all.\n")
    assert shown["🪜 Step Counter"].endswith("Not earned yet")


def test_a_badge_of_the_same_name_from_another_pack_is_not_held() -> None:
    """Holding is matched on pack and badge name together."""
    packs = two_packs()
    held = [AwardedBadge(GUILD, 7, "Sharp", "tiny", 0.0)]
    assert fields(badges_embed(packs, held, prefix="!"))["🎯 Sharp"].endswith("Not earned yet")


@pytest.mark.parametrize(
    ("rule", "threshold", "expected"),
    [
        ("all_correct", None, "Answer all 5 problems of the pack correctly."),
        ("all_first_try", None, "Answer all 5 problems of the pack correctly on the first try."),
        ("min_correct", 3, "Answer at least 3 problems of the pack correctly."),
    ],
)
def test_how_to_earn_spells_out_the_rule_without_a_description(
    rule: str, threshold: int | None, expected: str
) -> None:
    """A badge without a description is explained by its rule."""
    badge = Badge.model_validate({"name": "B", "emoji": "🏅", "rule": rule, "threshold": threshold})
    assert how_to_earn(badge, 5) == expected


def test_packs_lists_size_levels_badge_and_start_command() -> None:
    """Each pack field has its id, problem count, level counts, badge and start command."""
    embed = packs_embed(two_packs(), prefix="?")
    shown = fields(embed)
    assert shown["Other pack"] == (
        "`other` · 2 problems\n"
        "Levels: 1 beginner · 1 expert\n"
        "Time: all 2: up to 2 min\n"
        "Badge: 🎯 Sharp\n"
        "Start: `?challenge start other`"
    )
    assert "fresh" not in str(embed.to_dict())  # not offered unless the runner is on


def long_pack() -> Pack:
    """Seven problems, hardest first: 2 expert (300 s), 2 intermediate (90 s), 3 beginner (60 s)."""
    levels = [("expert", 300)] * 2 + [("intermediate", 90)] * 2 + [("beginner", 60)] * 3
    return make_pack(
        *(
            make_problem(f"p{n}", level=level, time_limit=limit)
            for n, (level, limit) in enumerate(levels)
        )
    )


def test_a_long_pack_shows_the_default_five_and_the_whole_pack() -> None:
    """The five a challenge plays are the easiest; both times are the sums of time limits."""
    shown = fields(packs_embed([long_pack()], prefix="!"))["Tiny pack"]
    lines = shown.splitlines()
    assert lines[1] == "Levels: 3 beginner · 2 intermediate · 2 expert"
    assert lines[2] == "Time: 5 problems: up to 6 min · all 7: up to 16 min"  # 360 s, 960 s
    assert lines[-1] == "Start: `!challenge start tiny` · all of it: `!challenge start tiny 7`"


def test_times_follow_the_servers_timer_and_round_up() -> None:
    """With time limits halved, 360 s is 3 min and 960 s is 8; 90 s (2 of 60 s at 0.75) is 2."""
    embed = packs_embed([long_pack(), two_packs()[1]], prefix="!", timer_scale=0.5)
    assert "up to 3 min · all 7: up to 8 min" in fields(embed)["Tiny pack"]
    assert "with this server's time limits multiplied by 0.5" in (embed.description or "")
    quicker = packs_embed([two_packs()[1]], prefix="!", timer_scale=0.75)
    assert "Time: all 2: up to 2 min" in fields(quicker)["Other pack"]
    assert "multiplied" not in (packs_embed(two_packs(), prefix="!").description or "")


def test_fresh_is_listed_when_the_runner_can_make_it() -> None:
    """`fresh`: how many problems, from which levels and schedulers, how long, how to start."""
    fresh = FreshPacks(
        count=5,
        time_limit=120,
        levels=(Level.INTERMEDIATE, Level.BEGINNER, Level.EXPERT),
        schedulers=("StepLR", "CyclicLR"),
    )
    embed = packs_embed(two_packs(), prefix="!", fresh=fresh)
    assert list(fields(embed))[-1] == "✨ Fresh problems"
    assert fields(embed)["✨ Fresh problems"] == (
        "`fresh` · 5 new problems every time (predict the output, find the bug), every "
        "number computed by torch\n"
        "Levels: beginner to expert, easiest first\n"
        "Schedulers: CyclicLR, StepLR\n"
        "Time: up to 10 min\n"
        "Start: `!challenge start fresh`"
    )


def test_many_packs_stay_within_discord_limits() -> None:
    """Forty packs: at most 25 fields, 6,000 characters, and a footer saying how many more."""
    base = two_packs()[0]
    packs = [
        Pack.model_validate(
            {**base.model_dump(), "id": f"pack-{n}", "title": f"Pack {n} " + "x" * 80}
        )
        for n in range(40)
    ]
    for embed in (packs_embed(packs, prefix="!"), badges_embed(packs, [], prefix="!")):
        assert len(embed.fields) <= 25
        assert len(embed) <= 6000
        assert embed.footer.text is not None
        assert embed.footer.text.startswith("…and ")
