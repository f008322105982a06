"""The weekly digest as an embed, and the replies of `admin digest`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime

import discord

from bot.engine.problems import Pack
from bot.features.common import embeds
from bot.features.digest.reading import Digest
from bot.features.organiser.render import missed_line
from bot.features.stats.render import FALLBACK_BADGE_EMOJI, describe_window, standing_line
from bot.features.stats.weeks import DAY
from bot.storage import DigestSchedule

COLOUR = discord.Colour.teal()
FOOTER_MARK = "Anneal weekly digest"  # with the week: how a digest is found in a channel


def week_label(week_start: float) -> str:
    """The ISO week of a Monday, as `2025-W10`."""
    year, week, _ = datetime.fromtimestamp(week_start, UTC).isocalendar()
    return f"{year}-W{week:02d}"


def footer_text(week_start: float) -> str:
    """The digest's footer: it names the week, so a restarted bot can find what it posted."""
    return f"{FOOTER_MARK} · {week_label(week_start)} · every Monday 00:00 UTC"


def _days(week_start: float) -> str:
    first = datetime.fromtimestamp(week_start, UTC)
    last = datetime.fromtimestamp(week_start + 6 * DAY, UTC)
    start = f"{first.day} {first:%B}" if first.month != last.month else str(first.day)
    if first.year != last.year:
        start += f" {first.year}"
    return f"{start} to {last.day} {last:%B %Y}"


def digest_embed(digest: Digest, packs: Mapping[str, Pack], *, prefix: str) -> discord.Embed:
    """Last week in one embed: activity, top 10, badges earned, the most-missed problem."""
    embed = discord.Embed(title=f"📬 Weekly digest: {_days(digest.week_start)}", colour=COLOUR)
    if not digest.board:
        embed.description = (
            "Nobody answered a problem last week. A new week has begun: "
            f"`{prefix}challenge start` plays one."
        )
    else:
        members = f"{digest.members} member" + ("" if digest.members == 1 else "s")
        problems = f"{digest.answered:,} problem" + ("" if digest.answered == 1 else "s")
        embed.description = f"{members} answered {problems}. {describe_window(digest.span)}"
        lines = [standing_line(row) for row in digest.board]
        embed.add_field(
            name="🏆 Top 10", value=embeds.join_lines(lines, embeds.FIELD_VALUE), inline=False
        )
    embed.add_field(name="🏅 Badges earned", value=_badges(digest, packs), inline=False)
    if digest.most_missed is not None:
        embed.add_field(name="🎯 Most missed", value=_most_missed(digest, prefix), inline=False)
    embed.set_footer(text=footer_text(digest.week_start))
    return embed


def _badges(digest: Digest, packs: Mapping[str, Pack]) -> str:
    if not digest.badges:
        return "No new badge last week."
    holders: dict[str, list[int]] = defaultdict(list)
    names: dict[str, str] = {}
    for award in digest.badges:
        key = award.pack_id or award.badge
        holders[key].append(award.user_id)
        pack = packs.get(award.pack_id or "")
        emoji = pack.badge.emoji if pack is not None else FALLBACK_BADGE_EMOJI
        names[key] = f"{emoji} **{discord.utils.escape_markdown(award.badge)}**"
    lines = [
        f"{names[key]}: {', '.join(f'<@{u}>' for u in users)}" for key, users in holders.items()
    ]
    return embeds.join_lines(lines, embeds.FIELD_VALUE)


def _most_missed(digest: Digest, prefix: str) -> str:
    missed = digest.most_missed
    assert missed is not None  # the caller checked
    line = missed_line(None, missed.accuracy, missed.problem)
    scheduler = missed.scheduler
    if scheduler is None:
        return line
    return (
        f"{line}\nPractise its scheduler: `{prefix}practice {scheduler}` · "
        f"read its card: `{prefix}learn {scheduler}`"
    )


def schedule_text(
    schedule: DigestSchedule | None, *, next_at: float, last_message: str | None, prefix: str
) -> str:
    """`admin digest` alone: where the digest goes and when, or how to set it."""
    if schedule is None:
        return (
            "No weekly digest is set. "
            f"`{prefix}admin digest #channel` posts one there every Monday at 00:00 UTC: "
            "last week's top 10, the badges earned and the most-missed problem."
        )
    text = (
        f"📬 The weekly digest goes to <#{schedule.channel_id}> every Monday at 00:00 UTC; "
        f"the next one <t:{round(next_at)}:R>."
    )
    if last_message is not None:
        text += f" The last one: <{last_message}>."
    return text + f" `{prefix}admin digest off` stops it."


def set_text(channel_id: int, before: DigestSchedule | None, *, next_at: float) -> str:
    """The confirmation of `admin digest #channel`."""
    text = (
        f"📬 The weekly digest goes to <#{channel_id}> every Monday at 00:00 UTC, the next "
        f"one <t:{round(next_at)}:F> (<t:{round(next_at)}:R>): last week's top 10, the badges "
        "earned and the most-missed problem."
    )
    if before is not None and before.channel_id != channel_id:
        text += f" It went to <#{before.channel_id}> before."
    return text
