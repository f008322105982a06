"""Loading the learn cards of a folder, and finding one by what a learner types.

"StepLr", "cosine", "onecycle" and "torch.optim.lr_scheduler.StepLR" all find a card:
names are compared without case or punctuation, then against each card's aliases, then
as the start of a name, then by likeness for typos; an unknown name gets close matches.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.cards import Card
from bot.content.loader import ContentError, ContentLibrary, load_model, pack_files

log = logging.getLogger("anneal.content")

TYPO_CUTOFF = 0.8  # how alike a typo must be to its name to be taken as meant
CLEAR_LEAD = 0.15  # and how much more alike than any other card
SUGGESTIONS = 4


def normalised(text: str) -> str:
    """`torch.optim.lr_scheduler.Step_LR ` -> `steplr`: the last dotted part, letters and digits."""
    last = text.strip().rsplit(".", 1)[-1]
    return re.sub(r"[^a-z0-9]", "", last.lower())


@dataclass(frozen=True)
class CardMatch:
    """What a looked-up name found: a card (maybe from a typo), or names that come close."""

    card: Card | None
    close: tuple[str, ...] = ()
    corrected: bool = False  # the card was taken from a typo, not from its name or an alias


@dataclass(frozen=True)
class CardLibrary:
    """The cards of a folder, by scheduler name in alphabetical order."""

    cards: dict[str, Card] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)  # scheduler -> its file
    skipped: tuple[str, ...] = ()  # files left out at load time, as `file: what`

    def _keys(self) -> dict[str, str]:
        """Every normalised name and alias -> its scheduler."""
        keys: dict[str, str] = {}
        for name, card in self.cards.items():
            keys[normalised(name)] = name
            keys.update(dict.fromkeys((normalised(a) for a in card.aliases), name))
        return keys

    def find(self, query: str) -> CardMatch:
        """The card `query` names; else the closest names (CardMatch.card is None)."""
        wanted = normalised(query)
        keys = self._keys()
        if not wanted:
            return CardMatch(None, tuple(self.cards)[:SUGGESTIONS])
        if wanted in keys:
            return CardMatch(self.cards[keys[wanted]])
        starting = sorted({name for key, name in keys.items() if key.startswith(wanted)})
        if len(starting) == 1:
            return CardMatch(self.cards[starting[0]])
        if starting:
            return CardMatch(None, tuple(starting[:SUGGESTIONS]))
        scored = sorted(
            (
                (difflib.SequenceMatcher(None, wanted, key).ratio(), name)
                for key, name in keys.items()
            ),
            reverse=True,
        )
        ranked = list(dict.fromkeys(name for _, name in scored))
        best, runner_up = scored[0][0], next((s for s, n in scored if n != ranked[0]), 0.0)
        if best >= TYPO_CUTOFF and best - runner_up >= CLEAR_LEAD:
            return CardMatch(self.cards[ranked[0]], corrected=True)
        likely = [name for score, name in scored if score >= 0.5]
        return CardMatch(None, tuple(dict.fromkeys(likely))[:SUGGESTIONS])

    def suggest(self, current: str, limit: int = 25) -> list[str]:
        """Names for autocomplete: those whose name or an alias contains what is typed."""
        typed = normalised(current)
        if not typed:
            return list(self.cards)[:limit]
        hits = {name for key, name in self._keys().items() if typed in key}
        if not hits and (match := self.find(current)).card is not None:
            hits = {match.card.scheduler}
        return sorted(hits)[:limit]


def load_cards(directory: Path, *, strict: bool = False) -> CardLibrary:
    """Every card file (*.yaml) of `directory`, validated; broken ones logged and left out.

    A missing folder is an empty library (the bot still runs; `!learn` says so). With
    `strict`, any broken file, a missing folder or a name used twice raises ContentError.
    """
    if not directory.is_dir():
        if strict:
            raise ContentError([f"{directory}: learn cards folder not found"])
        log.warning("no learn cards: %s is not a folder", directory)
        return CardLibrary()
    cards: dict[str, Card] = {}
    sources: dict[str, Path] = {}
    errors: list[str] = []
    for path in pack_files(directory):
        try:
            card = load_model(path, Card, "a card file must be a mapping with scheduler, ...")
            _check_new(path, card, cards, sources)
        except ContentError as exc:
            errors.extend(exc.problems)
            continue
        cards[card.scheduler] = card
        sources[card.scheduler] = path
    if errors and strict:
        raise ContentError(errors)
    for error in errors:
        log.warning("skipped learn card %s", error)
    ordered = sorted(cards, key=str.lower)
    return CardLibrary(
        {name: cards[name] for name in ordered},
        {name: sources[name] for name in ordered},
        tuple(errors),
    )


def scheduler_aliases(directory: Path) -> dict[str, str]:
    """The learn cards' other names for schedulers ("cosine" -> "CosineAnnealingLR"), which
    practice takes as topics too. No cards folder: none (`learn` is the one to warn)."""
    if not directory.is_dir():
        return {}
    cards = load_cards(directory).cards.values()
    return {alias: card.scheduler for card in cards for alias in card.aliases}


def _check_new(path: Path, card: Card, cards: dict[str, Card], sources: dict[str, Path]) -> None:
    """ContentError if an earlier file has this scheduler, or claims one of its names."""
    if card.scheduler in cards:
        raise ContentError(
            [f"{path.name}: {card.scheduler} already has a card: {sources[card.scheduler].name}"]
        )
    taken = CardLibrary(cards, sources)._keys()
    clashes = [
        f"{path.name}: {name!r} already names {taken[normalised(name)]}"
        for name in [card.scheduler, *card.aliases]
        if normalised(name) in taken
    ]
    if clashes:
        raise ContentError(clashes)


def problems_about(library: ContentLibrary, scheduler: str) -> list[str]:
    """The ids of the shipped problems that teach `scheduler` (their `subject:`), pack order."""
    return [problem.id for _, problem in library.problems() if scheduler in problem.subject]
