"""`anneal learn <scheduler> [--plot FILE]`: a learn card in the terminal, its chart as a PNG."""

from __future__ import annotations

import argparse
import asyncio
import shlex
import shutil
import sys
import textwrap
from pathlib import Path

from bot.content import load_library
from bot.content.card_library import CardLibrary, load_cards, problems_about
from bot.content.card_text import (
    Commands,
    next_step_lines,
    parameter_lines,
    pitfall_lines,
    qualified_name,
    typical_text,
)
from bot.content.cards import Card
from bot.settings import Settings

MAX_WIDTH = 100
INDENT = "  "

TERMINAL_COMMANDS = Commands(
    run=lambda text: f"anneal run {shlex.quote(text)}",
    practice=lambda name: f"anneal play --mode practice --topic {name}",
    learn=lambda name: f"anneal learn {name}",
)


class LearnError(Exception):
    """A one-line reason `anneal learn` cannot do what was asked."""


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `learn` to the `anneal` subcommands."""
    learn = commands.add_parser(
        "learn",
        help="a scheduler's learn card: rule, torch's defaults, pitfalls, a chart",
        description="Show a scheduler's learn card. Names are found in any case, by alias "
        "(cosine, onecycle, plateau) or despite a typo. With no name: the list of cards.",
    )
    learn.add_argument("scheduler", nargs="?", help="e.g. StepLR, cosine, onecycle")
    learn.add_argument(
        "--plot", type=Path, metavar="FILE", help="also write the typical schedule's chart (.png)"
    )


def main(settings: Settings, scheduler: str | None, plot: Path | None) -> int:
    """Print a card (or the list of cards); write its chart when `plot` is given."""
    cards = load_cards(settings.cards_dir)
    if not cards.cards:
        raise LearnError(f"no learn cards found in {settings.cards_dir}")
    if scheduler is None:
        if plot is not None:
            raise LearnError("--plot needs a scheduler: `anneal learn StepLR --plot steplr.png`")
        print(card_list(cards, width()))
        return 0
    match = cards.find(scheduler)
    if match.card is None:
        close = f"; did you mean {' or '.join(match.close)}?" if match.close else ""
        raise LearnError(f"there is no card for {scheduler!r}{close} (`anneal learn` lists them)")
    card = match.card
    if plot is not None:
        check_plot_path(plot)
    problems = problems_about(load_library(settings.content_dir), card.scheduler)
    print(card_text(card, problems, width()))
    if plot is not None:
        png = asyncio.run(typical_chart(card))
        try:
            plot.write_bytes(png)
        except OSError as exc:
            raise LearnError(f"--plot: cannot write {str(plot)!r}: {exc.strerror}") from None
        print(f"\nChart of the typical schedule written to {plot}")
    return 0


def check_plot_path(path: Path) -> None:
    """LearnError unless `path` is a .png file in a folder that exists."""
    if path.suffix.lower() != ".png":
        raise LearnError(f"--plot writes a PNG: give a file name ending in .png, not {path.name!r}")
    folder = path.parent if str(path.parent) else Path()
    if not folder.is_dir():
        raise LearnError(f"--plot: the folder {str(folder)!r} does not exist")
    if path.is_dir():
        raise LearnError(f"--plot: {str(path)!r} is a folder; give a file name")


async def typical_chart(card: Card) -> bytes:
    """The PNG of the card's typical schedule, computed by one torch worker."""
    from bot.runner import RunError, RunnerPool, RunnerStartError, parse_run

    try:
        async with RunnerPool(size=1, max_waiting=0) as pool:
            return (await pool.chart(parse_run(card.typical.run))).png
    except (RunnerStartError, RunError) as exc:
        raise LearnError(f"could not draw the chart with torch: {exc}") from None


def width() -> int:
    """The terminal's width, at most MAX_WIDTH."""
    return min(MAX_WIDTH, shutil.get_terminal_size((80, 24)).columns)


def card_text(card: Card, problem_ids: list[str], columns: int) -> str:
    """The card as wrapped text for a terminal of `columns` characters."""

    def section(title: str, lines: list[str], hanging: str = INDENT * 2) -> list[str]:
        return ["", title, *(_wrap(line, columns, INDENT, hanging) for line in lines)]

    rule = [textwrap.indent(card.rule.rstrip(), INDENT * 2)]
    out = [
        f"{card.scheduler}  ({qualified_name(card)})",
        _wrap(card.summary, columns, "", ""),
        "",
        "Update rule",
        *rule,
        *section("Parameters (torch's defaults)", parameter_lines(card)),
        *section(f"Typical schedule: {card.typical.run}", [typical_text(card)], INDENT),
        *section("Pitfalls", pitfall_lines(card)),
        *section("Next steps", next_step_lines(card, problem_ids, TERMINAL_COMMANDS)),
    ]
    return "\n".join(out).replace("`", "")


def card_list(cards: CardLibrary, columns: int) -> str:
    """Every card's name and summary, then how to open one."""
    longest = max(len(name) for name in cards.cards)
    lines = [
        _wrap(f"{name:<{longest}}  {card.summary}", columns, "", " " * (longest + 2))
        for name, card in cards.cards.items()
    ]
    return "\n".join([*lines, "", "anneal learn <name> shows one (--plot FILE.png: its chart)."])


def _wrap(text: str, columns: int, first: str, rest: str) -> str:
    return textwrap.fill(
        text, columns, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
    )


def run(settings: Settings, scheduler: str | None, plot: Path | None) -> int:
    """main(), with a LearnError printed as one line on stderr (exit status 2)."""
    try:
        return main(settings, scheduler, plot)
    except LearnError as exc:
        print(f"anneal learn: {exc}", file=sys.stderr)
        return 2
