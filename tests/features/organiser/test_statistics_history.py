"""`!stats` numbers after random histories equal a plain-Python recount of the attempts.

Each history stores attempts through the storage API in a server (a challenge, a daily
problem and a race, one of them with a saved generated pack), in another server, and in
DMs (guild 0: practice and review), at times across and around the last 8 ISO weeks. The
statistics `read_overview` gives the server, and its export, must equal what this
module recounts from the attempts it stored, by its own rules written out here.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content import ContentLibrary
from bot.engine.problems import LETTERS, Letter, Problem
from bot.engine.session import Attempt
from bot.features.organiser.reading import read_export, read_overview
from bot.storage import Database, SessionMode, _statistics
from tests.engine.conftest import make_pack, make_problem

DAY, WEEK = 86_400.0, 7 * 86_400.0
NOW = datetime(2025, 3, 12, 12, tzinfo=UTC).timestamp()  # Wednesday
MONDAY = datetime(2025, 3, 10, tzinfo=UTC).timestamp()
FIRST_SHOWN = MONDAY - 7 * WEEK  # the oldest of the 8 weeks shown
SERVER, OTHER, DMS = 1, 2, 0
USERS = (11, 12, 13, 14)
# One problem per kind of lookup: shipped (one scheduler), shipped (two, another kind),
# generated (only in a saved pack), and one no pack holds any more.
PACK = make_pack(
    make_problem("p-step", answer="A"),
    make_problem(
        "p-two",
        answer="B",
        kind="predict_output",
        code="print(1)",
        schedulers=["StepLR", "CosineAnnealingLR"],
        subject=["StepLR", "CosineAnnealingLR"],
    ),
)
GENERATED = Problem.model_validate(
    make_problem("fresh-steplr-1a2b3c4d", answer="C", subject=["ExponentialLR"],
                 schedulers=["ExponentialLR"], kind="predict_output", code="print(2)")
)  # fmt: skip
PROBLEMS = ("p-step", "p-two", GENERATED.id, "gone")
KEYS: dict[str, Letter] = {"p-step": "A", "p-two": "B", GENERATED.id: "C", "gone": "D"}
# (guild, mode) of each session a history can answer in.
SESSIONS = (
    (SERVER, SessionMode.CHALLENGE),
    (SERVER, SessionMode.DAILY),
    (SERVER, SessionMode.RACE),
    (OTHER, SessionMode.CHALLENGE),
    (DMS, SessionMode.PRACTICE),
    (DMS, SessionMode.REVIEW),
)
EDGES = [MONDAY + d for d in (-0.001, 0.0, 0.001, WEEK - 0.001)] + [
    FIRST_SHOWN - 0.001,
    FIRST_SHOWN,
]
TIMES = st.one_of(
    st.sampled_from(EDGES), st.floats(min_value=FIRST_SHOWN - 2 * WEEK, max_value=NOW)
)


@dataclass(frozen=True)
class Answer:
    """One pick to store: in which session, by whom, at which problem, which option, when."""

    session: int  # index into SESSIONS
    user: int
    problem: str
    option: Letter
    at: float


ANSWERS = st.builds(
    Answer,
    session=st.integers(0, len(SESSIONS) - 1),
    user=st.sampled_from(USERS),
    problem=st.sampled_from(PROBLEMS),
    option=st.sampled_from(LETTERS),
    at=TIMES,
)


@dataclass(frozen=True)
class Stored:
    """An attempt as stored, with its session's guild and mode."""

    guild: int
    mode: SessionMode
    session_id: int
    attempt: Attempt


async def play(db: Database, answers: Sequence[Answer]) -> list[Stored]:
    """Store the answers through the storage API: the next attempt number each time."""
    for guild in (SERVER, OTHER):
        await db.upsert_guild(guild, f"guild {guild}")
    for user in USERS:
        await db.upsert_user(user, f"user {user}")
    ids = []
    for number, (guild, mode) in enumerate(SESSIONS):
        ids.append(
            await db.create_session(
                guild, number + 1, "pack", list(PROBLEMS), USERS[0], FIRST_SHOWN, mode=mode
            )
        )
    generated_pack = PACK.model_copy(update={"id": "fresh", "problems": [GENERATED]})
    await db.save_session_pack(ids[2], generated_pack.model_dump_json())
    numbers: dict[tuple[int, int, str], int] = defaultdict(int)
    stored = []
    for answer in answers:
        guild, mode = SESSIONS[answer.session]
        session_id = ids[answer.session]
        numbers[(session_id, answer.user, answer.problem)] += 1
        right = answer.option == KEYS[answer.problem]
        attempt = Attempt(
            answer.user,
            answer.problem,
            answer.option,
            right,
            numbers[(session_id, answer.user, answer.problem)],
            100 if right else 0,
            answer.at,
        )
        await db.save_attempt(session_id, attempt)
        stored.append(Stored(guild, mode, session_id, attempt))
    return stored


