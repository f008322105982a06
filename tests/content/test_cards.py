"""Learn cards without torch: the schema, the {lr@N=V} facts, loading, finding a card by name."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from bot.content import load_library
from bot.content.card_library import (
    CardLibrary,
    CardMatch,
    load_cards,
    normalised,
    problems_about,
)
from bot.content.cards import CARD_NAMES, Card, CardParam, Example, Fact, facts_in, matches, shown
from bot.content.loader import ContentError
from bot.runner import SCHEDULER_NAMES
from bot.settings import SHIPPED_CONTENT_DIR, load_settings
from tests.content.test_loader import write_pack
from tests.engine.conftest import make_problem

CARDS = SHIPPED_CONTENT_DIR / "cards"


@pytest.fixture(scope="module")
def shipped() -> CardLibrary:
    """The shipped cards, loaded strictly."""
    return load_cards(CARDS, strict=True)


def card_data(**changes: Any) -> dict[str, Any]:
    """A valid card as YAML data (StepLR's shape), with `changes` applied."""
    data: dict[str, Any] = {
        "scheduler": "StepLR",
        "summary": "Multiplies the rate by gamma every step_size epochs.",
        "rule": "lr(t) = lr0 · gamma ^ ⌊t / step_size⌋",
        "parameters": [
            {"name": "step_size", "required": True, "about": "steps between decays"},
            {"name": "gamma", "default": 0.1, "about": "the factor"},
            {"name": "last_epoch", "default": -1, "about": "for resuming"},
        ],
        "typical": {
            "run": "StepLR(step_size=2) lr=0.1 steps=4",
            "says": "It ends at {lr@4=0.001}.",
        },
        "pitfalls": ["One.", "Two."],
    }
    data.update(changes)
    return data


def write_card(directory: Path, name: str, data: dict[str, Any]) -> Path:
    """Write `data` as `<name>.yaml` in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_there_is_one_card_per_scheduler(shipped: CardLibrary) -> None:
    """All 15 lr_scheduler classes and SWALR have a card, each from its own file."""
    assert len(CARD_NAMES) == 16
    assert set(CARD_NAMES) == set(SCHEDULER_NAMES) | {"SWALR"}
    assert list(shipped.cards) == list(CARD_NAMES)
    assert len(set(shipped.sources.values())) == 16


def test_cards_are_found_through_the_settings(tmp_path: Path) -> None:
    """The cards live in the `cards` folder of ANNEAL_CONTENT_DIR."""
    settings = load_settings(_env_file=None, ANNEAL_CONTENT_DIR=str(tmp_path))
    assert settings.cards_dir == tmp_path / "cards"
    assert load_settings(_env_file=None).cards_dir == CARDS


def test_every_card_has_two_pitfalls_and_stated_numbers(shipped: CardLibrary) -> None:
    """Each card states at least two numbers about its typical schedule, and two pitfalls."""
    for name, card in shipped.cards.items():
        assert len(card.typical.facts) >= 2, name
        assert len(card.pitfalls) == 2, name
        assert "{" not in shown(card.typical.says), name


def test_facts_are_read_and_shown_as_their_numbers() -> None:
    """`{lr@30=0.001}` is a fact about step 30, shown as `0.001`; max, min and peak too."""
    text = "From {lr@0=0.1} to {min=4e-07}, peaking at {max=0.1} at {peak=29}; {momentum@3=0.9}."
    assert facts_in(text) == [
        Fact("lr", 0, "0.1"),
        Fact("min", None, "4e-07"),
        Fact("max", None, "0.1"),
        Fact("peak", None, "29"),
        Fact("momentum", 3, "0.9"),
    ]
    assert shown(text) == "From 0.1 to 4e-07, peaking at 0.1 at 29; 0.9."


@pytest.mark.parametrize(
    ("written", "actual", "same"),
    [
        ("0.001", 0.0010000000000000002, True),  # float noise
        ("0.0905", 0.09045084971874737, True),  # rounded as written
        ("0.001", 0.00104, False),  # a short number still claims 3 significant digits
        ("0.09", 0.0905, False),
        ("4e-07", 4.000000000000001e-07, True),
        ("1/3", 0.3333333333333333, True),
        ("0", 1e-15, True),
        ("0", 0.001, False),
        ("zero", 0.0, False),
    ],
)
def test_a_written_rate_matches_the_value_it_rounds(
    written: str, actual: float, same: bool
) -> None:
    """A fact holds when torch's value, rounded to what is written (3 digits at least), is it."""
    assert matches(written, actual) is same


@pytest.mark.parametrize(
    ("says", "complaint"),
    [
        ("It ends at 0.001.", "0.001 is stated bare"),
        ("A third, 1/3, of it.", "1/3 is stated bare"),
        ("Down to {lr30=0.1}.", "not a fact"),
        ("Down to {lr@30 = 0.1}.", "not a fact"),
    ],
)
def test_rates_must_be_written_as_facts(says: str, complaint: str) -> None:
    """A rate stated bare, or a brace that is no fact, is refused with what to write instead."""
    with pytest.raises(ValidationError, match=complaint):
        Example(run="StepLR(step_size=2)", says=says)


def test_whole_numbers_and_code_need_no_fact() -> None:
    """Step counts and numbers inside `code` are not claims about rates."""
    example = Example(
        run="StepLR(step_size=2)", says="After 30 epochs with `gamma=0.5`: {lr@30=1}."
    )
    assert [f.label for f in example.facts] == ["lr@30=1"]


def test_a_parameter_is_required_or_has_a_default() -> None:
    """Both or neither is an error; `default: null` is a default of None."""
    assert CardParam(name="x", default=None, about="a").shown_default() == "None"
    assert CardParam(name="m", default="cos", about="a").shown_default() == "'cos'"
    assert CardParam(name="f", default="1/3", about="a").shown_default() == "1/3"
    with pytest.raises(ValidationError, match="either `required: true` or the `default:`"):
        CardParam(name="x", about="a")
    with pytest.raises(ValidationError, match="either"):
        CardParam(name="x", required=True, default=1, about="a")


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"scheduler": "StepLRR"}, "not one of the schedulers"),
        ({"pitfalls": ["Only one."]}, "at least 2 items"),
        ({"see_also": ["CosineLR"]}, "has no card"),
        ({"skipped": {"gamma": "why"}}, "both listed and skipped: gamma"),
        ({"rule": "lr = {lr@1=0.1}"}, "belong in typical.says"),
        ({"colour": "blue"}, "Extra inputs are not permitted"),
    ],
)
def test_card_schema_refuses_mistakes(changes: dict[str, Any], complaint: str) -> None:
    """Each schema rule names what is wrong."""
    with pytest.raises(ValidationError, match=complaint):
        Card.model_validate(card_data(**changes))


