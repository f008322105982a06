"""The `!learn` embeds: one card with its chart, the list of cards, and "no such card"."""

from __future__ import annotations

import io
from dataclasses import dataclass

import discord

from bot.content.card_library import CardLibrary
from bot.content.card_text import (
    Commands,
    next_step_lines,
    parameter_lines,
    pitfall_lines,
    qualified_name,
    typical_text,
)
from bot.content.cards import Card
from bot.features.common.embeds import (
    DESCRIPTION,
    FIELD_VALUE,
    FIELDS,
    TITLE,
    TOTAL,
    add_fields,
    clip,
    join_lines,
)

COLOUR = discord.Colour.teal()
FOOTER = "Defaults and numbers checked against torch · {learn} <name> for another card"


def chart_name(card: Card) -> str:
    """The chart's attachment name, e.g. `steplr.png`."""
    return f"{card.scheduler.lower()}.png"


def discord_commands(prefix: str) -> Commands:
    """Follow-up commands written with this server's prefix, as inline code."""
    return Commands(
        run=lambda text: f"`{prefix}run {text}`",
        practice=lambda name: f"`{prefix}practice {name}`",
        learn=lambda name: f"`{prefix}learn {name}`",
    )


@dataclass(frozen=True)
class CardReply:
    """What to send for a card: its embed, and its chart when there is one."""

    embed: discord.Embed
    chart: bytes | None
    filename: str

    def files(self) -> list[discord.File]:
        """The chart as a new File (a File can be sent only once)."""
        return [] if self.chart is None else [discord.File(io.BytesIO(self.chart), self.filename)]


def card_reply(
    card: Card,
    problem_ids: list[str],
    prefix: str,
    chart: bytes | None,
    *,
    note: str | None = None,
    guessed_from: str | None = None,
) -> CardReply:
    """The card as an embed within Discord's limits; `note` says why a chart is missing,
    `guessed_from` what was typed when the card was taken from a typo."""
    commands = discord_commands(prefix)
    guess = f"*The closest card to `{_quoted(guessed_from)}`:*\n" if guessed_from else ""
    embed = discord.Embed(
        title=clip(f"📘 {card.scheduler}", TITLE),
        description=clip(f"{guess}{card.summary}\n`{qualified_name(card)}`", DESCRIPTION),
        colour=COLOUR,
    )
    # The chart's title shows the run, and "Next steps" the command that repeats it.
    typical = typical_text(card) + (f"\n*{note}*" if note else "")
    fields = [
        ("🧮 Update rule", f"```text\n{card.rule.strip()}\n```"),
        *_chunked("⚙️ Parameters (torch's defaults)", parameter_lines(card)),
        ("📈 Typical schedule", typical),
        ("⚠️ Pitfalls", "\n".join(pitfall_lines(card))),
        ("➡️ Next steps", join_lines(next_step_lines(card, problem_ids, commands), FIELD_VALUE)),
    ]
    footer = FOOTER.format(learn=f"{prefix}learn")
    add_fields(embed, ((name, value, False) for name, value in fields), reserve=len(footer))
    embed.set_footer(text=footer)
    filename = chart_name(card)
    if chart is not None:
        embed.set_image(url=f"attachment://{filename}")
    return CardReply(embed, chart, filename)


def _chunked(name: str, lines: list[str]) -> list[tuple[str, str]]:
    """Lines as fields of at most 1,024 characters; the later ones named "(continued)"."""
    fields: list[tuple[str, str]] = []
    current: list[str] = []
    for line in (clip(line, FIELD_VALUE) for line in lines):
        if current and len("\n".join([*current, line])) > FIELD_VALUE:
            fields.append((name if not fields else f"{name} (continued)", "\n".join(current)))
            current = []
        current.append(line)
    if current:
        fields.append((name if not fields else f"{name} (continued)", "\n".join(current)))
    return fields


def cards_embed(cards: CardLibrary, prefix: str) -> discord.Embed:
    """Every card, one line each: the command to open it and what the scheduler does."""
    embed = discord.Embed(
        title="📘 Learn cards",
        description=f"`{prefix}learn <name>` shows one: what it does, its rule, torch's "
        "defaults, a chart of a typical schedule, pitfalls and what to try next.",
        colour=COLOUR,
    )
    lines = [f"`{name}`: {card.summary}" for name, card in cards.cards.items()]
    half = (len(lines) + 1) // 2
    for part in (lines[:half], lines[half:]):
        if part and len(embed.fields) < FIELDS and len(embed) < TOTAL - FIELD_VALUE:
            embed.add_field(name="\u200b", value=join_lines(part, FIELD_VALUE), inline=False)
    return embed


def _quoted(text: str) -> str:
    """What a member typed, fit to show inside inline code: one line, no backticks, short."""
    return clip(" ".join(text.replace("`", "'").split()), 60)


def unknown_card(query: str, close: tuple[str, ...], cards: CardLibrary, prefix: str) -> str:
    """What `!learn nonsense` answers: the close names, else every name."""
    shown = _quoted(query)
    if close:
        options = " or ".join(f"`{prefix}learn {name}`" for name in close)
        return f"There is no card for `{shown}`. Did you mean {options}?"
    names = ", ".join(cards.cards)
    return f"There is no card for `{shown}`. The cards are: {names}."
