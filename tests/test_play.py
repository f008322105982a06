"""Tests for `anneal play`'s game: answers, hints and time on a fake clock; `q` pauses,
signals and the end of input stop at once; an unfinished game is offered and resumed."""

from __future__ import annotations

import io
import signal
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.engine.problems import Problem
from bot.engine.scoring import HINT_COST, POINTS_BY_ATTEMPT
from bot.engine.session import Attempt
from bot.play import Console, LocalPlayer, start_game
from bot.storage import LOCAL_GUILD_ID, Database, SessionStatus
from tests.engine.conftest import FakeClock, make_pack, make_problem
from tests.play_fakes import CTRL_C, WAIT, Signal, Terminal, library_of

# Three problems, one per level, so the game plays them in this order: answers B, C, D.
THREE = make_pack(
    make_problem("p1", answer="B"),
    make_problem("p2", answer="C", level="intermediate"),
    make_problem("p3", answer="D", level="advanced"),
)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """The terminal's database, closed after the test (its threads stop with it)."""
    async with await Database.open(tmp_path / "play.db") as database:
        yield database


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock: reads that wait out their time move it on, nothing sleeps."""
    return FakeClock()


@pytest.fixture
def terminal(db: Database, clock: FakeClock) -> Terminal:
    """`anneal play` over the three-problem pack `tiny`."""
    return Terminal(db, clock, library_of(THREE))


async def test_a_whole_game_is_stored_and_earns_the_badge(terminal: Terminal, db: Database) -> None:
    """Right answers all the way: full points, the badge, and the session closed as finished."""
    code, output = await terminal.play("B", "c", "D")
    assert code == 0
    assert "3/3 correct" in output
    assert "You earned the badge “Tiny Master”" in output
    user = await db.local_user("tester")
    profile = await db.profile(LOCAL_GUILD_ID, user, today=datetime.now(UTC).date())
    assert profile.points == 3 * POINTS_BY_ATTEMPT[0]
    assert [b.badge for b in profile.badges] == ["Tiny Master"]
    assert await db.open_sessions() == []


async def test_wrong_then_hint_then_right(db: Database, clock: FakeClock) -> None:
    """A wrong pick leaves an attempt; the hint is shown and costs points."""
    terminal = Terminal(db, clock, library_of(make_pack(make_problem("only", answer="C"))))
    _, output = await terminal.play("A", "A", "h", "c")
    assert "Not A. 1 attempt left." in output
    assert "You already tried A" in output
    assert "💡 It is not one." in output
    assert f"+{POINTS_BY_ATTEMPT[1] - HINT_COST} points" in output


async def test_used_up_attempts_reveal_the_answer(db: Database, clock: FakeClock) -> None:
    """Two wrong picks end the problem and show the answer with every why-not."""
    terminal = Terminal(db, clock, library_of(make_pack(make_problem("only", answer="B"))))
    _, output = await terminal.play("A", "C")
    assert "No attempts left." in output
    assert "The answer is B) two" in output
    assert "needs every problem right" in output


async def test_time_runs_out_on_the_clock(terminal: Terminal) -> None:
    """Typing nothing: the read waits the problem's whole time limit, then it is revealed."""
    _, output = await terminal.play(WAIT, "C", "D")
    assert terminal.reader.waits[0] == 60  # make_problem's time limit
    assert "Time is up!" in output
    assert "The answer is B) two" in output
    assert "2/3 correct" in output


async def test_q_pauses_without_counting_the_open_problem(terminal: Terminal) -> None:
    """`q` stores nothing for the open problem, keeps the game open there and says so."""
    code, output = await terminal.play("B", "q")
    assert code == 0
    assert "Paused at problem 2/3: 1 of 3 problems answered." in output
    assert "`anneal play` continues at problem 2/3" in output
    assert "The answer is C" not in output  # not revealed: it is still to be answered
    stored = await terminal.open_game()
    assert stored.current_problem_id == "p2"
    attempts = await terminal.db.attempts_for_session(stored.id)
    assert [a.problem_id for a in attempts] == ["p1"]


