"""The stats embeds: a server's standings, a profile, the badges and the packs.

Pure functions from storage rows and content packs to embeds (unit-tested with plain rows).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

import discord

from bot.content import FRESH_PACK_ID
from bot.engine.problems import Badge, BadgeRule, Level, Pack, Problem
from bot.features.common import embeds
from bot.features.stats.weeks import Board, Window
from bot.storage import AwardedBadge, LeaderboardRow, Profile

COLOUR = discord.Colour.blurple()
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}
# How many problems `!challenge start <pack>` plays when no count is given, easiest first.
DEFAULT_PROBLEM_COUNT: Final = 5
BOARD_TITLES = {Board.WEEK: "this week", Board.LASTWEEK: "last week", Board.ALL: "all time"}
FALLBACK_BADGE_EMOJI = "🏅"  # for a badge whose pack is no longer shipped


def leaderboard_embed(
    rows: Sequence[LeaderboardRow],
    *,
    span: Window,
    guild_name: str,
    caller_id: int,
    caller_row: LeaderboardRow | None,
    prefix: str,
) -> discord.Embed:
    """The top rows, then the caller's own line if they are below them.

    `caller_row` is the caller's standing in the same window (None: no answers in it).
    """
    title = f"🏆 {guild_name}: {BOARD_TITLES[span.board]}"
    embed = discord.Embed(title=embeds.clip(title, embeds.TITLE), colour=COLOUR)
    lines = [describe_window(span), ""]
    if not rows:
        lines.append(
            f"Nobody has answered a problem {_in_window(span.board)}. "
            f"Start a challenge with `{prefix}challenge start`."
        )
    lines.extend(_standing_line(row, you=row.user_id == caller_id) for row in rows)
    shown = {row.user_id for row in rows}
    if caller_row is not None and caller_row.user_id not in shown:
        lines.extend(["⋯", _standing_line(caller_row, you=True)])
    embed.description = embeds.join_lines(lines, embeds.DESCRIPTION)
    if caller_row is None and rows:
        embed.set_footer(text=f"You have no answers {_in_window(span.board)} yet.")
    return embed


def describe_window(span: Window) -> str:
    """One line saying which answers count, in Discord timestamps (shown in local time)."""
    if span.since is None or span.until is None:
        return "Every answer ever given in this server."
    since, until = round(span.since), round(span.until)
    if span.board is Board.WEEK:
        start = "the weekly reset" if span.after_reset else "Monday"
        return f"Since {start} <t:{since}:f>; a new week starts <t:{until}:R>."
    start = " (after a reset)" if span.after_reset else ""
    return f"From <t:{since}:f>{start} to <t:{until}:f>."


def profile_embed(
    profile: Profile,
    *,
    name: str,
    all_time: LeaderboardRow | None,
    this_week: LeaderboardRow | None,
    packs: Mapping[str, Pack],
    prefix: str,
) -> discord.Embed:
    """Points (all time and this week), answers, accuracy, streak, rank and dated badges.

    `all_time`/`this_week` are the player's leaderboard rows; `packs` (by id) give the
    badges their emoji.
    """
    title = f"📇 {name}"
    embed = discord.Embed(title=embeds.clip(title, embeds.TITLE), colour=COLOUR)
    if profile.answered == 0:
        embed.description = f"No answers in this server yet. Start with `{prefix}challenge start`."
    week_points = this_week.points if this_week is not None else 0
    streak = f"{profile.streak} day{'' if profile.streak == 1 else 's'}"
    embeds.add_fields(
        embed,
        [
            ("Points", f"**{profile.points:,}** all time\n{week_points:,} this week", True),
            ("Rank", f"{_rank(all_time)} all time\n{_rank(this_week)} this week", True),
            ("Answered", f"{profile.answered:,} problem{_s(profile.answered)}", True),
            ("Accuracy", f"{profile.accuracy:.0%} ({profile.correct:,} correct)", True),
            ("Day streak", ("🔥 " if profile.streak else "") + streak, True),
            ("Badges", _badge_lines(profile.badges, packs), False),
        ],
    )
    return embed


def badges_embed(
    packs: Iterable[Pack], held: Sequence[AwardedBadge], *, prefix: str
) -> discord.Embed:
    """Every badge the packs offer, how to earn it, and which of them are `held` (dated)."""
    earned = {(badge.pack_id, badge.badge): badge for badge in held}
    embed = discord.Embed(
        title="🏅 Badges",
        description=(
            f"Finish a pack's challenge (`{prefix}challenge start <pack>`) to earn its badge. "
            "✅ marks the badges you hold, with the day you earned them."
        ),
        colour=COLOUR,
    )
    fields = []
    for pack in packs:
        badge = pack.badge
        award = earned.get((pack.id, badge.name))
        status = (
            f"✅ Earned {format_day(award.awarded_on)}" if award is not None else "Not earned yet"
        )
        how = how_to_earn(badge, len(pack.problems))
        value = f"{how}\nPack: `{pack.id}` ({pack.title})\n{status}"
        fields.append((f"{badge.emoji} {badge.name}", value, False))
    left_out = embeds.add_fields(embed, fields)
    if left_out:
        embed.set_footer(text=f"…and {left_out} more: see {prefix}packs")
    return embed


@dataclass(frozen=True)
class FreshPacks:
    """What `!packs` says of `fresh`: generated problems, each answer computed by torch."""

    count: int  # problems in one generated pack
    time_limit: int  # the most seconds one problem allows, before the server's timer scale
    levels: tuple[Level, ...]  # the levels its problems come in
    schedulers: tuple[str, ...]


def packs_embed(
    packs: Iterable[Pack],
    *,
    prefix: str,
    timer_scale: float = 1.0,
    fresh: FreshPacks | None = None,
) -> discord.Embed:
    """Each pack: id, size, levels, how long it can take, badge and the command that starts it.

    Times are upper bounds (every problem open until its deadline, scaled by the server's
    timer), because that is all that can be promised: a problem closes a few seconds after
    everyone playing has answered, so a keen group finishes sooner. `fresh` is listed
    only when given (the bot generates it with torch, which may be off).
    """
    timer = (
        ""
        if timer_scale == 1
        else f", with this server's time limits multiplied by {timer_scale:g}"
    )
    embed = discord.Embed(
        title="📚 Problem packs",
        description=(
            "Each pack is one timed challenge. Answer by reacting 🇦 🇧 🇨 🇩.\n"
            f"A challenge plays {DEFAULT_PROBLEM_COUNT} problems, easiest first, unless you "
            "add how many. Times are the most it can take"
            f"{timer}: a problem closes a few seconds after everyone has answered."
        ),
        colour=COLOUR,
    )
    fields = [(pack.title, _pack_text(pack, prefix, timer_scale), False) for pack in packs]
    if fresh is not None:
        fields.append(("✨ Fresh problems", _fresh_text(fresh, prefix, timer_scale), False))
    left_out = embeds.add_fields(embed, fields)
    if left_out:
        embed.set_footer(text=f"…and {left_out} more packs")
    return embed


def challenge_minutes(problems: Sequence[Problem], timer_scale: float) -> int:
    """The most minutes a challenge of these problems can take: every one to its deadline."""
    return math.ceil(sum(p.time_limit for p in problems) * timer_scale / 60)


def default_set(pack: Pack) -> list[Problem]:
    """The problems a challenge plays when no count is given: the easiest first."""
    order = {level: rank for rank, level in enumerate(Level)}
    easiest = sorted(pack.problems, key=lambda problem: order[problem.level])  # stable
    return easiest[:DEFAULT_PROBLEM_COUNT]


def _pack_text(pack: Pack, prefix: str, timer_scale: float) -> str:
    levels = Counter(problem.level for problem in pack.problems)
    level_text = " · ".join(f"{levels[level]} {level}" for level in Level if levels[level])
    count = len(pack.problems)
    start = f"{prefix}challenge start {pack.id}"
    everything = challenge_minutes(pack.problems, timer_scale)
    if count > DEFAULT_PROBLEM_COUNT:
        default = challenge_minutes(default_set(pack), timer_scale)
        time = (
            f"{DEFAULT_PROBLEM_COUNT} problems: up to {default} min · "
            f"all {count}: up to {everything} min"
        )
        how = f"`{start}` · all of it: `{start} {count}`"
    else:
        time = f"all {count}: up to {everything} min"
        how = f"`{start}`"
    return (
        f"`{pack.id}` · {count} problem{_s(count)}\n"
        f"Levels: {level_text}\n"
        f"Time: {time}\n"
        f"Badge: {pack.badge.emoji} {pack.badge.name}\n"
        f"Start: {how}"
    )


def _fresh_text(fresh: FreshPacks, prefix: str, timer_scale: float) -> str:
    minutes = math.ceil(fresh.count * fresh.time_limit * timer_scale / 60)
    levels = [level for level in Level if level in fresh.levels]
    span = levels[0].value if len(levels) == 1 else f"{levels[0]} to {levels[-1]}"
    return (
        f"`{FRESH_PACK_ID}` · {fresh.count} new problems every time (predict the output, "
        "find the bug), every number computed by torch\n"
        f"Levels: {span}, easiest first\n"
        f"Schedulers: {', '.join(sorted(fresh.schedulers))}\n"
        f"Time: up to {minutes} min\n"
        f"Start: `{prefix}challenge start {FRESH_PACK_ID}`"
    )


def how_to_earn(badge: Badge, problem_count: int) -> str:
    """The badge's own description, or its rule in words when it has none."""
    if badge.description.strip():
        return " ".join(badge.description.split())
    match badge.rule:
        case BadgeRule.ALL_CORRECT:
            return f"Answer all {problem_count} problems of the pack correctly."
        case BadgeRule.ALL_FIRST_TRY:
            return f"Answer all {problem_count} problems of the pack correctly on the first try."
        case BadgeRule.MIN_CORRECT:
            count = badge.threshold or 0
            return f"Answer at least {count} problem{_s(count)} of the pack correctly."