def test_a_parameter_listed_twice_is_refused() -> None:
    """The same name twice in `parameters` is an error naming it."""
    data = card_data()
    data["parameters"].append({"name": "gamma", "default": 0.5, "about": "again"})
    with pytest.raises(ValidationError, match="listed twice: gamma"):
        Card.model_validate(data)


def test_broken_cards_are_skipped_at_start_up_and_named_when_strict(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A bad card is logged and left out (the others still load); strictly, it is an error."""
    write_card(tmp_path, "steplr", card_data())
    write_card(tmp_path, "broken", card_data(scheduler="ExponentialLR", pitfalls=[]))
    (tmp_path / "garbled.yaml").write_text("scheduler: [unclosed", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="anneal.content"):
        library = load_cards(tmp_path)
    assert list(library.cards) == ["StepLR"]
    assert len(library.skipped) == 2
    assert "broken.yaml: pitfalls" in caplog.text
    with pytest.raises(ContentError) as caught:
        load_cards(tmp_path, strict=True)
    assert any(p.startswith("broken.yaml: pitfalls") for p in caught.value.problems)
    assert any(p.startswith("garbled.yaml: cannot read") for p in caught.value.problems)


def test_a_missing_folder_is_an_empty_library_unless_strict(tmp_path: Path) -> None:
    """The bot runs without cards; the check fails on a missing folder."""
    assert load_cards(tmp_path / "nowhere").cards == {}
    with pytest.raises(ContentError, match="learn cards folder not found"):
        load_cards(tmp_path / "nowhere", strict=True)


def test_two_cards_cannot_claim_the_same_name(tmp_path: Path) -> None:
    """A second card of a scheduler, or an alias another card has, is an error naming both."""
    write_card(tmp_path, "a", card_data(aliases=["step"]))
    write_card(tmp_path, "b", card_data())
    write_card(tmp_path, "c", card_data(scheduler="ExponentialLR", aliases=["Step"]))
    with pytest.raises(ContentError) as caught:
        load_cards(tmp_path, strict=True)
    assert caught.value.problems == [
        "b.yaml: StepLR already has a card: a.yaml",
        "c.yaml: 'Step' already names StepLR",
    ]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("StepLR", "StepLR"),
        ("StepLr", "StepLR"),
        ("steplr", "StepLR"),
        (" torch.optim.lr_scheduler.StepLR ", "StepLR"),
        ("cosine", "CosineAnnealingLR"),
        ("onecycle", "OneCycleLR"),
        ("1cycle", "OneCycleLR"),
        ("plateau", "ReduceLROnPlateau"),
        ("sgdr", "CosineAnnealingWarmRestarts"),
        ("swa", "SWALR"),
        ("Sequential", "SequentialLR"),
        ("poly", "PolynomialLR"),
    ],
)
def test_names_aliases_and_prefixes_find_their_card(
    shipped: CardLibrary, typed: str, found: str
) -> None:
    """Any case, a module path, an alias or the start of a unique name finds the card."""
    match = shipped.find(typed)
    assert match.card is not None
    assert match.card.scheduler == found
    assert not match.corrected


@pytest.mark.parametrize(
    ("typed", "found"),
    [("StepRL", "StepLR"), ("CosineAnealingLR", "CosineAnnealingLR"), ("OneCycelLR", "OneCycleLR")],
)
def test_a_typo_finds_the_card_it_clearly_means(
    shipped: CardLibrary, typed: str, found: str
) -> None:
    """A name one slip away from a single card is taken as that card, marked as corrected."""
    match = shipped.find(typed)
    assert match.card is not None
    assert match.card.scheduler == found
    assert match.corrected


def test_an_ambiguous_start_lists_the_candidates(shipped: CardLibrary) -> None:
    """`CosineAnneal` could be either cosine card: both are offered, neither is guessed."""
    match = shipped.find("CosineAnneal")
    assert match.card is None
    assert match.close == ("CosineAnnealingLR", "CosineAnnealingWarmRestarts")


def test_an_unknown_name_offers_close_names(shipped: CardLibrary) -> None:
    """Nothing close: no card and no suggestions; something close: the suggestions."""
    assert shipped.find("qqqq") == CardMatch(None, ())
    near = shipped.find("MultiLR")
    assert near.card is None
    assert "MultiStepLR" in near.close
    assert "MultiplicativeLR" in near.close


def test_autocomplete_matches_names_and_aliases(shipped: CardLibrary) -> None:
    """What is typed is looked for inside names and aliases; empty shows the first cards."""
    assert shipped.suggest("cos") == ["CosineAnnealingLR", "CosineAnnealingWarmRestarts"]
    assert shipped.suggest("warm") == ["CosineAnnealingWarmRestarts", "LinearLR", "SequentialLR"]
    assert shipped.suggest("") == list(CARD_NAMES)
    assert shipped.suggest("StepRL") == ["StepLR"]  # a typo still finds its card


def test_normalised_names_drop_case_punctuation_and_module() -> None:
    """`torch.optim.lr_scheduler.Step_LR` and `step-lr` are both `steplr`."""
    assert normalised("torch.optim.lr_scheduler.Step_LR") == "steplr"
    assert normalised("step-lr ") == "steplr"


def test_a_cards_problems_come_from_the_packs_subjects(tmp_path: Path) -> None:
    """The problems a card lists are those whose `subject:` names the scheduler, in order."""
    write_pack(
        tmp_path,
        "mixed",
        make_problem("about-step", schedulers=["StepLR"], subject=["StepLR"]),
        make_problem("mentions-step", schedulers=["StepLR", "LinearLR"], subject=["LinearLR"]),
        make_problem("both", schedulers=["StepLR", "LinearLR"], subject=["LinearLR", "StepLR"]),
    )
    library = load_library(tmp_path)
    assert problems_about(library, "StepLR") == ["about-step", "both"]
    assert problems_about(library, "SWALR") == []


def test_shipped_cards_copy_loads_the_same(tmp_path: Path, shipped: CardLibrary) -> None:
    """A copy of the content elsewhere (ANNEAL_CONTENT_DIR) carries its cards along."""
    shutil.copytree(SHIPPED_CONTENT_DIR, tmp_path / "content")
    assert load_cards(tmp_path / "content" / "cards", strict=True).cards == shipped.cards
