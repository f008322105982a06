"""The embeds and texts of `!stats`: a server's overview, one problem, and the export.

Pure functions from the numbers (`numbers.py`) and the problems they are about to
embeds; the charts are attachments the embeds show (`attachment://<name>`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import discord

from bot.engine.problems import Problem
from bot.features.common import embeds
from bot.features.organiser.export import COLUMNS, Export
from bot.features.organiser.numbers import (
    WEEKS_SHOWN,
    GroupAccuracy,
    ProblemAccuracy,
    ServerStatistics,
)
from bot.storage import ProblemOutcome

COLOUR = discord.Colour.blurple()
OVERVIEW_CHART = "stats.png"
PROBLEM_CHART = "problem.png"
OPTION_TEXT = 40  # characters of an option's text quoted beside its letter
# Whose attempts these are, said under every statistic (and in `!help`).
SCOPE = (
    "This server's challenges, daily problems and races. Practice and review in DMs are "
    "each member's own and never counted here."
)


def percent(part: int, whole: int) -> str:
    """`part` of `whole` as a whole percentage ("0%" of nothing)."""
    return f"{part / whole:.0%}" if whole else "0%"


def empty_text(guild_name: str, prefix: str) -> str:
    """What `!stats` says before the server's first answer."""
    return (
        f"📊 No answers in **{embeds.clip(guild_name, 100)}** yet, so there are no statistics. "
        f"They start with the first answer: `{prefix}challenge start`."
    )


def overview_embed(
    stats: ServerStatistics, problems: Mapping[str, Problem], *, guild_name: str, prefix: str
) -> discord.Embed:
    """The numbers beside the weekly chart: most missed, and accuracy by scheduler and kind."""
    title = f"📊 {guild_name}: statistics"
    right = sum(p.right for p in stats.problems)
    description = (
        f"**{stats.first_tries:,}** first tries on **{len(stats.problems):,}** problems: "
        f"**{percent(right, stats.first_tries)}** right. The chart shows the last "
        f"{WEEKS_SHOWN} weeks."
    )
    embed = discord.Embed(
        title=embeds.clip(title, embeds.TITLE), description=description, colour=COLOUR
    )
    missed = [
        _missed_line(rank, p, problems.get(p.problem_id))
        for rank, p in enumerate(stats.most_missed, 1)
    ]
    if stats.hidden:
        missed.append(f"*{_count(stats.hidden, 'missed problem')} in play right now: not listed.*")
    if not missed:
        missed.append("Nothing missed yet: every first try was right.")
    fields = [
        ("❌ Most missed (first tries)", missed),
        ("🗓️ Accuracy by scheduler", [_group_line(g) for g in stats.by_scheduler]),
        ("🧩 Accuracy by kind", [_group_line(g) for g in stats.by_kind]),
    ]
    embeds.add_fields(
        embed,
        (
            (name, embeds.join_lines(lines, embeds.FIELD_VALUE), False)
            for name, lines in fields
            if lines
        ),
        reserve=600,
    )
    notes = [SCOPE, "Accuracy counts first tries. Weeks start Monday 00:00 UTC."]
    if stats.unknown:
        notes.append(
            f"{_count(len(stats.unknown), 'problem')} played are in no pack any more: counted "
            "in the totals, not by scheduler or kind."
        )
    notes.append(f"One problem in detail: {prefix}stats problem <id>")
    embed.set_footer(text=embeds.clip(" ".join(notes), embeds.FOOTER))
    embed.set_image(url=f"attachment://{OVERVIEW_CHART}")
    return embed


def problem_embed(
    accuracy: ProblemAccuracy, outcome: ProblemOutcome, problem: Problem | None
) -> discord.Embed:
    """One problem: its first tries per option (the chart), accuracy, and who solved it."""
    name = problem.title if problem is not None else accuracy.problem_id
    embed = discord.Embed(
        title=embeds.clip(f"📊 {name}", embeds.TITLE),
        description=problem_subtitle(accuracy, outcome),
        colour=COLOUR,
    )
    lines = []
    letters = sorted({*accuracy.picks, *(problem.options if problem is not None else ())})
    for option in letters:
        count = accuracy.picks.get(option, 0)
        mark = "✅" if option in accuracy.right_options else "▫️"
        text = _option_text(problem, option)
        share = percent(count, accuracy.first_tries)
        lines.append(f"{mark} **{option}** · {count:,} ({share}){text}")
    embeds.add_fields(
        embed,
        [("First tries per option", embeds.join_lines(lines, embeds.FIELD_VALUE), False)],
    )
    about = f"`{accuracy.problem_id}`"
    if problem is not None:
        about += f" · {problem.kind.label} · {', '.join(problem.subject)}"
    embed.add_field(name="Problem", value=embeds.clip(about, embeds.FIELD_VALUE), inline=False)
    embed.set_footer(text=SCOPE)
    embed.set_image(url=f"attachment://{PROBLEM_CHART}")
    return embed


