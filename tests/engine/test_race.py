"""Tests for RaceSession: one answer each, speed and streak points, when a problem closes,
the standings, and rebuilding a race from its stored answers."""

from __future__ import annotations

import pytest

from bot.engine.pace import Progress
from bot.engine.problems import Pack
from bot.engine.race import RaceOutcome, RaceSession
from bot.engine.scoring import race_points, streak_bonus
from bot.engine.session import DeadlinePassed, HintRefused, NoAttemptsLeft
from tests.engine.conftest import FakeClock, make_pack, make_problem

ALICE, BOB, CAROL, DAN = 1, 2, 3, 4
T = 20.0


def pack_of(count: int) -> Pack:
    """`count` problems p0, p1, ... all answered B, each allowing 2 attempts in a challenge."""
    return make_pack(*(make_problem(f"p{i}", answer="B", attempts=2) for i in range(count)))


def race(count: int, clock: FakeClock, *entrants: int) -> RaceSession:
    """A race over `count` problems with these members joined; nothing open yet."""
    return RaceSession(pack_of(count), clock, seconds=T, entrants=entrants)


def answer_after(
    session: RaceSession, clock: FakeClock, user: int, option: str, seconds: float
) -> RaceOutcome:
    """`user` answers `seconds` after the open problem opened."""
    current = session.current
    assert current is not None
    clock.now = current.opened_at + seconds
    outcome = session.answer(user, option)
    assert isinstance(outcome, RaceOutcome)  # what a race judges
    return outcome


def test_one_answer_per_problem_even_when_the_pack_allows_two(clock: FakeClock) -> None:
    """A wrong answer is final: the racer is done with the problem."""
    session = race(1, clock, ALICE)
    session.open_next()
    wrong = answer_after(session, clock, ALICE, "A", 1.0)
    assert not wrong.correct
    assert wrong.attempts_left == 0
    assert session.is_done(ALICE)
    with pytest.raises(NoAttemptsLeft, match="first answer is final"):
        session.answer(ALICE, "B")


def test_every_problem_gets_the_race_time(clock: FakeClock) -> None:
    """The deadline is `seconds` after the opening, whatever the problem's own time limit."""
    session = race(1, clock)
    opened = session.open_next()
    assert opened.deadline - opened.opened_at == T


def test_a_right_answer_scores_by_its_speed(clock: FakeClock) -> None:
    """The first right answer of a race earns the speed points and no streak bonus."""
    session = race(1, clock, ALICE)
    session.open_next()
    outcome = answer_after(session, clock, ALICE, "B", 5.0)
    assert outcome.attempt.points == race_points(5.0, T) == 875
    assert (outcome.speed_points, outcome.streak_points, outcome.in_a_row) == (875, 0, 1)


def test_answers_right_in_a_row_add_the_capped_bonus(clock: FakeClock) -> None:
    """Seven right answers at once: +0, +100, ..., +500, then +500 again."""
    session = race(7, clock, ALICE)
    points = []
    for _ in range(7):
        session.open_next()
        points.append(answer_after(session, clock, ALICE, "B", 0.0).attempt.points)
        session.reveal()
    assert points == [1000, 1100, 1200, 1300, 1400, 1500, 1500]
    assert session.summary().scores[0].points == sum(points)


@pytest.mark.parametrize("miss", ["wrong", "no answer"])
def test_a_miss_ends_the_run(clock: FakeClock, miss: str) -> None:
    """After a wrong answer, or a problem left to run out, the next right one starts over."""
    session = race(4, clock, ALICE)
    bonuses = []
    for index in range(4):
        session.open_next()
        if index == 2:
            if miss == "wrong":
                answer_after(session, clock, ALICE, "C", 1.0)
        else:
            bonuses.append(answer_after(session, clock, ALICE, "B", 0.0).streak_points)
        session.reveal()
    assert bonuses == [streak_bonus(1), streak_bonus(2), streak_bonus(1)]


def test_answers_after_the_time_limit_are_refused(clock: FakeClock) -> None:
    """At T the problem takes no more answers: 500 is the least a right answer earns."""
    session = race(1, clock, ALICE)
    session.open_next()
    assert answer_after(session, clock, ALICE, "B", T).attempt.points == 500
    with pytest.raises(DeadlinePassed):
        answer_after(session, clock, BOB, "B", T + 0.001)


def test_no_hints_in_a_race(clock: FakeClock) -> None:
    """Asking for the hint is refused and charges nothing."""
    session = race(1, clock, ALICE)
    session.open_next()
    with pytest.raises(HintRefused, match="no hints"):
        session.hint(ALICE)
    assert not session.hinted(ALICE)


