"""Tests for bot.engine.topics: what `practice <topic> [count]` reads, and what it suggests."""

from __future__ import annotations

from typing import Any

import pytest

from bot.content import load_library
from bot.engine.problems import Kind, Level, Pack
from bot.engine.selection import BadCount
from bot.engine.topics import (
    DEFAULT_SOLO_COUNT,
    MAX_SOLO_COUNT,
    TopicKind,
    Topics,
    UnknownTopic,
    parse_solo_count,
)
from bot.settings import SHIPPED_CONTENT_DIR
from tests.engine.conftest import make_problem


@pytest.fixture(scope="module")
def shipped() -> Topics:
    """The topics of the shipped content (loaded once: it takes a fraction of a second)."""
    return Topics(load_library(SHIPPED_CONTENT_DIR).packs)


def packs() -> dict[str, Pack]:
    """`steps` (two StepLR problems, one debug) and `cycles` (a OneCycleLR one)."""
    cycle: dict[str, Any] = {"schedulers": ["OneCycleLR", "StepLR"], "subject": ["OneCycleLR"]}

    def pack(pack_id: str, *problems: dict[str, object]) -> Pack:
        badge = {"name": "B", "emoji": "🏅"}
        return Pack.model_validate(
            {
                "id": pack_id,
                "title": pack_id.title(),
                "description": "d",
                "badge": badge,
                "problems": list(problems),
            }
        )

    return {
        "steps": pack(
            "steps", make_problem("s1"), make_problem("s2", kind="debug", level="advanced")
        ),
        "cycles": pack("cycles", make_problem("o1", **cycle)),
    }


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("StepLR", TopicKind.SCHEDULER, "StepLR"),
        ("steplr", TopicKind.SCHEDULER, "StepLR"),
        ("  ONECYCLELR ", TopicKind.SCHEDULER, "OneCycleLR"),
        ("debug", TopicKind.KIND, "debug"),
        ("Advanced", TopicKind.LEVEL, "advanced"),
        ("cycles", TopicKind.PACK, "cycles"),
        (None, TopicKind.EVERYTHING, ""),
        ("  ", TopicKind.EVERYTHING, ""),
    ],
)
def test_a_topic_is_read_in_any_case(typed: str | None, kind: TopicKind, value: str) -> None:
    """Schedulers, kinds, levels and packs are found whatever the case and spaces."""
    topic = Topics(packs()).resolve(typed)
    assert (topic.kind, topic.value) == (kind, value)


def test_a_scheduler_topic_takes_the_problems_that_teach_it() -> None:
    """o1 mentions StepLR but teaches OneCycleLR: it is not a StepLR problem."""
    topics = Topics(packs())
    assert [p.id for p in topics.problems(topics.resolve("StepLR"))] == ["s1", "s2"]
    assert [p.id for p in topics.problems(topics.resolve("OneCycleLR"))] == ["o1"]
    assert [p.id for p in topics.problems(topics.resolve(None))] == ["s1", "s2", "o1"]


@pytest.mark.parametrize("typed", ["predict_output", "Predict-Output", "predict the output"])
def test_a_kind_is_found_by_its_value_or_its_label(shipped: Topics, typed: str) -> None:
    """The shipped content has every kind; each spelling finds predict_output."""
    assert shipped.resolve(typed).value == Kind.PREDICT_OUTPUT.value


def test_a_typo_gets_a_did_you_mean() -> None:
    """`steplt` is one letter off StepLR (and two off the pack `steps`)."""
    with pytest.raises(UnknownTopic, match=r"Did you mean `StepLR` or `steps`\?"):
        Topics(packs()).resolve("steplt")


def test_a_learn_cards_alias_names_its_scheduler() -> None:
    """With the cards' aliases, `one cycle` is OneCycleLR; an alias of a scheduler no
    problem teaches is no topic."""
    aliases = {"one cycle": "OneCycleLR", "plateau": "ReduceLROnPlateau"}
    topics = Topics(packs(), aliases=aliases)
    assert topics.resolve("One-Cycle").value == "OneCycleLR"
    with pytest.raises(UnknownTopic):
        topics.resolve("plateau")


