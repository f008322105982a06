"""Tests for bot.features.daily.render: the daily problem and its reveal as challenge
embeds with their day, `!daily`, streak texts and the replies of `!admin daily`."""

from __future__ import annotations

from datetime import date

import pytest

from bot.challenges.daily_turns import Turn, TurnResult
from bot.engine.daily_times import DailyTime
from bot.engine.pace import Progress
from bot.engine.session import OpenProblem, Reveal
from bot.engine.streaks import Streak
from bot.features.challenge.render import reveal_embed
from bot.features.daily.render import (
    Today,
    daily_embed,
    day_text,
    post_now_text,
    problem_embed,
    schedule_off_text,
    schedule_set_text,
    schedule_shown_text,
    streak_text,
)
from bot.features.daily.render import reveal_embed as daily_reveal_embed
from bot.storage import DailyRecord
from tests.engine.conftest import make_pack

MONDAY = date(2025, 3, 3)
GUILD, CHANNEL, MESSAGE = 1, 2, 3
LINK = f"https://discord.com/channels/{GUILD}/{CHANNEL}/{MESSAGE}"


def fields(embed: object) -> dict[str, str]:
    """An embed's fields by name."""
    return {field.name or "": field.value or "" for field in embed.fields}  # type: ignore[attr-defined]


def test_the_daily_problem_is_the_challenge_card_with_its_day_and_close() -> None:
    """Same prompt, options and attempts as a challenge's; dated; open until the next one."""
    problem = make_pack().problems[0]
    embed = problem_embed(OpenProblem(0, 1, problem, 100.0, 86_500.0), Progress(2, 0), MONDAY)
    assert embed.title == f"📅 {problem.title}"
    assert embed.author.name == "Daily problem · Monday 3 March 2025"
    shown = fields(embed)
    assert shown["Open until"] == "the next daily problem, <t:86500:R> (<t:86500:f>)"
    assert "Time" not in shown
    assert shown["Attempts"] == "2 attempts each"
    assert (embed.footer.text or "").startswith("2 people have answered")


def test_the_reveal_is_marked_with_its_day_and_links_to_the_problem() -> None:
    """The challenge reveal (answer, why not, who) under an author line naming the day."""
    problem = make_pack().problems[0]
    revealed = reveal_embed(Reveal(problem, {1: [7]}, []))
    embed = daily_reveal_embed(revealed, MONDAY, LINK)
    assert embed.author.name == "📅 The answer to the daily problem of Monday 3 March 2025"
    assert embed.author.url == LINK
    assert fields(embed)["Solved by"] == "First try: <@7>"


@pytest.mark.parametrize(
    ("streak", "text"),
    [
        (None, "none yet"),
        (Streak(0, 0), "none yet"),
        (Streak(0, 4), "none going (best 4 days)"),
        (Streak(1, 1), "🔥 1 day in a row"),
        (Streak(3, 3), "🔥 3 days in a row"),
        (Streak(2, 5), "🔥 2 days in a row (best 5 days)"),
    ],
)
def test_streak_texts(streak: Streak | None, text: str) -> None:
    """A streak reads as the run going on, and the best when it is longer."""
    assert streak_text(streak) == text


def daily(**changes: object) -> dict[str, str]:
    """The `!daily` embed's description and fields, for a server on 09:00 UTC by default."""
    values: dict[str, object] = {
        "guild_name": "Study group",
        "schedule": (DailyTime(9, 0), CHANNEL),
        "next_at": 1000.0,
        "today": Today(MONDAY, "Why schedule?", LINK, 1000.0, 3),
        "yours": Streak(2, 2, True),
        "best": [(7, Streak(5, 5)), (8, Streak(2, 2, True))],
        "prefix": "!",
    }
    values.update(changes)
    embed = daily_embed(**values)  # type: ignore[arg-type]
    return {"title": embed.title or "", "description": embed.description or "", **fields(embed)}


