"""What `practice <topic> [count]` means: a scheduler, a kind, a level or a pack, read
case-insensitively, with a did-you-mean for typos and the suggestions slash commands show.

A scheduler topic takes the problems that *teach* it (their `subject:`), not every
problem that mentions it in an option.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.engine.problems import Kind, Level, Pack, Problem
from bot.engine.selection import BadCount
from bot.engine.session import ChallengeError

DEFAULT_SOLO_COUNT = 5
MAX_SOLO_COUNT = 20  # one at a time, untimed: twenty is a long sitting already
FRESH_TOPIC = "fresh"  # new problems from the generator (bot.content.FRESH_PACK_ID)
CHOICES = 25  # Discord shows at most 25 autocomplete suggestions


class UnknownTopic(ChallengeError):
    """No scheduler, kind, level or pack has that name; the message suggests the nearest."""


class TopicKind(StrEnum):
    """What a topic names."""

    EVERYTHING = "everything"
    SCHEDULER = "scheduler"
    KIND = "kind"
    LEVEL = "level"
    PACK = "pack"
    FRESH = "fresh"


@dataclass(frozen=True)
class Topic:
    """A topic as understood: what it names, its canonical value, and how it is shown."""

    kind: TopicKind
    value: str  # "StepLR", "debug", "beginner", "basics"; "" for everything
    label: str  # "StepLR", "Debug", "Beginner", "Basics" (the pack's title), "every topic"

    def admits(self, pack: Pack, problem: Problem) -> bool:
        """Whether a shipped problem (of `pack`) belongs to the topic."""
        match self.kind:
            case TopicKind.EVERYTHING:
                return True
            case TopicKind.SCHEDULER:
                return self.value in problem.subject
            case TopicKind.KIND:
                return problem.kind.value == self.value
            case TopicKind.LEVEL:
                return problem.level.value == self.value
            case TopicKind.PACK:
                return pack.id == self.value
            case TopicKind.FRESH:
                return False  # generated on demand, never a shipped problem


def squash(text: str) -> str:
    """Lower case with no spaces, dashes or underscores: "Predict-Output" -> "predictoutput"."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def parse_solo_count(text: str | None) -> int:
    """A solo run's count: DEFAULT_SOLO_COUNT when omitted, else 1 to MAX_SOLO_COUNT."""
    if text is None or not text.strip():
        return DEFAULT_SOLO_COUNT
    try:
        count = int(text.strip())
    except ValueError:
        raise BadCount(
            f"`{text.strip()[:20]}` is not a number of problems: use a number from 1 to "
            f"{MAX_SOLO_COUNT}, like {DEFAULT_SOLO_COUNT}."
        ) from None
    if not 1 <= count <= MAX_SOLO_COUNT:
        raise BadCount(f"Practice plays 1 to {MAX_SOLO_COUNT} problems at a time, not {count}.")
    return count