def format_day(day: date) -> str:
    """A day as `10 Mar 2025`: one format for every date the stats show."""
    return f"{day.day} {day:%b %Y}"


def _standing_line(row: LeaderboardRow, *, you: bool) -> str:
    place = MEDALS.get(row.rank, f"`{row.rank}.`")
    name = f"**{embeds.player_name(row.display_name)}**"
    suffix = " ← you" if you else ""
    return f"{place} {name} · {row.points:,} pts · {row.correct}/{row.answered} correct{suffix}"


def _in_window(board: Board) -> str:
    return {Board.WEEK: "this week", Board.LASTWEEK: "last week", Board.ALL: "here"}[board]


def _rank(row: LeaderboardRow | None) -> str:
    return "—" if row is None else f"#{row.rank}"


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _badge_lines(badges: Sequence[AwardedBadge], packs: Mapping[str, Pack]) -> str:
    if not badges:
        return "None yet: finish a pack to earn its badge."
    lines = [
        f"{_badge_emoji(badge, packs)} **{discord.utils.escape_markdown(badge.badge)}**"
        f" · {format_day(badge.awarded_on)}"
        for badge in badges
    ]
    return embeds.join_lines(lines, embeds.FIELD_VALUE)


def _badge_emoji(badge: AwardedBadge, packs: Mapping[str, Pack]) -> str:
    pack = packs.get(badge.pack_id or "")
    if pack is not None and pack.badge.name == badge.badge:
        return pack.badge.emoji
    return FALLBACK_BADGE_EMOJI
