"""The `!run` replies: an embed with the rates, torch's notes and the code that ran, plus a chart;
for `!run compare`, one chart of every schedule and a table with a column per schedule.

Every piece is cut to Discord's embed limits (4,096 characters of description, 1,024 per
field, 6,000 in all), whatever the run: 10,000 steps of 8 parameter groups included.
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass
from typing import Final

import discord

from bot.features.common.embeds import DESCRIPTION, FIELD_VALUE, TITLE, TOTAL, clip
from bot.features.run.compare import CompareRequest
from bot.features.run.request import RunRequest
from bot.features.run.variants import variant_command
from bot.runner import (
    RunResult,
    comparison_csv,
    comparison_is_elided,
    describe_comparison,
    describe_run,
    format_comparison,
    format_table,
    render_snippet,
)

CHART_NAME: Final = "schedule.png"
CODE_NAME: Final = "run.py"
COMPARE_CHART_NAME: Final = "compare.png"
COMPARE_TABLE_NAME: Final = "compare.csv"
COMPARE_NOTE: Final = 400  # characters of one schedule's error or warnings
FOOTER_LIMIT: Final = 300  # Discord allows 2,048; a footer is a hint, not a story
CODE_LIMIT: Final = 1500  # longer code is attached as run.py rather than crowd the table
MIN_TABLE: Final = 1200  # room the table keeps in the description, whatever else is there
MAX_CHANGES: Final = 200  # characters of "with gamma=0.3, ..." in the description


@dataclass(frozen=True)
class RunReply:
    """What to send: an embed and its files (fresh ones each time: a File is read once)."""

    embed: discord.Embed
    chart: bytes
    code: str | None = None  # attached as run.py when too long for the embed

    def files(self) -> list[discord.File]:
        """The chart, and the code when it is attached, as new File objects."""
        files = [discord.File(io.BytesIO(self.chart), CHART_NAME)]
        if self.code is not None:
            files.append(discord.File(io.BytesIO(self.code.encode()), CODE_NAME))
        return files


def build_reply(request: RunRequest, result: RunResult, png: bytes, *, command: str) -> RunReply:
    """The embed for a finished run; `command` (`!run`, `/run`) appears in the footer hint."""
    embed = discord.Embed(title=clip(describe_run(request.spec, result), TITLE))
    embed.colour = _colour(result)
    _add_notes(embed, result)
    if request.problem is not None and request.problem.run is not None:
        vary = request.problem.run.vary
        hint = f"You can change: {', '.join(vary)}" if vary else "This run can't be changed"
        example = variant_command(request.problem, command)
        embed.set_footer(text=clip(f"{hint} · e.g. {example}", FOOTER_LIMIT))
    embed.set_image(url=f"attachment://{CHART_NAME}")

    # The description gets what the title, fields and footer leave of the 6,000.
    others = len(embed)
    room = min(DESCRIPTION, TOTAL - others)
    intro, attached = _code_part(request, room)
    # torch's notes are in the fields already; the table keeps only the numbers.
    numbers = dataclasses.replace(result, warnings=(), error=None)
    embed.description = intro + format_table(numbers, limit=room - len(intro))
    return RunReply(embed, png, attached)


def _code_part(request: RunRequest, room: int) -> tuple[str, str | None]:
    """For a problem run: what was changed and the code that ran (inline or attached)."""
    if request.problem is None:
        return "", None
    changes = ", ".join(f"{name}={value}" for name, value in request.overrides.items())
    said = f"Problem `{request.problem.id}`"
    if changes:
        said += f" with `{clip(changes.replace('`', ''), MAX_CHANGES)}`"
    code = render_snippet(request.spec).replace("```", "'''")
    block = f"{said}. The code that ran:\n```py\n{code}```\n"
    if len(block) <= CODE_LIMIT and room - len(block) >= MIN_TABLE:
        return block, None
    return f"{said}. The code that ran is attached as `{CODE_NAME}`.\n", code


@dataclass(frozen=True)
class CompareReply:
    """A comparison to send: its embed, its chart and, for long runs, every step as CSV."""

    embed: discord.Embed
    chart: bytes
    table: str | None = None

    def files(self) -> list[discord.File]:
        """The chart, and the full table when it is attached, as new File objects."""
        files = [discord.File(io.BytesIO(self.chart), COMPARE_CHART_NAME)]
        if self.table is not None:
            files.append(discord.File(io.BytesIO(self.table.encode()), COMPARE_TABLE_NAME))
        return files


def build_compare_reply(
    request: CompareRequest, results: tuple[RunResult, ...], png: bytes
) -> CompareReply:
    """The embed for a finished comparison: a key, one column per schedule, torch's notes."""
    embed = discord.Embed(title=clip(describe_comparison(request.specs), TITLE))
    embed.colour = _worst_colour(results)
    for number, result in enumerate(results, start=1):
        # Up to 8 fields: each kept short, so the table keeps most of the 6,000 characters.
        _add_notes(embed, result, who=f"schedule {number}: ", limit=COMPARE_NOTE)
    embed.set_image(url=f"attachment://{COMPARE_CHART_NAME}")
    table = None
    outro = ""
    if comparison_is_elided(results):
        table = comparison_csv(request.labels, results)
        outro = f"\nEvery step of every schedule: `{COMPARE_TABLE_NAME}` (attached)."
    room = min(DESCRIPTION, TOTAL - len(embed)) - len(outro)
    numbers = [dataclasses.replace(r, warnings=(), error=None) for r in results]
    embed.description = format_comparison(request.labels, numbers, limit=room) + outro
    return CompareReply(embed, png, table)


def _add_notes(
    embed: discord.Embed, result: RunResult, who: str = "", limit: int = FIELD_VALUE
) -> None:
    """torch's warnings and error as fields, where they read as sentences, not table rows."""
    if result.error:
        text = f"{result.error}\nThe table shows the steps before it."
        embed.add_field(
            name=f"❌ {who}torch stopped with an error",
            value=clip(text, limit),
            inline=False,
        )
    if result.warnings:
        lines = "\n".join(f"• {w}" for w in dict.fromkeys(result.warnings))  # no repeats
        embed.add_field(name=f"⚠️ {who}torch warned", value=clip(lines, limit), inline=False)


def _colour(result: RunResult) -> discord.Colour:
    if result.error:
        return discord.Colour.red()
    if result.warnings:
        return discord.Colour.gold()
    return discord.Colour.blurple()


def _worst_colour(results: tuple[RunResult, ...]) -> discord.Colour:
    if any(result.error for result in results):
        return discord.Colour.red()
    if any(result.warnings for result in results):
        return discord.Colour.gold()
    return discord.Colour.blurple()