async def test_a_paused_game_resumes_at_its_problem_with_its_full_time(
    terminal: Terminal,
) -> None:
    """The next `anneal play` asks; Enter continues at problem 2 with all its time, and the
    answers from before count in the final score."""
    await terminal.play("B", "q")
    terminal.clock.advance(3600)
    code, output = await terminal.play("", "C", "D")
    assert code == 0
    assert "You have an unfinished game: Tiny pack, 1 of 3 problems answered." in output
    assert "Continue problem 2/3? [Y/n]" in output
    assert "Problem 1/3" not in output
    assert "Problem 2/3" in output
    assert terminal.reader.waits[1] == 60  # the question had no limit; then the full time
    assert "300 points · 3/3 correct" in output
    assert "You earned the badge" in output


async def test_a_resumed_problem_keeps_the_attempts_used(terminal: Terminal) -> None:
    """A wrong pick before the pause still counts: one attempt is left after it."""
    await terminal.play("A", "q")
    _, output = await terminal.play("", "C")
    assert "Continue problem 1/3?" in output
    assert "Before you stopped you tried A: 1 attempt left." in output
    assert "Not C. No attempts left." in output


async def test_a_resumed_problem_keeps_its_hint(terminal: Terminal) -> None:
    """A hint taken before the pause is not charged twice, and the player is told."""
    await terminal.play("h", "q")
    _, output = await terminal.play("", "B", "C", "D")
    assert "Before you stopped you took the hint: 2 attempts left." in output
    assert "💡" not in output.split("Problem 2/3")[0].split("Continue problem")[1]
    assert f"+{POINTS_BY_ATTEMPT[0] - HINT_COST} points" in output


@pytest.mark.parametrize(("stop", "code"), [(CTRL_C, 130), (Signal(signal.SIGTERM), 143)])
async def test_a_signal_mid_problem_saves_and_says_where_to_continue(
    terminal: Terminal, stop: Signal, code: int
) -> None:
    """Ctrl-C (or `kill`) while a problem waits: one line, the shell's code, game kept."""
    exit_code, output = await terminal.play("B", stop)
    assert exit_code == code
    assert output.splitlines()[-1] == "saved 1 answer; `anneal play` continues at 2/3"
    assert "The answer is C" not in output
    assert (await terminal.open_game()).current_problem_id == "p2"
    assert terminal.reader.signals_caught


async def test_the_end_of_input_stops_like_ctrl_c(terminal: Terminal) -> None:
    """Ctrl-D, or the last piped line: the same one line and exit code 130."""
    code, output = await terminal.play("B", "C")
    assert code == 130
    assert output.splitlines()[-1] == "saved 2 answers; `anneal play` continues at 3/3"


async def test_no_closes_the_old_game_and_starts_a_new_one(terminal: Terminal) -> None:
    """Answering n stops the unfinished game (its answers kept) and starts the pack again."""
    await terminal.play("B", "q")
    old = await terminal.open_game()
    _, output = await terminal.play("n", "q")
    assert "That game is closed; its answers are kept." in output
    assert "Problem 1/3" in output
    new = await terminal.open_game()
    assert new.id != old.id
    stopped = await terminal.db.session(old.id)
    assert stopped is not None
    assert stopped.status is SessionStatus.STOPPED
    assert len(await terminal.db.attempts_for_session(old.id)) == 1


async def test_an_unclear_answer_to_the_question_is_asked_again(terminal: Terminal) -> None:
    """Only y, n or Enter answer "continue?"; anything else asks again."""
    await terminal.play("B", "q")
    _, output = await terminal.play("maybe", "Y", "q")
    assert "Please answer y (or just Enter) to continue it, or n for a new game." in output
    assert output.count("Continue problem 2/3? [Y/n]") == 2
    assert "Paused at problem 2/3" in output


