"""The daily problem's embeds and texts: the problem and its reveal (a challenge problem's,
dated), `!daily`, streaks, and the replies of `!admin daily`. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import discord

from bot.challenges.daily_turns import Turn, TurnResult
from bot.engine.daily_times import DailyTime
from bot.engine.pace import Progress
from bot.engine.session import OpenProblem
from bot.engine.streaks import Streak
from bot.features.challenge import render as challenge_render
from bot.features.common import embeds
from bot.features.common.embeds import message_link

COLOUR = discord.Colour.teal()
CALENDAR = "📅"
# `/hint` is the challenges': the daily problem's hint comes by DM only.
HINT_NEEDS_DMS = "I can't DM you the daily problem's hint: open your DMs to get it."


def day_text(day: date) -> str:
    """ "Tuesday 4 March 2025": the local day a problem is the daily problem of."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def problem_embed(opened: OpenProblem, progress: Progress, day: date) -> discord.Embed:
    """A challenge problem's embed, as the daily problem of `day`, open until the next one."""
    embed = challenge_render.problem_embed(opened, progress)
    embed.title = embeds.clip(f"{CALENDAR} {opened.problem.title}", embeds.TITLE)
    embed.colour = COLOUR
    embed.set_author(name=f"Daily problem · {day_text(day)}")
    closes = int(opened.deadline)
    for index, existing in enumerate(embed.fields):
        if existing.name == "Time":
            embed.set_field_at(
                index,
                name="Open until",
                value=f"the next daily problem, <t:{closes}:R> (<t:{closes}:f>)",
                inline=False,
            )
    return embed


def reveal_embed(revealed: discord.Embed, day: date, link: str | None) -> discord.Embed:
    """A challenge reveal, marked as the answer to `day`'s daily problem (linked to it)."""
    revealed.set_author(
        name=f"{CALENDAR} The answer to the daily problem of {day_text(day)}", url=link
    )
    return revealed


def streak_text(streak: Streak | None) -> str:
    """ "🔥 3 days in a row (best 5)": a member's daily streak, for `!daily` and `!profile`."""
    if streak is None or (streak.current == 0 and streak.best == 0):
        return "none yet"
    if streak.current == 0:
        return f"none going (best {_days(streak.best)})"
    best = f" (best {_days(streak.best)})" if streak.best > streak.current else ""
    return f"🔥 {_days(streak.current)} in a row{best}"


@dataclass(frozen=True)
class Today:
    """The daily problem out now in a server, as `!daily` shows it."""

    day: date
    title: str
    link: str
    closes: float | None  # its deadline (None: not known here)
    answered: int | None  # members who answered it, when this process plays it


def daily_embed(
    *,
    guild_name: str,
    schedule: tuple[DailyTime, int] | None,
    next_at: float | None,
    today: Today | None,
    yours: Streak | None,
    best: Sequence[tuple[int, Streak]],
    prefix: str,
) -> discord.Embed:
    """`!daily`: today's problem (a link), your streak and the server's best streaks.

    `schedule` is the posting time and channel while daily problems are on (None: off).
    """
    title = f"{CALENDAR} Daily problem · {guild_name}"
    embed = discord.Embed(title=embeds.clip(title, embeds.TITLE), colour=COLOUR)
    lines = []
    if today is not None:
        lines.append(f"**[{discord.utils.escape_markdown(today.title)}]({today.link})**")
        about = f"The problem of {day_text(today.day)}"
        if today.closes is not None and schedule is None:  # else the next one says when
            about += f", open until <t:{int(today.closes)}:R>"
        if today.answered is not None:
            who = "member has" if today.answered == 1 else "members have"
            about += f"; {today.answered} {who} answered"
        lines.append(about + ".")
    if schedule is None:
        lines.append(
            "Daily problems are off on this server. A member with Manage Server starts them "
            f"with `{prefix}admin daily #channel 09:00 Europe/Paris`."
        )
    else:
        when, channel_id = schedule
        lines.append(
            f"A new one every day at **{when.clock_text}** ({when.zone}) in <#{channel_id}>"
            + (f"; the next <t:{int(next_at)}:R>." if next_at is not None else ".")
        )
    if today is None and schedule is not None:
        lines.append("None is out yet.")
    embed.description = "\n".join(lines)
    embed.add_field(name="Your streak", value=_your_streak(yours), inline=False)
    ranked = [
        f"{rank}. <@{user_id}> · {_days(streak.current)}"
        for rank, (user_id, streak) in enumerate(best, start=1)
    ]
    embed.add_field(
        name="Best streaks here",
        value=embeds.join_lines(ranked, embeds.FIELD_VALUE) if ranked else "Nobody has one yet.",
        inline=False,
    )
    embed.set_footer(text="A streak counts the daily problems you solved in a row.")
    return embed


