"""`anneal play` as a learner runs it: in a real terminal (tmux) for q, resume, Ctrl-C and
Ctrl-D, with answers piped in, and its one-line refusals of bad options."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from tests.conftest import PRIVATE_PREFIXES, AnnealCli
from tests.engine.conftest import make_pack, make_problem
from tests.tmux import Pane, Tmux, needs_tmux

# Ten minutes a problem: a game that ends within seconds did not wait for a timer.
SLOW = 600
TINY = make_pack(
    make_problem("p1", answer="B", time_limit=SLOW),
    make_problem("p2", answer="C", time_limit=SLOW, level="intermediate"),
    make_problem("p3", answer="D", time_limit=SLOW, level="advanced"),
)


@pytest.fixture
def content(anneal_cli: AnnealCli) -> dict[str, str]:
    """A content directory holding the pack `tiny` (answers B, C, D in play order)."""
    directory = anneal_cli.workdir / "content"
    directory.mkdir()
    raw = TINY.model_dump(mode="json", exclude_none=True)
    (directory / "tiny.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    return {"ANNEAL_CONTENT_DIR": str(directory), "DISCORD_TOKEN": ""}


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    """A tmux server of the test's own, stopped afterwards."""
    server = Tmux(tmp_path / "tmux.sock")
    yield server
    server.close()


def play_in(tmux: Tmux, anneal_cli: AnnealCli, content: dict[str, str]) -> Pane:
    """`anneal play --pack tiny --profile ada` in a new terminal."""
    argv = anneal_cli.command("play", "--pack", "tiny", "--profile", "ada")
    return tmux.run(argv, anneal_cli.environment(content), anneal_cli.workdir)


def at_problem_2(pane: Pane) -> None:
    """Answer problem 1 right and wait for problem 2's prompt."""
    pane.wait_for("Your answer")
    pane.type("B")
    pane.wait_for("Problem 2/3")
    pane.wait_for("Your answer")


@pytest.mark.terminal
@needs_tmux
def test_q_pauses_and_the_next_game_continues_there(
    tmux: Tmux, anneal_cli: AnnealCli, content: dict[str, str]
) -> None:
    """q at problem 2 stops with exit 0 counting 1 answer; `anneal play` then asks, Enter
    continues at problem 2, and the game ends with the badge for all three."""
    pane = play_in(tmux, anneal_cli, content)
    at_problem_2(pane)
    pane.type("q")
    shown = pane.wait_for("continues at problem 2/3.")
    assert "Paused at problem 2/3: 1 of 3 problems answered." in shown
    assert "The answer is C" not in shown
    assert pane.exit_code() == 0

    again = play_in(tmux, anneal_cli, content)
    again.wait_for("You have an unfinished game: Tiny pack, 1 of 3 problems answered.")
    again.wait_for("Continue problem 2/3? [Y/n]")
    again.keys("Enter")
    shown = again.wait_for("Your answer")
    assert "Problem 2/3" in shown
    assert "Problem 1/3" not in shown
    again.type("C")
    again.wait_for("Problem 3/3")
    again.wait_for("Your answer")
    again.type("D")
    assert "300 points · 3/3 correct" in again.wait_for("You earned the badge")
    assert again.exit_code() == 0


@pytest.mark.terminal
@needs_tmux
def test_ctrl_c_and_ctrl_d_stop_at_once_and_keep_the_game(
    tmux: Tmux, anneal_cli: AnnealCli, content: dict[str, str]
) -> None:
    """Ctrl-C while problem 2 has ten minutes left: at once one line, exit 130, no traceback.
    The next run offers the game; Ctrl-D at its problem stops the same way."""
    pane = play_in(tmux, anneal_cli, content)
    at_problem_2(pane)
    pane.keys("C-c")
    shown = pane.wait_for("saved 1 answer; `anneal play --profile ada` continues at 2/3")
    assert pane.exit_code() == 130
    assert "Traceback" not in pane.transcript()
    assert "The answer is C" not in shown

    again = play_in(tmux, anneal_cli, content)
    again.wait_for("Continue problem 2/3? [Y/n]")
    again.type("y")
    again.wait_for("Your answer")
    again.keys("C-d")
    again.wait_for("saved 1 answer; `anneal play --profile ada` continues at 2/3")
    assert again.exit_code() == 130
    assert "Traceback" not in again.transcript()


