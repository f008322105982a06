"""Embeds and texts for challenges: built from engine objects, no I/O."""

from __future__ import annotations

import discord

from bot.engine.pace import Progress
from bot.engine.problems import LETTERS, Problem
from bot.engine.session import OpenProblem, Reveal, Summary
from bot.features.common.embeds import DESCRIPTION, FIELD_VALUE, TITLE, clip
from bot.storage import SessionStatus

LETTER_EMOJI: dict[str, str] = {
    letter: chr(ord("\N{REGIONAL INDICATOR SYMBOL LETTER A}") + i)
    for i, letter in enumerate(LETTERS)
}
HINT_EMOJI = "\N{ELECTRIC LIGHT BULB}"
EMOJI_LETTER = {emoji: letter for letter, emoji in LETTER_EMOJI.items()}

COLOUR_OPEN = discord.Colour.blurple()
COLOUR_REVEAL = discord.Colour.green()
COLOUR_END = discord.Colour.gold()


def problem_emojis(problem: Problem) -> list[str]:
    """The reactions put under a problem: its option letters, then the hint bulb."""
    return [LETTER_EMOJI[letter] for letter in problem.letters] + [HINT_EMOJI]


def problem_card(problem: Problem, number: int, total: int) -> discord.Embed:
    """A problem as every mode shows it: prompt, code, options, kind and level."""
    parts = [problem.prompt.strip()]
    if problem.code:
        parts.append(f"```py\n{problem.code.strip()}\n```")
    parts.append(
        "\n".join(
            f"{LETTER_EMOJI[letter]} {text.strip()}" for letter, text in problem.options.items()
        )
    )
    embed = discord.Embed(
        title=clip(f"Problem {number}/{total} · {problem.title}", TITLE),
        description=clip("\n\n".join(parts), DESCRIPTION),
        colour=COLOUR_OPEN,
    )
    embed.add_field(name="Kind", value=problem.kind.label)
    embed.add_field(name="Level", value=problem.level.value.title())
    return embed


def problem_embed(opened: OpenProblem, progress: Progress | None = None) -> discord.Embed:
    """An open problem: prompt, code, options, kind, level, attempts, a live countdown, and
    in the footer how many answered and how many are still trying."""
    problem = opened.problem
    embed = problem_card(problem, opened.number, opened.total)
    plural = "s" if problem.attempts > 1 else ""
    embed.add_field(name="Attempts", value=f"{problem.attempts} attempt{plural} each")
    embed.add_field(name="Time", value=f"⏱ closes <t:{int(opened.deadline)}:R>", inline=False)
    embed.set_footer(
        text=f"{progress_text(progress or Progress(0, 0))} · react with a letter to answer, "
        f"{HINT_EMOJI} for a hint (costs points)"
    )
    return embed


def progress_text(progress: Progress) -> str:
    """ "2 people have answered, 1 still trying": counts only, never who picked what."""
    people = "person has" if progress.answered == 1 else "people have"
    text = f"{progress.answered} {people} answered"
    if progress.still_trying:
        text += f", {progress.still_trying} still trying"
    return text


def explained(problem: Problem, title: str, colour: discord.Colour) -> discord.Embed:
    """`title` over the problem's explanation, then why each other option is wrong."""
    embed = discord.Embed(
        title=clip(title, TITLE),
        description=clip(problem.explanation.strip(), DESCRIPTION),
        colour=colour,
    )
    for letter, why in problem.why_not.items():
        embed.add_field(
            name=f"Why not {letter}", value=clip(why.strip(), FIELD_VALUE), inline=False
        )
    return embed


def answer_text(problem: Problem) -> str:
    """The right option as players read it: "B) 0.05"."""
    return f"{problem.answer}) {problem.options[problem.answer].strip()}"


def reveal_embed(reveal: Reveal, variant: str | None = None) -> discord.Embed:
    """The answer, why the others are wrong, who solved it, and a `!run` variant to try."""
    problem = reveal.problem
    embed = explained(problem, f"Answer: {answer_text(problem)}", COLOUR_REVEAL)
    if reveal.solved_by_attempt:
        lines = []
        for number, users in reveal.solved_by_attempt.items():
            label = {1: "First try", 2: "Second try"}.get(number, f"Try {number}")
            lines.append(f"{label}: " + ", ".join(f"<@{u}>" for u in users))
        embed.add_field(name="Solved by", value=clip("\n".join(lines), FIELD_VALUE), inline=False)
    else:
        embed.add_field(name="Solved by", value="Nobody this time.", inline=False)
    if variant:
        embed.add_field(name="Try it with torch", value=clip(variant, FIELD_VALUE), inline=False)
    embed.set_footer(text=clip(problem.title, 200))
    return embed


def summary_embed(summary: Summary, new_badges: list[int], status: SessionStatus) -> discord.Embed:
    """The end of a challenge: the standings, and the badge won (or how to win it)."""
    pack = summary.pack
    ended = {
        SessionStatus.STOPPED: "stopped early",
        SessionStatus.EXPIRED: "ended while I was offline",
    }.get(status, "complete")
    embed = discord.Embed(
        title=clip(f"{pack.title}: {ended}", TITLE),
        colour=COLOUR_END,
    )
    if summary.scores:
        medals = ["🥇", "🥈", "🥉"]
        lines = []
        for rank, score in enumerate(summary.scores[:15], start=1):
            mark = medals[rank - 1] if rank <= len(medals) else f"{rank}."
            lines.append(
                f"{mark} <@{score.user_id}> · **{score.points}** pts · "
                f"{score.correct}/{summary.problems_played} right · {score.first_try} first try"
            )
        if len(summary.scores) > 15:
            lines.append(f"…and {len(summary.scores) - 15} more")
        embed.description = "\n".join(lines)
    else:
        embed.description = "Nobody answered this time."
    badge = summary.badge
    if new_badges:
        winners = ", ".join(f"<@{u}>" for u in new_badges)
        embed.add_field(
            name=f"{badge.emoji} New badge: {badge.name}", value=clip(winners, FIELD_VALUE)
        )
    elif status is not SessionStatus.STOPPED:
        embed.add_field(
            name=f"{badge.emoji} {badge.name}",
            value=badge.description or "Get every problem right to earn it.",
        )
    embed.set_footer(text="See the standings with leaderboard, your stats with profile.")
    return embed


def answer_feedback(correct: bool, attempts_left: int, points: int, option: str) -> str:
    """Private feedback (DM): may name the option."""
    if correct:
        return f"✅ {option} is right! +{points} points."
    if attempts_left:
        plural = "s" if attempts_left > 1 else ""
        return f"❌ {option} is not it. {attempts_left} attempt{plural} left: react again."
    return f"❌ {option} is not it, and that was your last attempt. The answer comes at the reveal."


def public_feedback(correct: bool, attempts_left: int) -> str:
    """Feedback safe for the channel: never names the option."""
    if correct:
        return "your answer is in, and it's right ✅"
    if attempts_left:
        return f"your answer is in, but it's not right ❌ ({attempts_left} attempt(s) left)"
    return "your answer is in, but it's not right ❌ (no attempts left)"