def test_daily_links_todays_problem_and_ranks_the_best_streaks() -> None:
    """Today's problem as a link with its day and answers so far, when the next comes,
    your streak (solved today), and the best streaks going."""
    shown = daily()
    assert shown["title"] == "📅 Daily problem · Study group"
    assert shown["description"].splitlines() == [
        f"**[Why schedule?]({LINK})**",
        "The problem of Monday 3 March 2025; 3 members have answered.",
        f"A new one every day at **09:00** (UTC) in <#{CHANNEL}>; the next <t:1000:R>.",
    ]
    assert shown["Your streak"] == "🔥 2 days in a row: you solved today's ✅"
    assert shown["Best streaks here"] == "1. <@7> · 5 days\n2. <@8> · 2 days"


def test_daily_says_how_to_keep_or_start_a_streak() -> None:
    """A run not yet extended today says what solving makes it; none says how to start."""
    assert (
        daily(yours=Streak(3, 3))["Your streak"] == "🔥 3 days in a row: solve today's to make it 4"
    )
    started = daily(yours=None, best=[])
    assert started["Your streak"] == "None yet: solve today's problem to start one."
    assert started["Best streaks here"] == "Nobody has one yet."


def test_daily_when_off_says_how_to_start_and_when_the_open_one_closes() -> None:
    """Off: the problem still open says until when; how a manager starts them."""
    shown = daily(schedule=None, next_at=None)
    assert "open until <t:1000:R>" in shown["description"]
    assert "Daily problems are off on this server." in shown["description"]
    assert "`!admin daily #channel 09:00 Europe/Paris`" in shown["description"]
    assert "None is out yet." in daily(today=None)["description"]


def test_admin_replies_name_the_schedule_and_the_next_time() -> None:
    """Set, shown and off replies: the local time, the zone, the channel, when next."""
    when = DailyTime(9, 30, "Europe/Paris")
    set_text = schedule_set_text(when, CHANNEL, 5000.0, today_open_until=4000.0, prefix="?")
    assert set_text.startswith(
        f"📅 A daily problem is posted every day at **09:30** (Europe/Paris) in <#{CHANNEL}>; "
        "the next <t:5000:R> (<t:5000:f>)."
    )
    assert "`?admin daily now`" in set_text
    assert set_text.endswith("Today's problem stays open until <t:4000:f>.")
    assert schedule_shown_text(when, CHANNEL, 5000.0, prefix="!").startswith(
        "📅 Daily problems: every day at **09:30** (Europe/Paris)"
    )
    assert schedule_shown_text(None, None, None, prefix="!").startswith("Daily problems are off.")
    assert schedule_off_text(True, 4000.0, prefix="!") == (
        "Daily problems are off; no new one will be posted. "
        "Today's stays open until <t:4000:R>, then its answer is posted."
    )
    assert schedule_off_text(False, None, prefix="!").startswith("Daily problems were already off.")


def record(**changes: object) -> DailyRecord:
    """A posted day's row."""
    values: dict[str, object] = {
        "guild_id": GUILD, "day": 20150, "claimed_by": "one", "claimed_at": 0.0, "choice": None,
        "posted_at": 1.0, "channel_id": CHANNEL, "message_id": MESSAGE,
        "reveal_claimed_by": None, "reveal_claimed_at": None, "revealed_at": None,
    }  # fmt: skip
    values.update(changes)
    return DailyRecord(**values)  # type: ignore[arg-type]


def test_now_says_posted_already_out_or_being_posted() -> None:
    """`!admin daily now`: the link when posted or out already; elsewhere: in a moment."""
    assert post_now_text(Turn(TurnResult.POSTED, record()), GUILD) == (
        f"📅 Today's daily problem is out: {LINK}"
    )
    assert post_now_text(Turn(TurnResult.DONE, record()), GUILD) == (
        f"Today's daily problem is already out: {LINK}"
    )
    held = post_now_text(Turn(TurnResult.HELD, record(posted_at=None)), GUILD)
    assert held.startswith("Another Anneal process is posting today's problem right now")


def test_days_read_in_full() -> None:
    """A day is written as players read it."""
    assert day_text(date(2025, 12, 25)) == "Thursday 25 December 2025"
