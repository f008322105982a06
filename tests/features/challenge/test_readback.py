"""Tests for bot.features.challenge.readback: sorting out reactions added while away."""

from __future__ import annotations

from bot.engine.session import HINT_KEY
from bot.features.challenge.readback import SeenReaction, ambiguous_text, sort_out

ALICE, BOB, CAROL = 1, 2, 3


def seen(*pairs: tuple[int, str]) -> list[SeenReaction]:
    """Reactions from (user, key) pairs."""
    return [SeenReaction(user, key) for user, key in pairs]


def test_what_the_game_already_heard_is_dropped() -> None:
    """A pick stored before the crash (its reaction still visible) is not handed on again."""
    plan = sort_out(seen((ALICE, "A"), (BOB, "B")), frozenset({(ALICE, "A")}), late=False)
    assert plan.replay == seen((BOB, "B"))
    assert plan.ambiguous == {}


def test_one_new_pick_each_is_replayed_and_hints_come_after_picks() -> None:
    """Picks first (in user order), then hints: a hint never lowers a pick made before it."""
    found = seen((BOB, HINT_KEY), (CAROL, "C"), (BOB, "B"), (ALICE, HINT_KEY))
    plan = sort_out(found, frozenset(), late=False)
    assert plan.replay == seen((BOB, "B"), (CAROL, "C"), (ALICE, HINT_KEY), (BOB, HINT_KEY))


def test_several_new_picks_from_one_player_are_not_guessed_at() -> None:
    """Their order is unknown, so none is judged; their hint waits too."""
    found = seen((ALICE, "C"), (ALICE, "A"), (ALICE, HINT_KEY), (BOB, "B"))
    plan = sort_out(found, frozenset(), late=False)
    assert plan.replay == seen((BOB, "B"))
    assert plan.ambiguous == {ALICE: seen((ALICE, "A"), (ALICE, "C"))}


def test_a_new_pick_beside_an_old_one_is_not_ambiguous() -> None:
    """A pick stored before the crash plus one new one: only the new one is handed on."""
    plan = sort_out(seen((ALICE, "A"), (ALICE, "B")), frozenset({(ALICE, "A")}), late=False)
    assert plan.replay == seen((ALICE, "B"))


def test_late_picks_get_one_reply_each_and_late_hints_none() -> None:
    """After the deadline: one pick per player is handed on (to be told it is late)."""
    found = seen((ALICE, "C"), (ALICE, "A"), (BOB, HINT_KEY))
    plan = sort_out(found, frozenset(), late=True)
    assert plan.replay == seen((ALICE, "A"))
    assert plan.ambiguous == {}


def test_the_channel_note_never_names_the_picks() -> None:
    """The private note shows the reactions; the public one does not."""
    private, public = ambiguous_text(seen((ALICE, "A"), (ALICE, "C")))
    assert "🇦" in private
    assert "🇨" in private
    assert "🇦" not in public
    assert "🇨" not in public