def recount(stored: Sequence[Stored]) -> dict[str, object]:
    """Every number `!stats` shows the server, recounted from the attempts alone."""
    mine = [s for s in stored if s.guild == SERVER]
    weeks = []
    for k in range(8):
        since = FIRST_SHOWN + k * WEEK
        played = {
            (s.session_id, s.attempt.user_id, s.attempt.problem_id)
            for s in mine
            if since <= s.attempt.answered_at < since + WEEK
        }
        weeks.append((since, len({user for _, user, _ in played}), len(played)))
    picks: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for s in mine:
        if s.attempt.attempt_number == 1:
            picks[s.attempt.problem_id][s.attempt.option] += 1
    right = {pid: by_option.get(KEYS[pid], 0) for pid, by_option in picks.items()}
    tries = {pid: sum(by_option.values()) for pid, by_option in picks.items()}
    missed = sorted(
        (pid for pid in picks if tries[pid] > right[pid]),
        key=lambda pid: (right[pid] - tries[pid], right[pid] / tries[pid], pid),
    )[:5]
    known: dict[str, Problem] = {p.id: p for p in [*PACK.problems, GENERATED]}
    groups: dict[str, dict[str, list[int]]] = {"scheduler": {}, "kind": {}}
    for pid in picks:
        if pid not in known:
            continue
        labels = {"scheduler": known[pid].subject, "kind": [known[pid].kind.label]}
        for by, names in labels.items():
            for name in names:
                totals = groups[by].setdefault(name, [0, 0, 0])
                totals[0] += 1
                totals[1] += tries[pid]
                totals[2] += right[pid]
    return {
        "weeks": weeks,
        "picks": {pid: dict(by_option) for pid, by_option in picks.items()},
        "missed": missed,
        "by": {
            by: [
                (name, *totals)
                for name, totals in sorted(
                    found.items(), key=lambda kv: (kv[1][2] / kv[1][1], kv[0])
                )
            ]
            for by, found in groups.items()
        },
        "unknown": sorted(pid for pid in picks if pid not in known),
    }


async def check_history(db: Database, answers: Sequence[Answer]) -> None:
    """Play the answers, then compare the server's statistics and export with the recount."""
    stored = await play(db, answers)
    library = ContentLibrary(packs={PACK.id: PACK}, sources={})
    stats, problems = await read_overview(db, library, SERVER, now=NOW)
    expected = recount(stored)

    assert [(w.since, w.members, w.answered) for w in stats.weeks] == expected["weeks"]
    assert {p.problem_id: dict(p.picks) for p in stats.problems} == expected["picks"]
    assert [p.problem_id for p in stats.most_missed] == expected["missed"]
    shown = {
        "scheduler": [(g.name, g.problems, g.first_tries, g.right) for g in stats.by_scheduler],
        "kind": [(g.name, g.problems, g.first_tries, g.right) for g in stats.by_kind],
    }
    assert shown == expected["by"]
    assert sorted(stats.unknown) == expected["unknown"]
    assert set(problems) == set(expected["picks"]) - set(expected["unknown"])

    export = await read_export(db, SERVER, stem="history", limit=1 << 20)
    [file] = export.files
    lines = file.data.decode().splitlines()[1:]
    in_order = sorted(
        (s for s in stored if s.guild == SERVER), key=lambda s: s.attempt.answered_at
    )  # a stable sort: equal times keep the order they were stored in
    exported = [tuple(line.split(",")[2:8]) for line in lines]
    assert exported == [
        (
            str(a.user_id),
            f"user {a.user_id}",
            a.problem_id,
            a.option,
            str(int(a.correct)),
            str(a.attempt_number),
        )
        for a in (s.attempt for s in in_order)
    ]


def run_history(answers: Sequence[Answer]) -> None:
    """`check_history` on a fresh database file."""

    async def go(folder: Path) -> None:
        async with await Database.open(folder / "history.db") as db:
            await check_history(db, answers)

    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(go(Path(folder)))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ANSWERS, min_size=1, max_size=40))
def test_statistics_equal_a_recount_of_the_attempts(answers: list[Answer]) -> None:
    """Whatever was answered where and when, `!stats` shows what the attempts say."""
    run_history(answers)


def test_a_fixed_history_across_monday_and_every_kind_of_session() -> None:
    """The same comparisons without randomness: a problem straddling Monday counts in both
    weeks, the other server and DMs count nowhere, a never-missed problem is not missed."""
    run_history(
        [
            Answer(0, 11, "p-step", "B", MONDAY - 0.001),
            Answer(0, 11, "p-step", "A", MONDAY + 0.001),
            Answer(1, 12, "p-two", "B", MONDAY + DAY),
            Answer(2, 13, GENERATED.id, "D", MONDAY - WEEK),
            Answer(2, 13, "gone", "A", MONDAY - 3 * WEEK),
            Answer(3, 14, "p-step", "C", MONDAY),
            Answer(4, 14, "p-two", "A", MONDAY),
            Answer(5, 12, "p-step", "D", MONDAY),
        ]
    )


def test_a_miscounting_query_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparisons can fail: first tries that also counted second tries are caught."""
    every_try = _statistics._FIRST_TRIES.replace("AND a.attempt_number = 1", "")
    assert every_try != _statistics._FIRST_TRIES
    monkeypatch.setattr(_statistics, "_FIRST_TRIES", every_try)
    answers = [Answer(0, 11, "p-step", "B", MONDAY), Answer(0, 11, "p-step", "A", MONDAY + 1)]
    with pytest.raises(AssertionError):
        run_history(answers)
