"""The `!learn` embeds: each card fits Discord's limits, shows its parts and its chart."""

from __future__ import annotations

import pytest

from bot.content import load_library
from bot.content.card_library import CardLibrary, load_cards, problems_about
from bot.content.card_text import SHOWN_PROBLEMS
from bot.content.cards import Card
from bot.features.common.embeds import FIELD_VALUE, TOTAL
from bot.features.learn.render import card_reply, cards_embed, chart_name, unknown_card
from bot.settings import SHIPPED_CONTENT_DIR
from tests.content.test_cards import card_data

PNG = b"\x89PNG fake"


@pytest.fixture(scope="module")
def cards() -> CardLibrary:
    """The shipped cards."""
    return load_cards(SHIPPED_CONTENT_DIR / "cards", strict=True)


def test_every_card_fits_discords_limits(cards: CardLibrary) -> None:
    """All 16 embeds, with their problems listed and a long prefix, stay within the limits."""
    library = load_library(SHIPPED_CONTENT_DIR)
    for name, card in cards.cards.items():
        embed = card_reply(card, problems_about(library, name), "!!!!!", PNG).embed
        assert len(embed) <= TOTAL, name
        assert all(len(field.value or "") <= FIELD_VALUE for field in embed.fields), name
        assert [field.name for field in embed.fields][-1] == "➡️ Next steps", name


def test_a_card_shows_its_rule_defaults_schedule_pitfalls_and_next_steps(
    cards: CardLibrary,
) -> None:
    """StepLR's embed: the rule as code, torch's defaults, the facts as numbers, what to do."""
    reply = card_reply(cards.cards["StepLR"], ["steplr-basics"], "!", PNG)
    embed = reply.embed
    assert embed.title == "📘 StepLR"
    assert "`torch.optim.lr_scheduler.StepLR`" in (embed.description or "")
    fields = {field.name: field.value or "" for field in embed.fields}
    assert fields["🧮 Update rule"].startswith("```text\nlr(t) = lr0 · gamma ^ ⌊t / step_size⌋")
    assert "`step_size` (required)" in fields["⚙️ Parameters (torch's defaults)"]
    assert "`gamma=0.1`" in fields["⚙️ Parameters (torch's defaults)"]
    assert "drops to 0.01 at epoch 10" in fields["📈 Typical schedule"]
    assert "{" not in fields["📈 Typical schedule"]
    assert fields["⚠️ Pitfalls"].startswith("1. ")
    assert "\n2. " in fields["⚠️ Pitfalls"]
    steps = fields["➡️ Next steps"]
    assert "Try it: `!run StepLR(step_size=10, gamma=0.1) lr=0.1 steps=30`" in steps
    assert "Practise it: `!practice StepLR`" in steps
    assert "Its problems (1): `steplr-basics`" in steps
    assert "`!learn MultiStepLR`" in steps
    assert embed.image.url == "attachment://steplr.png"
    [file] = reply.files()
    assert file.filename == chart_name(cards.cards["StepLR"]) == "steplr.png"


def test_without_a_chart_the_card_says_why(cards: CardLibrary) -> None:
    """No PNG: no image and no file, and the typical schedule carries the reason."""
    reply = card_reply(cards.cards["SWALR"], [], "/", None, note="The workers are warming up.")
    assert reply.files() == []
    assert reply.embed.image.url is None
    typical = next(f.value for f in reply.embed.fields if f.name == "📈 Typical schedule")
    assert typical is not None
    assert typical.endswith("*The workers are warming up.*")
    assert "`torch.optim.swa_utils.SWALR`" in (reply.embed.description or "")
    assert "`/practice SWALR`" in (reply.embed.fields[-1].value or "")


def test_a_card_found_from_a_typo_says_so(cards: CardLibrary) -> None:
    """The description starts by saying it is the closest card to what was typed."""
    embed = card_reply(cards.cards["StepLR"], [], "!", PNG, guessed_from="Step`RL").embed
    assert (embed.description or "").startswith("*The closest card to `Step'RL`:*\n")


def test_long_problem_lists_are_cut_with_a_count(cards: CardLibrary) -> None:
    """Beyond SHOWN_PROBLEMS ids, the rest are counted, not listed."""
    ids = [f"problem-{n}" for n in range(SHOWN_PROBLEMS + 3)]
    steps = card_reply(cards.cards["StepLR"], ids, "!", PNG).embed.fields[-1].value or ""
    assert f"Its problems ({len(ids)}):" in steps
    assert f"`problem-{SHOWN_PROBLEMS - 1}` and 3 more" in steps
    assert f"`problem-{SHOWN_PROBLEMS}`" not in steps


def test_many_parameters_spill_into_a_second_field() -> None:
    """Parameter lines beyond 1,024 characters go to a "(continued)" field, none lost."""
    params = [
        {"name": f"p{n}", "default": n, "about": "a long explanation " * 5} for n in range(14)
    ]
    card = Card.model_validate(card_data(parameters=params))
    fields = card_reply(card, [], "!", None).embed.fields
    names = [field.name for field in fields]
    assert "⚙️ Parameters (torch's defaults) (continued)" in names
    text = "\n".join(f.value or "" for f in fields if "Parameters" in (f.name or ""))
    assert all(f"`p{n}={n}`" in text for n in range(14))


def test_the_list_of_cards_names_every_card(cards: CardLibrary) -> None:
    """A bare `!learn` lists all 16 cards with what each does."""
    embed = cards_embed(cards, "!")
    text = "\n".join(field.value or "" for field in embed.fields)
    for name, card in cards.cards.items():
        assert f"`{name}`: {card.summary}" in text
    assert len(embed) <= TOTAL


def test_an_unknown_name_suggests_close_ones_or_lists_them_all(cards: CardLibrary) -> None:
    """Close names are offered as commands; with none, every card name is given."""
    assert unknown_card("MultLR", ("MultiStepLR", "MultiplicativeLR"), cards, "!") == (
        "There is no card for `MultLR`. Did you mean `!learn MultiStepLR` or "
        "`!learn MultiplicativeLR`?"
    )
    message = unknown_card("`qq`", (), cards, "!")
    assert message.startswith("There is no card for `'qq'`. The cards are: ChainedScheduler,")
    assert all(name in message for name in cards.cards)
