"""Tests for bot.features.practice.render: a run's problem, verdict and summary in DMs."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from bot.engine.problems import Problem
from bot.engine.solo import SoloProblem, SoloRun
from bot.features.challenge.render import HINT_EMOJI
from bot.features.practice.render import (
    check_your_dms,
    how_to_open_dms,
    intro_text,
    problem_embed,
    summary_embed,
    verdict_embed,
)
from bot.storage import SessionStatus
from tests.engine.conftest import FakeClock, make_pack, make_problem

RECIPE: dict[str, Any] = {"expression": "StepLR(step_size=2, gamma=0.5)", "vary": ["gamma"]}


def problems() -> list[Problem]:
    """s1 (StepLR, B, with a `!run` recipe), c1 (CosineAnnealingLR, C)."""
    cosine: dict[str, Any] = {"schedulers": ["CosineAnnealingLR"], "subject": ["CosineAnnealingLR"]}
    pack = make_pack(
        make_problem("s1", answer="B", run=RECIPE, title="Halving every two epochs"),
        make_problem("c1", answer="C", **cosine),
    )
    return list(pack.problems)


@pytest.fixture
def clock() -> FakeClock:
    """The runs' clock (nothing here waits on it)."""
    return FakeClock()


def fields(embed: discord.Embed) -> dict[str, str]:
    """The embed's fields, by name."""
    return {f.name or "": f.value or "" for f in embed.fields}


def test_a_problem_has_no_clock_and_says_one_answer() -> None:
    """The challenge's card (kind, level) without Time or Attempts; the footer explains."""
    embed = problem_embed("Practice: StepLR", SoloProblem(0, 2, problems()[0]))
    assert embed.title == "Problem 1/2 · Halving every two epochs"
    assert list(fields(embed)) == ["Kind", "Level"]
    footer = embed.footer.text or ""
    assert footer.startswith("Practice: StepLR · one answer, no timer")
    assert HINT_EMOJI in footer


def test_a_right_verdict_explains_and_offers_torch(clock: FakeClock) -> None:
    """Right: the answer in the title, the explanation, every why-not, the `!run` variant."""
    run = SoloRun(1, problems(), clock)
    embed = verdict_embed(run.judge("B"), variant="Try it: `!run s1 gamma=0.3`")
    assert embed.title == "✅ Right: B) two"
    assert embed.description == "Because."
    assert list(fields(embed)) == ["Why not A", "Why not C", "Why not D", "Try it with torch"]
    assert embed.footer.text == "1/2 answered · problem 2/2 follows"


def test_a_wrong_verdict_names_the_pick_and_the_answer(clock: FakeClock) -> None:
    """Wrong on the last problem: "Not A: the answer is C) three"; the summary follows."""
    run = SoloRun(1, problems(), clock)
    run.record(run.judge("B"))
    embed = verdict_embed(run.judge("A"))
    assert embed.title == "❌ Not A: the answer is C) three"
    assert embed.colour == discord.Colour.red()
    assert embed.footer.text == "2/2 answered · your summary follows"


def test_the_summary_lists_schedulers_misses_and_the_next_step(clock: FakeClock) -> None:
    """One right, one missed: per scheduler, the miss by name and id, practise it next."""
    run = SoloRun(1, problems(), clock)
    run.record(run.judge("A"))  # s1 wrong
    run.record(run.judge("C"))  # c1 right
    embed = summary_embed("Practice: everything", run.summary(), SessionStatus.FINISHED, prefix="!")
    assert embed.title == "🏁 Practice: everything: 1/2 right"
    shown = fields(embed)
    assert shown["By scheduler"] == "StepLR 0/1 · CosineAnnealingLR 1/1"
    assert shown["To review"] == "• Halving every two epochs (`s1`): the answer is B"
    assert shown["Next"] == (
        "Practise what you missed most: `!practice StepLR`. See a miss in torch: `!run s1`. "
        "Your misses come back in `!review` as each comes due."
    )


def test_a_perfect_run_says_so_and_suggests_another_topic(clock: FakeClock) -> None:
    """Every one right: no misses listed, a cheer, another topic to try."""
    run = SoloRun(1, problems(), clock)
    run.record(run.judge("B"))
    run.record(run.judge("C"))
    embed = summary_embed("Review: due", run.summary(), SessionStatus.FINISHED, prefix="?")
    assert embed.description == "🎉 Every one right."
    assert "To review" not in fields(embed)
    assert fields(embed)["Next"].startswith("Try another topic: `?practice <")


def test_a_run_stopped_before_any_answer_says_how_to_start_again(clock: FakeClock) -> None:
    """Nothing answered: "0/0 right (stopped early)" and the command to start one."""
    embed = summary_embed(
        "Practice: StepLR",
        SoloRun(1, problems(), clock).summary(),
        SessionStatus.STOPPED,
        prefix="!",
    )
    assert embed.title == "🏁 Practice: StepLR: 0/0 right (stopped early)"
    assert "`!practice`" in (embed.description or "")


def test_the_texts_around_a_run() -> None:
    """The intro says how to play (and which run it replaces); the replies are short."""
    intro = intro_text("Practice: StepLR", 3, "!", replaced="Review: due")
    assert intro.startswith("**Practice: StepLR**: 3 problems, one at a time, no timer.")
    assert "`!practice stop`" in intro
    assert "(Your Review: due run ends here; every answer you gave is saved.)" in intro
    assert check_your_dms("Practice: StepLR", 1) == (
        "📬 Check your DMs: **Practice: StepLR**, 1 problem."
    )
    assert check_your_dms("Practice: SWALR", 3, asked=10) == (
        "📬 Check your DMs: **Practice: SWALR**, 3 problems "
        "(you asked for 10: that is all there is for now)."
    )
    assert check_your_dms("Practice: SWALR", 3, asked=3).endswith("3 problems.")
    how = how_to_open_dms("!practice")
    assert "**Privacy Settings**" in how
    assert how.endswith("run `!practice` again.")