def _your_streak(streak: Streak | None) -> str:
    text = streak_text(streak)
    if streak is not None and streak.solved_open:
        return f"{text}: you solved today's ✅"
    if streak is not None and streak.current:
        return f"{text}: solve today's to make it {streak.current + 1}"
    return f"{text.capitalize()}: solve today's problem to start one."


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


# -- `!admin daily` ------------------------------------------------------------------------


def schedule_line(when: DailyTime, channel_id: int, next_at: float) -> str:
    """The schedule in one line: where, at what local time, and when the next one comes."""
    return (
        f"every day at **{when.clock_text}** ({when.zone}) in <#{channel_id}>; "
        f"the next <t:{int(next_at)}:R> (<t:{int(next_at)}:f>)"
    )


def schedule_set_text(
    when: DailyTime, channel_id: int, next_at: float, *, today_open_until: float | None, prefix: str
) -> str:
    """The reply to setting a schedule."""
    text = (
        f"{CALENDAR} A daily problem is posted {schedule_line(when, channel_id, next_at)}. "
        "Each stays open until the next one, and its answer comes just before it. "
        f"`{prefix}admin daily now` posts today's at once; `{prefix}admin daily off` stops them."
    )
    if today_open_until is not None:
        text += f"\nToday's problem stays open until <t:{int(today_open_until)}:f>."
    return text


def schedule_shown_text(
    when: DailyTime | None, channel_id: int | None, next_at: float | None, *, prefix: str
) -> str:
    """The reply to `!admin daily`: the schedule, or how to set one."""
    example = f"`{prefix}admin daily #channel 09:00 Europe/Paris`"
    if when is None or channel_id is None or next_at is None:
        return f"Daily problems are off. Start them with {example} (the time zone defaults to UTC)."
    return (
        f"{CALENDAR} Daily problems: {schedule_line(when, channel_id, next_at)}. "
        f"Change it with {example}, stop it with `{prefix}admin daily off`."
    )


def schedule_off_text(was_on: bool, open_until: float | None, *, prefix: str) -> str:
    """The reply to `!admin daily off`."""
    if not was_on:
        return (
            "Daily problems were already off. "
            f"Start them with `{prefix}admin daily #channel 09:00`."
        )
    text = "Daily problems are off; no new one will be posted."
    if open_until is not None:
        text += f" Today's stays open until <t:{int(open_until)}:R>, then its answer is posted."
    return text


def post_now_text(turn: Turn, guild_id: int) -> str:
    """The reply to `!admin daily now`: posted, out already, or being posted elsewhere."""
    record = turn.record
    if turn.result is TurnResult.HELD or record is None or record.channel_id is None:
        return (
            "Another Anneal process is posting today's problem right now; "
            "it should be out in a moment."
        )
    link = message_link(guild_id, record.channel_id, record.message_id)
    if turn.result is TurnResult.POSTED:
        return f"{CALENDAR} Today's daily problem is out: {link}"
    return f"Today's daily problem is already out: {link}"
