"""What `anneal play` prints: problems, reveals and scores as plain text for a terminal."""

from __future__ import annotations

import shlex
import textwrap
from typing import TextIO

from bot.engine.problems import Problem
from bot.engine.session import OpenProblem, PlayerScore, Reveal
from bot.terminal import Reader

WIDTH = 78
RULE = "═" * WIDTH


class Screen:
    """Where the game writes: lines, prompts, and the piped answers it echoes."""

    def __init__(self, out: TextIO, reader: Reader) -> None:
        self.out = out
        # A person typing sees their keys already; piped answers are shown, so the
        # transcript reads right.
        self.echoes = not out.isatty() or not reader.is_terminal

    def say(self, text: str = "") -> None:
        """Print a line."""
        self.out.write(text + "\n")
        self.out.flush()

    def prompt(self, text: str) -> None:
        """Print a question and leave the cursor after it."""
        self.out.write(text)
        self.out.flush()

    def echo(self, line: str) -> None:
        """Show a line that was read, unless the terminal showed it already."""
        if self.echoes:
            self.say(line)


def format_time(seconds: float) -> str:
    """Seconds as m:ss, e.g. 1:05."""
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def plural(count: int, word: str) -> str:
    """`1 problem`, `2 problems`."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def wrap(text: str, first: str = "", rest: str = "") -> str:
    """Text filled to the screen width, keeping its paragraphs."""
    paragraphs = text.strip().split("\n\n")
    lines: list[str] = []
    for i, paragraph in enumerate(paragraphs):
        lines.append(
            textwrap.fill(
                " ".join(paragraph.split()),
                WIDTH,
                initial_indent=first if i == 0 else rest,
                subsequent_indent=rest,
            )
        )
    return "\n".join(lines)


def problem_text(opened: OpenProblem) -> str:
    """The problem: header, prompt, code and options."""
    problem = opened.problem
    limit = format_time(opened.deadline - opened.opened_at)
    return problem_card(
        problem,
        f"Problem {opened.number}/{opened.total} · {problem.kind.label} · {problem.level.value}"
        f" · {limit} to answer · {plural(problem.attempts, 'attempt')}",
    )


def problem_card(problem: Problem, header: str) -> str:
    """A problem under its header line: title, prompt, code and options."""
    lines = [
        "",
        RULE,
        header,
        problem.title,
        "─" * WIDTH,
        wrap(problem.prompt),
    ]
    if problem.code:
        lines += ["", textwrap.indent(problem.code.rstrip(), "    ")]
    lines.append("")
    lines += [
        wrap(text, first=f"  {letter}) ", rest="     ") for letter, text in problem.options.items()
    ]
    lines.append("")
    return "\n".join(lines)


def reveal_text(reveal: Reveal) -> str:
    """The answer, why, why not the others, and how to try it."""
    return solution_text(reveal.problem)


def solution_text(problem: Problem) -> str:
    """A problem's answer, why, why not each other option, and how to try it."""
    answer = f"{problem.answer}) {problem.options[problem.answer]}"
    lines = [
        "",
        wrap(answer, first="The answer is ", rest="    "),
        wrap(problem.explanation, first="  Why: ", rest="       "),
    ]
    lines += [
        wrap(why, first=f"  Not {letter}: ", rest="         ")
        for letter, why in problem.why_not.items()
    ]
    if (recipe := problem.run) is not None:
        command = f"anneal run {shlex.quote(recipe.expression)} --steps {recipe.steps}"
        lines.append(f"  Try it yourself: {command}")
    return "\n".join(lines)


def score_line(score: PlayerScore | None, out_of: int) -> str:
    """Points, problems right out of `out_of`, first tries and hints."""
    if score is None or out_of == 0:
        return "You did not answer any problem this time."
    return (
        f"{score.points} points · {score.correct}/{out_of} correct"
        f" · {score.first_try} on the first try · {score.hints} hint(s)"
    )
