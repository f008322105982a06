"""Tests for bot.features.review.render: what `!review` and its reminder say, from a queue."""

from __future__ import annotations

import pytest

from bot.engine.review import DEFAULT_STEPS, ReviewEntry, ReviewQueue, ReviewSteps
from bot.features.review.render import (
    ACTION_CHOICES,
    Action,
    BadAction,
    closed_dms_notice,
    parse_action,
    profile_line,
    queue_status,
    remind_reply,
    reminder_text,
    spoken_interval,
)

NOW = 1_750_000_000.0


def queue(*due_in: float | None) -> ReviewQueue:
    """A queue at NOW with one entry per offset (seconds from now; None: graduated)."""
    entries = [
        ReviewEntry(7, f"p{i}", "basics", None, 0, None if d is None else NOW + d, 0, 0, 1, 0)
        for i, d in enumerate(due_in)
    ]
    return ReviewQueue.of(entries, NOW)


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        (None, Action.SERVE),
        ("  ", Action.SERVE),
        ("remind on", Action.REMIND_ON),
        ("REMIND  Off", Action.REMIND_OFF),
        ("on", Action.REMIND_ON),
        ("Stop", Action.STOP),
    ],
)
def test_actions_read_the_prefix_and_the_slash_spelling(text: str | None, meant: Action) -> None:
    """`!review remind on` and `/review action:remind on` mean the same; nothing is serve."""
    assert parse_action(text, "!") is meant


@pytest.mark.parametrize("text", ["remind", "remind maybe", "later", "remind on off"])
def test_anything_else_is_refused_with_every_spelling(text: str) -> None:
    """A typo gets each form of the command in the server's prefix."""
    with pytest.raises(BadAction, match=r"`\?review remind on` \(or `off`\).*`\?review stop`"):
        parse_action(text, "?")


def test_every_slash_choice_is_an_action_it_reads_back() -> None:
    """The slash command's choices are the words `!review` takes, so both paths agree."""
    assert {parse_action(action.value, "!") for action in ACTION_CHOICES} == set(ACTION_CHOICES)
    assert all(text.startswith(action.value) for action, text in ACTION_CHOICES.items())


def test_an_empty_queue_says_how_it_fills_with_the_first_step() -> None:
    """No misses yet: how problems get there, with the configured first step."""
    text = queue_status(queue(None), ReviewSteps((3_600.0, 86_400.0)), "!")
    assert text.startswith("Nothing to review: your queue is empty.")
    assert "comes back here 1 hour later" in text


def test_nothing_due_names_the_next_time_and_the_count() -> None:
    """Queued but not due: the soonest due time as a relative timestamp, and how many."""
    text = queue_status(queue(7_200, 600, 90_000), DEFAULT_STEPS, "!")
    assert text.startswith(f"Nothing due for review; next <t:{round(NOW + 600)}:R>; 3 queued.")
    assert text.endswith("A DM when something is due: `!review remind on`.")
    reminding = queue_status(queue(600), DEFAULT_STEPS, "!", reminding=True)
    assert reminding == f"Nothing due for review; next <t:{round(NOW + 600)}:R>; 1 queued."


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(600.0, "10 minutes"), (86_400.0, "1 day"), (129_600.0, "36 hours"), (90.0, "90 seconds")],
)
def test_intervals_are_spoken_in_their_largest_whole_unit(seconds: float, words: str) -> None:
    """The empty queue's "comes back N later" reads as words, not a setting."""
    assert spoken_interval(seconds) == words


@pytest.mark.parametrize(
    ("due", "says"),
    [(1, "📚 1 problem you missed is due"), (3, "📚 3 problems you missed are due")],
)
def test_the_reminder_counts_what_is_due(due: int, says: str) -> None:
    """The DM says how many are due, how to review them here, and how to stop it."""
    text = reminder_text(queue(*([-60.0] * due), 5_000), "!")
    assert text.startswith(says)
    assert "Send `!review` here" in text
    assert "`!review remind off`" in text


def test_remind_replies_say_what_changed() -> None:
    """On: once a day, with what is due now; off: how to turn them back on."""
    assert "(2 problems due now: `!review`)" in remind_reply(True, queue(-1, -2, 50), "!")
    assert "due now" not in remind_reply(True, queue(50), "!")
    assert remind_reply(False, queue(), "!").startswith("Review reminders are off.")


def test_closed_dms_notice_says_when_and_how_to_fix_it() -> None:
    """The notice dates the failed reminder and gives the command to turn them back on."""
    text = closed_dms_notice(NOW - 30, "!")
    assert f"<t:{round(NOW - 30)}:R>" in text
    assert "`!review remind on` turns them back on" in text


def test_profile_line_is_absent_for_an_empty_queue() -> None:
    """`N in review, M due`, or nothing once every problem has graduated."""
    assert profile_line(queue(-5, 100, None)) == "2 in review, 1 due"
    assert profile_line(queue(None)) is None
