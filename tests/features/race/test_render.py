"""Tests for bot.features.race.render: the lobby, race problems, standings, the podium and
the feedback, from a RaceSession played on a fake clock, within Discord's limits."""

from __future__ import annotations

import pytest

from bot.engine.pace import Progress
from bot.engine.race import RaceOutcome, RaceSession
from bot.engine.session import Attempt
from bot.features.challenge.render import HINT_EMOJI, LETTER_EMOJI
from bot.features.race.render import (
    feedback,
    lobby_embed,
    podium_embed,
    problem_embed,
    problem_emojis,
    standings_embed,
)
from bot.storage import SessionStatus
from tests.engine.conftest import FakeClock, make_pack, make_problem

T = 20.0


@pytest.fixture
def clock() -> FakeClock:
    """The race's clock, moved by `play`."""
    return FakeClock()


def race(clock: FakeClock, racers: int = 3, problems: int = 2) -> RaceSession:
    """A race of `problems` problems (all answered B) with users 1..`racers` joined."""
    pack = make_pack(*(make_problem(f"p{i}") for i in range(problems)))
    return RaceSession(pack, clock, seconds=T, entrants=range(1, racers + 1))


def play(session: RaceSession, clock: FakeClock, answers: dict[int, tuple[str, float]]) -> None:
    """Open the next problem, take `answers` (user -> letter, seconds in), then reveal it."""
    opened = session.open_next()
    for user, (letter, taken) in sorted(answers.items(), key=lambda item: item[1][1]):
        clock.now = opened.opened_at + taken
        session.answer(user, letter)
    session.reveal()


def test_the_lobby_gives_the_rules_the_start_and_the_racers(clock: FakeClock) -> None:
    """Rules with the time per problem, a countdown to the start, every racer by mention."""
    session = race(clock)
    embed = lobby_embed(session.pack, session, 1_000_015.7, prefix="?")
    text = embed.description or ""
    assert text.startswith("2 problems, 20 s each, one answer each.")
    assert "<t:1000015:R>" in text
    assert embed.fields[0].name == "Racers (3)"
    assert embed.fields[0].value == "<@1>\n<@2>\n<@3>"
    assert "?race stop" in (embed.footer.text or "")


def test_a_lobby_of_many_racers_stays_within_limits(clock: FakeClock) -> None:
    """500 racers: the field says how many more there are instead of overflowing."""
    session = race(clock, racers=500)
    embed = lobby_embed(session.pack, session, 0.0, prefix="!")
    assert len(embed.fields[0].value or "") <= 1024
    assert (embed.fields[0].value or "").endswith("more")
    assert len(embed) <= 6000


def test_a_race_problem_has_no_bulb_and_says_the_answer_is_final(clock: FakeClock) -> None:
    """Letters only under the problem; the footer counts racers, never names a pick."""
    session = race(clock)
    opened = session.open_next()
    assert problem_emojis(opened.problem) == [LETTER_EMOJI[x] for x in "ABCD"]
    assert HINT_EMOJI not in problem_emojis(opened.problem)
    footer = problem_embed(opened, Progress(1, 2)).footer.text or ""
    assert footer == (
        "1 racer has answered, waiting for 2 · react with a letter: your first answer is final"
    )


def test_standings_show_this_problem_and_the_top_five(clock: FakeClock) -> None:
    """Seven racers: the top five by points, this problem's answers fastest first with the
    run shown from two in a row, and how many more are racing."""
    session = race(clock, racers=7)
    play(session, clock, {u: ("B", float(u)) for u in range(1, 8)})
    play(session, clock, {1: ("B", 3.0), 2: ("A", 1.0)})
    embed = standings_embed(session, 1)
    assert embed.title == "🏁 Standings after problem 2/2"
    lines = (embed.description or "").splitlines()
    assert len(lines) == 5
    assert lines[0] == "🥇 <@1> · **2,000** · 2 right"  # 975, then 925 + 100 in a row
    assert embed.fields[0].value == "❌ <@2> · 1.0 s\n✅ <@1> · +1,025 · 3.0 s · 🔥 2 in a row"
    assert embed.footer.text == "2 more racing"


@pytest.mark.parametrize(
    ("status", "title"),
    [
        (SessionStatus.FINISHED, "🏁 Tiny pack: race finished"),
        (SessionStatus.STOPPED, "🏁 Tiny pack: race called off"),
        (SessionStatus.EXPIRED, "🏁 Tiny pack: race ended while I was offline"),
    ],
)
def test_the_podium_shares_medals_on_equal_points(
    clock: FakeClock, status: SessionStatus, title: str
) -> None:
    """Two racers on equal points both get gold; the next one is third, not second."""
    session = race(clock)
    play(session, clock, {1: ("B", 0.0), 2: ("B", 0.0), 3: ("B", 20.0)})
    embed = podium_embed(session, [], status)
    assert embed.title == title
    assert (embed.description or "").splitlines() == [
        "🥇 <@1> · **1,000** · 1 right",
        "🥇 <@2> · **1,000** · 1 right",
        "🥉 <@3> · **500** · 1 right",
    ]


def test_a_podium_with_new_badges_names_the_winners(clock: FakeClock) -> None:
    """Winning the pack's badge in a race is announced under the podium."""
    session = race(clock, racers=1, problems=1)
    play(session, clock, {1: ("B", 1.0)})
    embed = podium_embed(session, [1], SessionStatus.FINISHED)
    assert embed.fields[0].name == "🏅 New badge: Tiny Master"
    assert embed.fields[0].value == "<@1>"


def test_feedback_explains_the_points_privately_and_hides_the_pick_publicly() -> None:
    """Private: the pick, the points, the seconds and the streak; public: right or not."""
    right = Attempt(1, "p1", "B", True, 1, 1125, 1.0)
    private, public = feedback(RaceOutcome(right, 0, 3.0, 925, 3))
    assert private == "✅ B is right! +1,125 points (925 for 3.0 s, +200 for 3 in a row)."
    assert "B" not in public
    wrong = Attempt(1, "p1", "C", False, 1, 0, 1.0)
    private, public = feedback(RaceOutcome(wrong, 0, 2.0))
    assert private == "❌ C is not it. In a race that answer is final."
    assert "C" not in public