async def test_ctrl_c_at_the_question_changes_nothing(terminal: Terminal) -> None:
    """Stopping at "continue?" leaves the game as it was."""
    await terminal.play("B", "q")
    before = await terminal.open_game()
    code, output = await terminal.play(CTRL_C)
    assert code == 130
    assert output.splitlines()[-1] == "nothing changed; `anneal play` continues at 2/3"
    assert await terminal.open_game() == before


async def test_a_problem_done_before_the_stop_is_passed_over(
    terminal: Terminal, db: Database, clock: FakeClock
) -> None:
    """A game killed after a problem was solved but before the next opened resumes after it."""
    player = LocalPlayer(await db.local_user("tester"), "tester")
    console = Console.of(db, player, terminal.reader, io.StringIO(), clock)
    game = await start_game(console, THREE, THREE.problems)
    await db.set_current_problem(game.session_id, 0, clock(), clock() + 60)
    await db.save_attempt(
        game.session_id, Attempt(player.user_id, "p1", "B", True, 1, 100, clock())
    )
    _, output = await terminal.play("", "q")
    assert "1 of 3 problems answered" in output
    assert "Continue problem 2/3?" in output


async def test_a_game_whose_problems_are_gone_gives_way_to_a_new_one(
    terminal: Terminal, db: Database, clock: FakeClock
) -> None:
    """When the unfinished game's pack has changed, it is closed and a new game starts."""
    await terminal.play("B", "q")
    old = await terminal.open_game()
    other = make_pack(make_problem("x1")).model_copy(update={"id": "other"})
    changed = Terminal(db, clock, library_of(other))
    _, output = await changed.play("q", pack_id="other")
    assert "Your unfinished game cannot go on" in output
    stopped = await db.session(old.id)
    assert stopped is not None
    assert stopped.status is SessionStatus.STOPPED


async def test_a_fresh_game_resumes_from_the_pack_stored_with_it(terminal: Terminal) -> None:
    """A generated pack is kept with its session: resuming it generates nothing new."""
    await terminal.play("q", pack_id="fresh", seed=4)
    _, output = await terminal.play("", "B", "A", pack_id="fresh")
    assert terminal.generated == [4]
    assert "You have an unfinished game: Fresh problems" in output
    assert "2/2 correct" in output


async def test_count_plays_part_of_a_pack_and_new_problems_come_first(
    db: Database, clock: FakeClock
) -> None:
    """`--count 1` three times meets the three problems; the badge needs the whole pack."""
    pack = make_pack(*(make_problem(f"p{n}") for n in range(3)))  # every answer is B
    terminal = Terminal(db, clock, library_of(pack))
    shown = []
    for _ in range(3):
        _, output = await terminal.play("B", count=1)
        assert "Problem 1/1" in output
        shown.append(output.split("\nProblem p")[1][:1])  # make_problem's title: "Problem <id>"
    assert sorted(shown) == ["0", "1", "2"]
    assert "needs every problem of the pack right: `anneal play --pack tiny` plays all 3" in output


async def test_a_miss_in_the_terminal_enters_the_review_queue(
    terminal: Terminal, db: Database, clock: FakeClock
) -> None:
    """The terminal's wrong answer is queued for review, due one first step after it; the
    right answers are not."""
    missed_at = clock()
    await terminal.play("A", "B", "C", "D")
    [entry] = await db.review_entries(await db.local_user("tester"))
    assert (entry.problem_id, entry.pack_id, entry.problem_json) == ("p1", "tiny", None)
    assert entry.due_at == entry.moved_at + db.review_steps.intervals[0]
    assert entry.moved_at >= missed_at


async def test_a_missed_generated_problem_is_kept_for_review(
    terminal: Terminal, db: Database
) -> None:
    """A `fresh` problem is in no pack file: its miss keeps the problem itself for review."""
    await terminal.play("C", "A", pack_id="fresh")
    [entry] = await db.review_entries(await db.local_user("tester"))
    assert entry.problem_id == "f1"
    assert entry.problem_json is not None
    fresh = await terminal.generate(None, 2)
    assert Problem.model_validate_json(entry.problem_json) == fresh.problem("f1")
