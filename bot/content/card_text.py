"""A learn card's parts as lines of text, shared by the Discord embed and the terminal.

Inline code is written in backticks (Discord shows it as code; the terminal drops them).
How to run or practise something differs between the two, so the caller says how.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.content.cards import Card, shown
from bot.runner.spec import scheduler_module

SHOWN_PROBLEMS = 8  # more ids than this become "and N more"


@dataclass(frozen=True)
class Commands:
    """How the place showing a card writes its follow-up commands (`!run …`, `anneal run …`)."""

    run: Callable[[str], str]  # a `!run` text -> the command that runs it, as inline code
    practice: Callable[[str], str]  # a scheduler name -> the command that practises it
    learn: Callable[[str], str]  # a scheduler name -> the command that shows its card


def qualified_name(card: Card) -> str:
    """`torch.optim.lr_scheduler.StepLR` (SWALR: `torch.optim.swa_utils.SWALR`)."""
    return f"{scheduler_module(card.scheduler)}.{card.scheduler}"


def parameter_lines(card: Card) -> list[str]:
    """One line per parameter, torch's default beside it; then what was left out, and why."""
    lines = []
    for param in card.parameters:
        named = (
            f"`{param.name}` (required)"
            if param.required
            else f"`{param.name}={param.shown_default()}`"
        )
        lines.append(f"{named}: {param.about}")
    lines += [f"`{name}` is not listed: {why}" for name, why in card.skipped.items()]
    return lines


def typical_text(card: Card) -> str:
    """What the typical schedule shows, its facts as plain numbers."""
    return shown(card.typical.says)


def pitfall_lines(card: Card) -> list[str]:
    """The pitfalls, numbered."""
    return [f"{n}. {text}" for n, text in enumerate(card.pitfalls, start=1)]


def next_step_lines(card: Card, problem_ids: list[str], commands: Commands) -> list[str]:
    """Try it, vary it, practise it, its problems, related cards."""
    lines = [f"Try it: {commands.run(card.typical.run)}"]
    if card.then is not None:
        lines.append(f"Then: {commands.run(card.then.run)}. {shown(card.then.says)}")
    lines.append(f"Practise it: {commands.practice(card.scheduler)}")
    if problem_ids:
        listed = ", ".join(f"`{pid}`" for pid in problem_ids[:SHOWN_PROBLEMS])
        more = len(problem_ids) - SHOWN_PROBLEMS
        extra = f" and {more} more" if more > 0 else ""
        lines.append(f"Its problems ({len(problem_ids)}): {listed}{extra}")
    if card.see_also:
        lines.append("See also: " + ", ".join(commands.learn(name) for name in card.see_also))
    return lines