def problem_subtitle(accuracy: ProblemAccuracy, outcome: ProblemOutcome) -> str:
    """ "47 first tries · 26% right · 30 of 47 solved it in the end" (also the chart's)."""
    return (
        f"{accuracy.first_tries:,} first tries · {percent(accuracy.right, accuracy.first_tries)} "
        f"right · {outcome.solved:,} of {outcome.played:,} solved it in the end"
    )


def not_played_text(problem_id: str, *, known: bool, prefix: str) -> str:
    """Why `!stats problem <id>` has nothing to show."""
    shown = embeds.clip(problem_id, 80).replace("`", "'")
    what = f"`{shown}`" if known else f"There is no problem `{shown}` in the packs, and it"
    return (
        f"{what} has no answers in this server yet. `/stats problem` suggests the problems "
        f"played here; `{prefix}stats` lists the most missed."
    )


def in_play_text(problem_id: str) -> str:
    """Why a problem's statistics wait for its reveal."""
    return (
        f"`{problem_id}` is in play in this server right now: its statistics would give "
        "away the picks. Ask again after its reveal."
    )


def export_text(export: Export, *, guild_name: str) -> str:
    """The message that carries the export's files (the first one, if there are several)."""
    files = export.files
    lines = [f"📄 **{embeds.clip(guild_name, 100)}**: {export.rows:,} attempts as CSV."]
    if export.compressed:
        lines.append(
            "It is larger than Discord lets me attach, so it is gzip-compressed (`.csv.gz`: "
            "most spreadsheet tools and `gunzip` open it)."
        )
    if len(files) > 1:
        lines.append(f"It comes in {len(files)} parts of whole rows, each with the header.")
    if not export.complete:
        lines.append(
            f"⚠️ Only the first {export.rows_written:,} attempts fit (up to "
            f"{export.last_written_at}); the later ones are not in this export."
        )
    lines.append("Columns: " + ", ".join(f"`{c}`" for c in COLUMNS) + ". Times are UTC.")
    return "\n".join(lines)


def _missed_line(rank: int, accuracy: ProblemAccuracy, problem: Problem | None) -> str:
    title = problem.title if problem is not None else accuracy.problem_id
    name = discord.utils.escape_markdown(embeds.clip(title, 60))
    line = (
        f"{rank}. **{name}** (`{accuracy.problem_id}`): "
        f"{percent(accuracy.right, accuracy.first_tries)} right of {accuracy.first_tries:,}"
    )
    trap = accuracy.most_picked_wrong
    if trap is not None:
        option, count = trap
        line += f" · most picked wrong: **{option}** {count:,} times{_option_text(problem, option)}"
    return line


def _group_line(group: GroupAccuracy) -> str:
    problems = _count(group.problems, "problem")
    return (
        f"**{group.name}**: {percent(group.right, group.first_tries)} "
        f"({group.first_tries:,} first tries, {problems})"
    )


def option_text(problem: Problem | None, option: str) -> str:
    """An option's text, one line (empty for an unknown problem or letter)."""
    if problem is None:
        return ""
    texts = (text for letter, text in problem.options.items() if letter == option)
    return " ".join(next(texts, "").split())


def _option_text(problem: Problem | None, option: str) -> str:
    text = option_text(problem, option)
    if not text:
        return ""
    return f" “{discord.utils.escape_markdown(embeds.clip(text, OPTION_TEXT))}”"


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


MAX_SUGGESTIONS = 25  # Discord's limit for autocomplete choices
MAX_CHOICE_NAME = 100


def suggestions(
    played: Iterable[str], current: str, titles: Mapping[str, str]
) -> list[tuple[str, str]]:
    """Autocomplete among the played problem ids: (label, id), ids starting with the typed
    text first, then ids containing it, then titles containing it."""
    typed = current.strip().lower()
    ranked = []
    for pid in played:
        if pid.startswith(typed):
            rank = 0
        elif typed in pid:
            rank = 1
        elif typed and typed in titles.get(pid, "").lower():
            rank = 2
        else:
            continue
        ranked.append((rank, pid))
    ranked.sort()
    return [
        (embeds.clip(f"{pid} · {titles[pid]}" if pid in titles else pid, MAX_CHOICE_NAME), pid)
        for _, pid in ranked[:MAX_SUGGESTIONS]
    ]