def test_part_of_a_name_suggests_the_names_holding_it(shipped: Topics) -> None:
    """`cosine` is too short for a typo of CosineAnnealingLR, but both cosines hold it."""
    with pytest.raises(UnknownTopic) as refused:
        shipped.resolve("cosine")
    assert "Did you mean `CosineAnnealingLR` or `CosineAnnealingWarmRestarts`?" in str(
        refused.value
    )


def test_nonsense_lists_what_a_topic_can_be() -> None:
    """Far from any name: the message lists the schedulers, kinds, levels and packs."""
    with pytest.raises(UnknownTopic) as refused:
        Topics(packs()).resolve("zzzz")
    message = str(refused.value)
    assert "OneCycleLR, StepLR" in message
    assert all(kind.value in message for kind in Kind)
    assert all(level.value in message for level in Level)
    assert "steps, cycles" in message


def test_fresh_is_a_topic_only_when_problems_can_be_generated() -> None:
    """Without the runner `fresh` is unknown; with it, it is the generated topic."""
    with pytest.raises(UnknownTopic):
        Topics(packs()).resolve("fresh")
    assert Topics(packs(), fresh=True).resolve("Fresh").kind is TopicKind.FRESH


def test_suggestions_hold_the_typed_text_and_resolve_back() -> None:
    """Typing `cyc` suggests OneCycleLR and the pack; every value resolves to its topic."""
    topics = Topics(packs())
    suggested = topics.choices("cyc")
    assert [value for _, value in suggested] == ["OneCycleLR", "cycles"]
    assert suggested[0][0] == "OneCycleLR · scheduler, 1 problem"
    for _, value in topics.choices(""):
        assert topics.resolve(value).value == value


def test_the_shipped_content_suggests_at_most_25_with_schedulers_first(shipped: Topics) -> None:
    """Discord shows 25 suggestions: with nothing typed, the 16 schedulers lead."""
    topics = shipped
    shown = topics.choices("")
    assert len(shown) == 25
    assert [value for _, value in shown[: len(topics.schedulers)]] == topics.schedulers
    assert len(topics.schedulers) == 16
    assert any(value == "basics" for _, value in topics.choices("basic"))


@pytest.mark.parametrize(
    ("topic", "count", "value", "asked"),
    [
        ("StepLR", "3", "StepLR", 3),
        ("StepLR", None, "StepLR", None),
        ("4", None, "", 4),  # a count alone
        ("model", "choice", "model_choice", None),  # two words, split by the prefix command
        (None, None, "", None),
    ],
)
def test_a_request_reads_topic_and_count(
    shipped: Topics, topic: str | None, count: str | None, value: str, asked: int | None
) -> None:
    """`practice [topic] [count]` as typed: the topic, and the count only if one was typed."""
    found, how_many = shipped.read(topic, count)
    assert (found.value, how_many) == (value, asked)


def test_a_request_with_a_bad_count_says_so(shipped: Topics) -> None:
    """`practice StepLR lots`: not a two-word topic either, so the count is refused."""
    with pytest.raises(BadCount, match="not a number"):
        shipped.read("StepLR", "lots")


@pytest.mark.parametrize(
    ("typed", "count"), [(None, DEFAULT_SOLO_COUNT), ("", DEFAULT_SOLO_COUNT), (" 7 ", 7)]
)
def test_a_count_defaults_to_five(typed: str | None, count: int) -> None:
    """No count plays the default; a number is read with spaces around it."""
    assert parse_solo_count(typed) == count


@pytest.mark.parametrize("typed", ["0", str(MAX_SOLO_COUNT + 1), "lots", "all"])
def test_a_count_out_of_bounds_says_the_bounds(typed: str) -> None:
    """Zero, too many and words are refused, saying 1 to the maximum."""
    with pytest.raises(BadCount, match=f"1 to {MAX_SOLO_COUNT}"):
        parse_solo_count(typed)
