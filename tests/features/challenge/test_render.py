"""Tests for bot.features.challenge.render: problem, reveal and feedback texts from engine
objects, within Discord's limits."""

from __future__ import annotations

import pytest

from bot.engine.pace import Progress
from bot.engine.problems import Problem
from bot.engine.session import OpenProblem, PlayerScore, Reveal, Summary
from bot.features.challenge.render import (
    EMOJI_LETTER,
    HINT_EMOJI,
    LETTER_EMOJI,
    answer_feedback,
    problem_embed,
    problem_emojis,
    public_feedback,
    reveal_embed,
    summary_embed,
)
from bot.storage import SessionStatus
from tests.engine.conftest import make_pack, make_problem


def problem(**changes: str) -> Problem:
    """One problem of the engine's tiny pack, with `changes` applied."""
    return make_pack(make_problem("p1", **changes)).problems[0]


def test_every_letter_has_an_emoji_and_back() -> None:
    """Reactions map to letters and letters to reactions, one to one."""
    assert {EMOJI_LETTER[emoji] for emoji in LETTER_EMOJI.values()} == set(LETTER_EMOJI)
    assert HINT_EMOJI not in EMOJI_LETTER


def test_a_problem_gets_its_letters_then_the_hint() -> None:
    """A four-option problem gets 🇦 to 🇩 and the bulb last."""
    emojis = problem_emojis(problem())
    assert emojis[:-1] == [LETTER_EMOJI[letter] for letter in "ABCD"]
    assert emojis[-1] == HINT_EMOJI


def test_a_long_problem_is_clipped_to_discords_limits() -> None:
    """A huge prompt and title still make an embed Discord accepts, with a live countdown."""
    opened = OpenProblem(0, 3, problem(prompt="x" * 9000, title="t" * 400), 0.0, 90.5)
    embed = problem_embed(opened, Progress(answered=1, still_trying=0))
    assert len(embed.title or "") <= 256
    assert len(embed.description or "") <= 4096
    assert any("<t:90:R>" in (field.value or "") for field in embed.fields)
    assert "1 person has answered" in (embed.footer.text or "")


@pytest.mark.parametrize(
    ("progress", "footer"),
    [
        (None, "0 people have answered ·"),
        (Progress(1, 0), "1 person has answered ·"),
        (Progress(3, 2), "3 people have answered, 2 still trying ·"),
        (Progress(0, 4), "0 people have answered, 4 still trying ·"),
    ],
)
def test_the_footer_counts_answers_and_who_is_still_trying(
    progress: Progress | None, footer: str
) -> None:
    """The footer says how many answered and how many the problem still waits for."""
    opened = OpenProblem(1, 3, problem(), 0.0, 60.0)
    text = problem_embed(opened, progress).footer.text or ""
    assert text.startswith(footer)
    assert "A" not in text.split("·")[0]  # counts only, never a pick


def test_the_reveal_names_the_answer_and_who_solved_it() -> None:
    """The title gives the answer; first and second tries are listed by mention."""
    reveal = Reveal(problem(answer="B"), {1: [7], 2: [8, 9]}, missed=[])
    embed = reveal_embed(reveal, variant="Try variants: `!run p1 gamma=0.3`")
    assert (embed.title or "").startswith("Answer: B)")
    solved = {field.name: field.value for field in embed.fields}["Solved by"]
    assert solved == "First try: <@7>\nSecond try: <@8>, <@9>"
    assert embed.fields[-1].name == "Try it with torch"


@pytest.mark.parametrize(("correct", "left"), [(True, 0), (False, 1), (False, 0)])
def test_public_feedback_never_names_the_option(correct: bool, left: int) -> None:
    """What may land in the channel says right or wrong, never which option was picked."""
    private = answer_feedback(correct, left, 10, "C")
    public = public_feedback(correct, left)
    assert "C" in private
    assert "C" not in public


@pytest.mark.parametrize(
    ("status", "title_end", "badge_shown"),
    [
        (SessionStatus.FINISHED, ": complete", True),
        (SessionStatus.STOPPED, ": stopped early", False),
        (SessionStatus.EXPIRED, ": ended while I was offline", True),
    ],
)
def test_the_summary_says_how_the_challenge_ended(
    status: SessionStatus, title_end: str, badge_shown: bool
) -> None:
    """Finished, stopped, or ended by a long outage: the title says which; the badge is
    offered unless someone stopped the challenge."""
    pack = make_pack()
    summary = Summary(pack, [PlayerScore(7, 100, 1, 1, 0)], [], 1)
    embed = summary_embed(summary, [], status)
    assert (embed.title or "").endswith(title_end)
    assert bool(embed.fields) is badge_shown
