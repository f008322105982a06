"""Tests for the daily problem's choice: schedulers and kinds rotate, no problem comes back
within 60 days, and a generated problem comes every 4th day; simulated over months of
days on the shipped packs (and on tiny ones for the edges)."""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Collection
from datetime import date, timedelta

import pytest

from bot.content import load_library
from bot.engine.daily_choice import (
    GENERATED_EVERY,
    NO_REPEAT_DAYS,
    DailyChoice,
    ShownDaily,
    choose_daily,
)
from bot.engine.problems import Kind, Problem
from bot.settings import SHIPPED_CONTENT_DIR
from tests.engine.conftest import make_pack, make_problem

FIRST = date(2025, 1, 1)
GENERATABLE = frozenset({"StepLR", "ExponentialLR", "CosineAnnealingLR"})


@functools.cache
def shipped() -> list[tuple[str, Problem]]:
    """Every shipped problem with its pack id (loaded once: the packs are read-only here)."""
    return [(pack.id, problem) for pack, problem in load_library(SHIPPED_CONTENT_DIR).problems()]


def simulate(
    candidates: list[tuple[str, Problem]], days: int, generatable: Collection[str] = ()
) -> list[ShownDaily]:
    """Each day's choice, fed back as the next day's history, the way a server lives it."""
    history: list[ShownDaily] = []
    for offset in range(days):
        day = FIRST + timedelta(days=offset)
        choice = choose_daily(
            candidates, history, day, random.Random(f"test:{day}"), generatable=generatable
        )
        history.append(shown(day, choice, offset))
    return history


def shown(day: date, choice: DailyChoice, offset: int) -> ShownDaily:
    """What a server was shown for a choice (a generated one gets a fresh id)."""
    if choice.generate is not None:
        return ShownDaily(day, f"generated-{offset}", Kind.PREDICT_OUTPUT, (choice.generate,), True)
    assert choice.problem is not None
    return ShownDaily(day, choice.problem.id, choice.problem.kind, tuple(choice.problem.subject))


def test_no_problem_comes_back_within_60_days() -> None:
    """Over 150 days of shipped problems, any problem shown twice is 60 or more days apart
    (and some are: the rule, not the size of the packs, keeps them apart)."""
    history = simulate(shipped(), 150)
    last: dict[str, date] = {}
    repeats = 0
    for entry in history:
        if entry.problem_id in last:
            assert (entry.day - last[entry.problem_id]).days >= NO_REPEAT_DAYS
            repeats += 1
        last[entry.problem_id] = entry.day
    assert repeats > 0


def test_kinds_rotate_so_no_kind_comes_two_days_running() -> None:
    """No two days in a row share a kind, and every kind has its turn within a week."""
    history = simulate(shipped(), 90, GENERATABLE)
    for before, after in itertools.pairwise(history):
        assert before.kind is not after.kind, after.day
    assert {entry.kind for entry in history[:7]} == set(Kind)


def test_schedulers_rotate_before_any_comes_back() -> None:
    """Every scheduler taught by the shipped packs is a subject within the first 20 days,
    and none is a subject twice within a week."""
    candidates = shipped()
    history = simulate(candidates, 90)
    taught = {name for _, problem in candidates for name in problem.subject}
    assert {name for entry in history[:20] for name in entry.subject} == taught
    last: dict[str, date] = {}
    for entry in history:
        for name in entry.subject:
            if name in last:
                assert (entry.day - last[name]).days >= 7, (name, entry.day)
            last[name] = entry.day


def test_every_fourth_problem_is_generated_when_torch_can() -> None:
    """With a generator, every 4th problem is generated (a day or two later when a shipped
    predict-the-output problem just came), rotating over its schedulers; without one, none."""
    history = simulate(shipped(), 60, GENERATABLE)
    generated = [offset for offset, entry in enumerate(history) if entry.generated]
    assert generated[0] >= GENERATED_EVERY - 1
    gaps = [after - before for before, after in itertools.pairwise(generated)]
    assert all(GENERATED_EVERY <= gap <= GENERATED_EVERY + 2 for gap in gaps), gaps
    assert len(generated) >= 60 // (GENERATED_EVERY + 2)
    for offset in generated:  # each came when predict-the-output was due
        assert all(entry.kind is not Kind.PREDICT_OUTPUT for entry in history[offset - 2 : offset])
    subjects = [history[offset].subject[0] for offset in generated[:3]]
    assert sorted(subjects) == sorted(GENERATABLE)
    assert not any(entry.generated for entry in simulate(shipped(), 24))


def test_a_generated_problem_waits_for_predict_the_output_to_be_due() -> None:
    """When a shipped predict-the-output problem came yesterday, the generated one waits."""
    history = [
        ShownDaily(FIRST, "a", Kind.CONCEPTUAL, ("StepLR",)),
        ShownDaily(FIRST + timedelta(days=1), "b", Kind.METRICS, ("LinearLR",)),
        ShownDaily(FIRST + timedelta(days=2), "c", Kind.PREDICT_OUTPUT, ("CyclicLR",)),
    ]
    day = FIRST + timedelta(days=3)
    waiting = choose_daily(shipped(), history, day, random.Random(1), generatable=GENERATABLE)
    assert waiting.generate is None
    assert waiting.problem is not None
    assert waiting.problem.kind not in {Kind.PREDICT_OUTPUT, Kind.METRICS}


def test_with_few_problems_the_one_shown_longest_ago_comes_back() -> None:
    """Three problems over five days: after all three, the oldest returns, never yesterday's."""
    pack = make_pack(
        make_problem("p1", kind="conceptual"),
        make_problem("p2", kind="debug"),
        make_problem("p3", kind="metrics"),
    )
    history = simulate([(pack.id, problem) for problem in pack.problems], 5)
    ids = [entry.problem_id for entry in history]
    assert sorted(ids[:3]) == ["p1", "p2", "p3"]
    assert ids[3] == ids[0]
    assert ids[4] == ids[1]


def test_the_same_seed_picks_the_same_problem() -> None:
    """A retry of the same day (same seed, same history) picks the same problem."""
    history = simulate(shipped(), 10)
    day = FIRST + timedelta(days=10)
    first = choose_daily(shipped(), history, day, random.Random("server:day"))
    again = choose_daily(shipped(), history, day, random.Random("server:day"))
    assert first == again


def test_history_after_the_day_is_ignored() -> None:
    """Only earlier days count: a choice for a day already in the history is the same as
    without the days from it on."""
    history = simulate(shipped(), 12)
    day = FIRST + timedelta(days=6)
    with_future = choose_daily(shipped(), history, day, random.Random(3))
    without = choose_daily(shipped(), history[:6], day, random.Random(3))
    assert with_future == without


def test_a_choice_is_a_problem_or_a_scheduler_never_both() -> None:
    """DailyChoice refuses to be both, or neither."""
    with pytest.raises(ValueError, match="shipped problem or a scheduler"):
        DailyChoice()
    problem = make_pack().problems[0]
    with pytest.raises(ValueError, match="shipped problem or a scheduler"):
        DailyChoice(pack_id="tiny", problem=problem, generate="StepLR")
