"""Embeds and texts of a race: the lobby, the problems, the standings after each one, the
podium, and each racer's private feedback. Built from engine objects, no I/O."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.engine.pace import Progress
from bot.engine.problems import Pack, Problem
from bot.engine.race import RaceOutcome, RaceResult, RaceSession, Standing, rules_text
from bot.engine.session import AnswerOutcome, OpenProblem
from bot.features.challenge import render as challenge
from bot.features.common.embeds import DESCRIPTION, FIELD_VALUE, TITLE, clip, join_lines
from bot.features.stats.render import MEDALS
from bot.storage import SessionStatus

JOIN_EMOJI = "\N{WHITE HEAVY CHECK MARK}"
FLAG = "\N{CHEQUERED FLAG}"
STANDINGS_SHOWN = 5  # after each problem: the top of the race
PODIUM_SHOWN = 15  # at the end: the podium, then the rest of the field

COLOUR_LOBBY = discord.Colour.orange()
COLOUR_STANDINGS = discord.Colour.dark_gold()


def lobby_embed(
    pack: Pack, session: RaceSession, starts_at: float, *, prefix: str
) -> discord.Embed:
    """The race about to start: its rules, how to join, when it starts, who is in."""
    embed = discord.Embed(
        title=clip(f"{FLAG} Race: {pack.title}", TITLE),
        description=clip(
            f"{rules_text(session.seconds, len(session.problems))}\n\n"
            f"React {JOIN_EMOJI} to race: the first problem comes <t:{int(starts_at)}:R>. "
            "Answering any problem also gets you in.",
            DESCRIPTION,
        ),
        colour=COLOUR_LOBBY,
    )
    racers = session.racers
    embed.add_field(
        name=f"Racers ({len(racers)})",
        value=join_lines([f"<@{user_id}>" for user_id in racers], FIELD_VALUE),
        inline=False,
    )
    embed.set_footer(text=f"The starter or a moderator can call it off with {prefix}race stop.")
    return embed


def problem_embed(opened: OpenProblem, progress: Progress) -> discord.Embed:
    """A race problem: the challenge's problem card, with the race's footer."""
    embed = challenge.problem_embed(opened, progress)
    answered = "racer has" if progress.answered == 1 else "racers have"
    footer = f"{progress.answered} {answered} answered"
    if progress.still_trying:
        footer += f", waiting for {progress.still_trying}"
    embed.set_footer(text=f"{footer} · react with a letter: your first answer is final")
    return embed


def problem_emojis(problem: Problem) -> list[str]:
    """The reactions under a race problem: its letters only (a race has no hints)."""
    return [challenge.LETTER_EMOJI[letter] for letter in problem.letters]


def points(value: int) -> str:
    """Points as racers read them: 1,250."""
    return f"{value:,}"


def result_line(result: RaceResult) -> str:
    """One racer's answer to the problem just closed."""
    if not result.correct:
        return f"❌ <@{result.user_id}> · {result.seconds:.1f} s"
    run = f" · 🔥 {result.in_a_row} in a row" if result.in_a_row > 1 else ""
    return f"✅ <@{result.user_id}> · +{points(result.points)} · {result.seconds:.1f} s{run}"


def standing_line(row: Standing) -> str:
    """One racer's place: medal or rank, points, right answers."""
    mark = MEDALS.get(row.rank, f"{row.rank}.")
    right = f"{row.correct} right"
    return f"{mark} <@{row.user_id}> · **{points(row.points)}** · {right}"


def standings_embed(session: RaceSession, index: int) -> discord.Embed:
    """After problem `index`: who answered it how fast, and the top of the race."""
    results = session.results(index)
    rows = session.standings()
    embed = discord.Embed(
        title=f"{FLAG} Standings after problem {index + 1}/{len(session.problems)}",
        description=join_lines([standing_line(r) for r in rows[:STANDINGS_SHOWN]], DESCRIPTION)
        or "Nobody has scored yet.",
        colour=COLOUR_STANDINGS,
    )
    embed.add_field(
        name="This problem",
        value=join_lines([result_line(r) for r in results], FIELD_VALUE) or "No answers.",
        inline=False,
    )
    if len(rows) > STANDINGS_SHOWN:
        embed.set_footer(text=f"{len(rows) - STANDINGS_SHOWN} more racing")
    return embed


def podium_embed(
    session: RaceSession, new_badges: Sequence[int], status: SessionStatus
) -> discord.Embed:
    """The end of a race: 🥇🥈🥉 and the rest, with each racer's longest run."""
    ended = {
        SessionStatus.STOPPED: "called off",
        SessionStatus.EXPIRED: "ended while I was offline",
    }.get(status, "finished")
    rows = session.standings()
    lines = []
    for row in rows[:PODIUM_SHOWN]:
        best = f" · best run {row.best_run}" if row.best_run > 1 else ""
        lines.append(standing_line(row) + best)
    if len(rows) > PODIUM_SHOWN:
        lines.append(f"…and {len(rows) - PODIUM_SHOWN} more")
    embed = discord.Embed(
        title=clip(f"{FLAG} {session.pack.title}: race {ended}", TITLE),
        description="\n".join(lines) or "Nobody answered this time.",
        colour=challenge.COLOUR_END,
    )
    if new_badges:
        badge = session.pack.badge
        winners = ", ".join(f"<@{u}>" for u in new_badges)
        embed.add_field(
            name=f"{badge.emoji} New badge: {badge.name}", value=clip(winners, FIELD_VALUE)
        )
    embed.set_footer(text="Race points count on the leaderboard like challenge points.")
    return embed


def feedback(outcome: AnswerOutcome) -> tuple[str, str]:
    """What a racer is told of their answer: privately (may name the pick), and in the
    channel when their DMs are closed (never names it)."""
    attempt = outcome.attempt
    if not attempt.correct:
        private = f"❌ {attempt.option} is not it. In a race that answer is final."
        return private, "your answer is in, but it's not right ❌"
    private = f"✅ {attempt.option} is right! +{points(attempt.points)} points"
    if isinstance(outcome, RaceOutcome):
        private += f" ({outcome.breakdown})"
    return private + ".", "your answer is in, and it's right ✅"