def test_piped_answers_play_a_whole_pack(anneal_cli: AnnealCli, content: dict[str, str]) -> None:
    """Answers on stdin: every problem, the badge, exit 0; the transcript shows the answers."""
    done = anneal_cli("play", "--pack", "tiny", input="B\nC\nD\n", env=content)
    assert done.returncode == 0, done.stderr
    assert "Your answer (A-D, h = hint, q = quit): C\n" in done.stdout
    assert "You earned the badge “Tiny Master”" in done.stdout


def test_an_unknown_topic_is_one_did_you_mean_line(
    anneal_cli: AnnealCli, content: dict[str, str]
) -> None:
    """A typo in --topic: one line naming the nearest topic, exit 2, nothing stored."""
    done = anneal_cli("play", "--mode", "practice", "--topic", "steplt", env=content)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "anneal: I don't know the topic `steplt`. Did you mean `StepLR`?"
    ]
    assert not anneal_cli.database.exists()


def test_piped_practice_explains_each_answer_at_once(
    anneal_cli: AnnealCli, content: dict[str, str]
) -> None:
    """`--mode practice` in a real process: untimed, each verdict explained, a summary."""
    done = anneal_cli(
        "play",
        "--mode",
        "practice",
        "--topic",
        "StepLR",
        "--count",
        "3",  # the whole pack, so the order is known: answers B, C, D
        input="B\nA\nD\n",
        env=content,
    )
    assert done.returncode == 0, done.stderr
    assert "Practice: StepLR · 3 problems" in done.stdout
    assert "left]" not in done.stdout  # no clock
    assert "❌ Not A." in done.stdout
    assert "Practice: StepLR: 2/3 right" in done.stdout


def test_input_ending_mid_game_is_one_line_and_130(
    anneal_cli: AnnealCli, content: dict[str, str]
) -> None:
    """Piped answers that run out: the game stops at once, saved, resumable."""
    done = anneal_cli("play", "--pack", "tiny", input="B\n", env=content)
    assert done.returncode == 130
    assert done.stdout.splitlines()[-1] == "saved 1 answer; `anneal play` continues at 2/3"
    assert done.stderr == ""


@pytest.fixture
def in_process(
    anneal_cli: AnnealCli, content: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Path:
    """`anneal` called in this process, with the child's settings (faster than a child)."""
    monkeypatch.chdir(anneal_cli.workdir)  # no developer's .env
    for name in [k for k in os.environ if k.startswith(PRIVATE_PREFIXES)]:
        monkeypatch.delenv(name)
    for name, value in anneal_cli.environment(content).items():
        monkeypatch.setenv(name, value)
    return anneal_cli.database


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--pack", "nope"], "there is no pack 'nope'; the packs are: tiny, fresh"),
        (["--count", "0"], "--count: A challenge needs at least 1 problem."),
        (["--count", "many"], "--count: `many` is not a number of problems"),
        (["--count", "all"], "--count all needs --pack ID; without one, give a number"),
        (["--time-scale", "0"], "--time-scale must be a positive number"),
        (["--topic", "StepLR"], "--topic goes with --mode practice"),
        (["--mode", "review", "--topic", "StepLR"], "--topic goes with --mode practice"),
        (["--mode", "practice", "--count", "50"], "Practice plays 1 to 20 problems"),
        (["--mode", "practice", "--pack", "tiny"], "--mode practice picks its own problems"),
    ],
)
def test_bad_options_are_one_clear_line(
    in_process: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    """Each refusal is one line on stderr, exit 2, before anything is stored."""
    assert main(["play", *args]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"anneal: {says}")
    assert not in_process.exists()


def test_list_shows_the_packs_and_what_plays_by_default(
    in_process: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--list: every pack, `fresh`, and the beginner set that plays with no --pack."""
    assert main(["play", "--list"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("tiny ")
    assert "\nfresh " in shown
    assert "With no --pack: a beginner set of 5, then the next level." in shown