def test_the_problem_closes_when_every_racer_has_answered(clock: FakeClock) -> None:
    """With three joined, the problem closes at the third answer, not at T."""
    session = race(2, clock, ALICE, BOB, CAROL)
    opened = session.open_next()
    assert session.closes_at() == opened.deadline  # nobody answered yet
    answer_after(session, clock, ALICE, "B", 2.0)
    answer_after(session, clock, BOB, "A", 3.0)
    assert session.closes_at() == opened.deadline
    assert session.progress() == Progress(answered=2, still_trying=1)
    answer_after(session, clock, CAROL, "B", 7.5)
    assert session.closes_at() == opened.opened_at + 7.5
    assert session.progress() == Progress(answered=3, still_trying=0)


def test_a_newcomer_does_not_close_a_problem_alone(clock: FakeClock) -> None:
    """Someone who did not join answers: the joined racer is still waited for; from the
    next problem on the newcomer is waited for too."""
    session = race(2, clock, ALICE)
    opened = session.open_next()
    answer_after(session, clock, DAN, "B", 1.0)
    assert session.waited_for() == [ALICE]
    assert session.closes_at() == opened.deadline
    answer_after(session, clock, ALICE, "B", 4.0)
    assert session.closes_at() == opened.opened_at + 4.0
    session.reveal()
    session.open_next()
    assert session.waited_for() == [ALICE, DAN]


def test_a_racer_who_let_two_problems_run_out_is_not_waited_for(clock: FakeClock) -> None:
    """Bob stops answering: problems 2 and 3 wait for him, problem 4 does not; when he
    answers again he is waited for once more."""
    session = race(6, clock, ALICE, BOB)
    waited = []
    for index in range(6):
        session.open_next()
        waited.append(session.waited_for())
        answer_after(session, clock, ALICE, "B", 1.0)
        if index in (0, 4):
            answer_after(session, clock, BOB, "B", 2.0)
        session.reveal()
    both, alone = [ALICE, BOB], [ALICE]
    assert waited == [both, both, both, alone, alone, both]


def test_a_race_nobody_answers_runs_each_problem_to_its_time(clock: FakeClock) -> None:
    """Joined racers who never answer drop out after two problems; then the open problem
    waits for nobody and runs its whole time."""
    session = race(3, clock, ALICE)
    for _ in range(3):
        opened = session.open_next()
        assert session.closes_at() == opened.deadline
        session.reveal()
    assert session.waited_for() == []


def test_results_list_the_answers_fastest_first(clock: FakeClock) -> None:
    """After the reveal: who answered in how many seconds, right or not, for how much."""
    session = race(2, clock, ALICE, BOB, CAROL)
    session.open_next()
    answer_after(session, clock, BOB, "B", 3.0)
    answer_after(session, clock, ALICE, "B", 1.0)
    session.reveal()
    session.open_next()
    answer_after(session, clock, CAROL, "D", 1.5)
    answer_after(session, clock, ALICE, "B", 2.0)
    session.reveal()
    results = session.results(1)
    assert [(r.user_id, r.correct, r.seconds, r.in_a_row) for r in results] == [
        (CAROL, False, 1.5, 0),
        (ALICE, True, 2.0, 2),
    ]
    assert results[1].points == race_points(2.0, T) + streak_bonus(2)


def test_standings_rank_by_points_and_share_ties(clock: FakeClock) -> None:
    """Equal points share a rank; the next rank skips, as on a podium."""
    session = race(2, clock, ALICE, BOB, CAROL)
    session.open_next()
    answer_after(session, clock, ALICE, "B", 0.0)
    answer_after(session, clock, BOB, "B", 0.0)
    answer_after(session, clock, CAROL, "B", 10.0)
    session.reveal()
    session.open_next()
    answer_after(session, clock, CAROL, "A", 1.0)
    session.reveal()
    rows = session.standings()
    assert [(r.rank, r.user_id, r.points, r.correct, r.best_run) for r in rows] == [
        (1, ALICE, 1000, 1, 1),
        (1, BOB, 1000, 1, 1),
        (3, CAROL, 750, 1, 1),
    ]


def test_a_restored_race_scores_the_next_answer_like_the_original(clock: FakeClock) -> None:
    """Rebuilt from its stored answers, the race continues a streak where it was."""
    session = race(3, clock, ALICE)
    session.open_next()
    first = answer_after(session, clock, ALICE, "B", 0.0).attempt
    session.reveal()
    opened = session.open_next()
    restored = RaceSession.restore(
        session.pack,
        clock,
        problems=session.problems,
        current_index=opened.index,
        opened_at=opened.opened_at,
        deadline=opened.deadline,
        attempts=[first],
        hints=[],
    )
    restored.seconds = T
    again = answer_after(restored, clock, ALICE, "B", 4.0)
    original = answer_after(session, clock, ALICE, "B", 4.0)
    assert again == original
    assert again.attempt.points == race_points(4.0, T) + streak_bonus(2)
