"""Tests for `anneal play --mode daily`: today's daily problem for a local profile, chosen
once a day for every profile by the bot's rule (guild 0's own rotation), with the streak
over simulated days on a fake clock; piped answers through the real command line."""

from __future__ import annotations

import io
import random
from collections.abc import AsyncIterator, Collection
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.content.generator import GenerationError
from bot.engine.daily_times import day_number
from bot.engine.problems import Problem
from bot.play_daily import DailyRequest, play_daily
from bot.storage import LOCAL_GUILD_ID, Database, SessionMode
from tests.conftest import AnnealCli
from tests.engine.conftest import FakeClock, make_pack, make_problem
from tests.play_fakes import ScriptedReader, Step, library_of

# Four problems of four kinds, all answered B, so any day's problem takes the same keys.
DAILY = make_pack(
    *(
        make_problem(f"d-{kind.replace('_', '-')}", answer="B", kind=kind)
        for kind in ("conceptual", "debug", "metrics", "model_choice")
    )
)
UTC_ZONE = ZoneInfo("UTC")
DAY = 86_400.0


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """The terminal's database."""
    async with await Database.open(tmp_path / "play.db") as database:
        yield database


@pytest.fixture
def clock() -> FakeClock:
    """Monday 3 March 2025, 10:00 UTC."""
    return FakeClock(datetime(2025, 3, 3, 10, 0, tzinfo=UTC).timestamp())


async def daily(
    db: Database,
    clock: FakeClock,
    *script: Step,
    profile: str = "ada",
    zone: ZoneInfo = UTC_ZONE,
    generate: object = None,
) -> tuple[int, str]:
    """One `anneal play --mode daily` with these lines typed; exit code and output."""
    out = io.StringIO()
    request = DailyRequest(profile=profile, zone=zone)
    code = await play_daily(
        db,
        library_of(DAILY),
        request,
        ScriptedReader(clock, *script),
        out,
        clock,
        generate,  # type: ignore[arg-type]
    )
    return code, out.getvalue()


async def test_todays_problem_is_played_once_and_counts_a_streak(
    db: Database, clock: FakeClock
) -> None:
    """Right first time: the points, a streak of 1; run again the same day, it says so
    and plays nothing; the session is a daily one of the terminal's day."""
    code, output = await daily(db, clock, "B")
    assert code == 0
    assert "📅 The daily problem of Monday 3 March 2025 · playing as ada" in output
    assert "The daily problem of Monday 3 March 2025: done" in output
    assert "100 points · 1/1 correct" in output
    assert output.rstrip().endswith("Daily streak: 🔥 1 day in a row (best 1).")
    assert "badge" not in output
    again_code, again = await daily(db, clock)
    assert again_code == 0
    assert "You have played the daily problem of Monday 3 March 2025 already." in again
    assert "Daily streak: 🔥 1 day in a row (best 1)." in again
    [session] = await db.daily_sessions(LOCAL_GUILD_ID, day_number(datetime(2025, 3, 3).date()))
    assert session.mode is SessionMode.DAILY


def title_of(output: str) -> str:
    """The title of the problem a run showed (the line under its "Problem 1/1" header)."""
    lines = output.splitlines()
    header = next(n for n, line in enumerate(lines) if line.startswith("Problem 1/1 · "))
    return lines[header + 1]


async def test_every_profile_plays_the_same_problem_that_day(
    db: Database, clock: FakeClock
) -> None:
    """Two profiles on one machine get the day's one problem; the next day brings another."""
    _, ada = await daily(db, clock, "B", profile="ada")
    _, bob = await daily(db, clock, "A", "C", profile="bob")
    assert title_of(bob) == title_of(ada)
    assert "Daily streak: none yet." in bob
    clock.advance(DAY)
    _, tomorrow = await daily(db, clock, "B", profile="ada")
    assert title_of(tomorrow) != title_of(ada)


async def test_the_streak_over_simulated_days_with_a_missed_one(
    db: Database, clock: FakeClock
) -> None:
    """Solved Monday to Wednesday (a run of 3), Thursday played wrong, Friday solved:
    a run of 1, best 3."""
    for _ in range(3):
        await daily(db, clock, "B")
        clock.advance(DAY)
    _, missed = await daily(db, clock, "A", "C")
    assert missed.rstrip().endswith("Daily streak: none going (best 3 days).")
    clock.advance(DAY)
    _, friday = await daily(db, clock, "B")
    assert friday.rstrip().endswith("Daily streak: 🔥 1 day in a row (best 3).")


async def test_a_day_nobody_played_breaks_the_run(db: Database, clock: FakeClock) -> None:
    """In the terminal every day has its problem: skipping Tuesday ends Monday's run."""
    await daily(db, clock, "B")
    clock.advance(2 * DAY)
    _, wednesday = await daily(db, clock, "B")
    assert wednesday.rstrip().endswith("Daily streak: 🔥 1 day in a row (best 1).")


async def test_the_day_is_the_machines_local_one(db: Database, clock: FakeClock) -> None:
    """At 10:00 UTC on Monday it is already Tuesday in Kiritimati (UTC+14)."""
    _, output = await daily(db, clock, "B", zone=ZoneInfo("Pacific/Kiritimati"))
    assert "The daily problem of Tuesday 4 March 2025" in output


async def test_q_pauses_and_the_next_run_continues(db: Database, clock: FakeClock) -> None:
    """`q` leaves the day's problem open; the next run continues it, with the answers kept."""
    code, paused = await daily(db, clock, "A", "q")
    assert code == 0
    assert "`anneal play --mode daily` continues at problem 1/1" in paused
    _, continued = await daily(db, clock, "B")
    assert "Continuing the daily problem of Monday 3 March 2025 as ada." in continued
    assert "50 points · 1/1 correct" in continued


async def test_a_generated_day_that_cannot_be_made_gives_a_shipped_problem(
    db: Database, clock: FakeClock
) -> None:
    """On the day a generated problem is due, torch failing falls back to a shipped one."""
    asked: list[str] = []

    async def broken(scheduler: str, rng: random.Random, taken: Collection[str]) -> Problem:
        asked.append(scheduler)
        raise GenerationError("torch could not start")

    for _ in range(6):
        code, output = await daily(db, clock, "B", generate=broken)
        assert code == 0
        assert "1/1 correct" in output
        clock.advance(DAY)
    assert asked  # a generated day came, and was asked for


@pytest.fixture
def content(anneal_cli: AnnealCli) -> dict[str, str]:
    """A content directory holding the pack DAILY (every answer B)."""
    directory = anneal_cli.workdir / "content"
    directory.mkdir()
    raw = DAILY.model_dump(mode="json", exclude_none=True)
    (directory / "tiny.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    return {"ANNEAL_CONTENT_DIR": str(directory), "DISCORD_TOKEN": ""}


def test_piped_answers_play_todays_daily_problem(
    anneal_cli: AnnealCli, content: dict[str, str]
) -> None:
    """`anneal play --mode daily` in a child process: the day's problem, its answer, the
    streak; `--pack` beside it is refused in one line."""
    done = anneal_cli("play", "--mode", "daily", "--profile", "ada", input="B\n", env=content)
    assert done.returncode == 0, done.stderr
    assert "📅 The daily problem of " in done.stdout
    assert "Daily streak: 🔥 1 day in a row (best 1)." in done.stdout
    refused = anneal_cli("play", "--mode", "daily", "--pack", "tiny", env=content)
    assert refused.returncode == 2
    assert refused.stderr.strip() == ("anneal: --mode daily plays today's one problem: drop --pack")