class Topics:
    """Every topic the shipped packs offer, found by any spelling of its name."""

    def __init__(
        self,
        packs: Mapping[str, Pack],
        *,
        fresh: bool = False,
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        """`aliases` are other names of schedulers ("cosine" -> "CosineAnnealingLR"), as
        the learn cards know them, so `practice cosine` finds what `learn cosine` does."""
        self.packs = dict(packs)
        self.fresh = fresh  # whether generated problems can be made (the runner is on)
        counts: dict[Topic, int] = {}
        for pack in self.packs.values():
            for problem in pack.problems:
                for topic in self._topics_of(pack, problem):
                    counts[topic] = counts.get(topic, 0) + 1
        # Schedulers first (what a learner looks up most), then kinds, levels and packs.
        order = list(TopicKind)
        self.sizes: dict[Topic, int] = dict(
            sorted(counts.items(), key=lambda item: (order.index(item[0].kind), item[0].value))
        )
        self._by_name: dict[str, Topic] = {}
        for topic in self.sizes:
            for name in _spellings(topic):
                self._by_name.setdefault(name, topic)
        schedulers = {t.value: t for t in self.sizes if t.kind is TopicKind.SCHEDULER}
        for alias, name in (aliases or {}).items():
            if name in schedulers:
                self._by_name.setdefault(squash(alias), schedulers[name])
        if fresh:
            self._by_name[FRESH_TOPIC] = Topic(TopicKind.FRESH, FRESH_TOPIC, "fresh problems")

    @staticmethod
    def _topics_of(pack: Pack, problem: Problem) -> Iterable[Topic]:
        for name in problem.subject:
            yield Topic(TopicKind.SCHEDULER, name, name)
        yield Topic(TopicKind.KIND, problem.kind.value, _kind_label(problem.kind))
        yield Topic(TopicKind.LEVEL, problem.level.value, problem.level.value.title())
        yield Topic(TopicKind.PACK, pack.id, pack.title)

    @property
    def schedulers(self) -> list[str]:
        """The schedulers some problem teaches, by name."""
        return [t.value for t in self.sizes if t.kind is TopicKind.SCHEDULER]

    def resolve(self, text: str | None) -> Topic:
        """The topic `text` names (None or blank: every topic); UnknownTopic if none."""
        if text is None or not text.strip():
            return Topic(TopicKind.EVERYTHING, "", "every topic")
        found = self._by_name.get(squash(text))
        if found is not None:
            return found
        raise UnknownTopic(self._unknown(text.strip()))

    def read(self, topic: str | None, count: str | None) -> tuple[Topic, int | None]:
        """What `practice [topic] [count]` asks for: the topic, and the count typed (None
        when none was). `practice 3` is a count alone; `practice model choice`, a topic
        of two words (a prefix command splits them)."""
        if topic is not None and count is None and topic.strip().isdigit():
            return self.resolve(None), parse_solo_count(topic)
        try:
            asked = parse_solo_count(count) if count is not None else None
        except BadCount:
            if topic is None:
                raise
            with contextlib.suppress(UnknownTopic):
                return self.resolve(f"{topic} {count}"), None
            raise
        return self.resolve(topic), asked

    def _unknown(self, text: str) -> str:
        shown = text[:40].replace("`", "'")
        names = {squash(t.value): t.value for t in self.sizes}
        wanted = squash(text)
        # A part of a name ("cosine") first, then names a typo or two away ("steplt").
        holding = [name for name in names if wanted and wanted in name]
        near = difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.6)
        close = list(dict.fromkeys([*holding, *near]))[:3]
        if close:
            nearest = " or ".join(f"`{names[n]}`" for n in close)
            return f"I don't know the topic `{shown}`. Did you mean {nearest}?"
        kinds = ", ".join(k.value for k in Kind)
        levels = ", ".join(level.value for level in Level)
        packs = ", ".join(self.packs)
        return (
            f"I don't know the topic `{shown}`. A topic is a scheduler "
            f"({', '.join(self.schedulers)}), a kind ({kinds}), a level ({levels}) "
            f"or a pack ({packs})."
        )

    def problems(self, topic: Topic) -> list[Problem]:
        """The shipped problems of a topic, in pack order."""
        return [
            problem
            for pack in self.packs.values()
            for problem in pack.problems
            if topic.admits(pack, problem)
        ]

    def choices(self, typed: str) -> list[tuple[str, str]]:
        """(shown, value) suggestions for what is being typed: every topic whose name
        holds it, schedulers first; the value is what `resolve` reads back."""
        wanted = squash(typed)
        found = [
            (
                f"{topic.label} · {topic.kind.value}, {size} problem{'s' if size != 1 else ''}",
                topic.value,
            )
            for topic, size in self.sizes.items()
            if any(wanted in name for name in _spellings(topic))
        ]
        if self.fresh and wanted in FRESH_TOPIC:
            found.append(("Fresh problems, generated now · computed by torch", FRESH_TOPIC))
        return [(shown[:100], value) for shown, value in found][:CHOICES]


def _kind_label(kind: Kind) -> str:
    return kind.label.split(" ", 1)[1]  # "🔮 Predict the output" -> "Predict the output"


def _spellings(topic: Topic) -> set[str]:
    """The squashed names a topic answers to: its value, and for kinds their label too."""
    names = {squash(topic.value)}
    if topic.kind is TopicKind.KIND:  # "Predict the output", "predict output", "model choice"
        names |= {squash(topic.label), squash(topic.label.replace(" the ", " "))}
    return names
