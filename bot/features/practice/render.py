"""Texts and embeds of solo runs in DMs (practice, review): built from engine objects, no I/O.

A problem looks as it does in a challenge (bot/features/challenge/render.py), without
the clock and with one answer; the verdict is the reveal's explanation, for one member.
"""

from __future__ import annotations

import discord

from bot.engine.solo import SoloProblem, SoloSummary, Verdict
from bot.engine.topics import MAX_SOLO_COUNT
from bot.features.challenge import render as challenge
from bot.features.common.embeds import FIELD_VALUE, clip, join_lines
from bot.storage import SessionStatus

COLOUR_RIGHT = discord.Colour.green()
COLOUR_WRONG = discord.Colour.red()
COLOUR_END = discord.Colour.gold()
MISSED_SHOWN = 10  # misses listed by name in a summary; the rest are counted

# Discord's own path to the setting, as a member sees it (desktop and mobile alike).
OPEN_DMS = (
    "I can't DM you: your direct messages are closed for this server. To open them, tap "
    "the server's name at the top of the channel list → **Privacy Settings** → turn on "
    "**Direct Messages**, then run `{command}` again."
)


def how_to_open_dms(command: str) -> str:
    """What a member with closed DMs is told, naming the command to run again."""
    return OPEN_DMS.format(command=command)


def check_your_dms(title: str, count: int, asked: int | None = None) -> str:
    """The short reply in the server when the run has started in DMs."""
    fewer = (
        f" (you asked for {asked}: that is all there is for now)" if asked and asked > count else ""
    )
    return f"📬 Check your DMs: **{title}**, {count} problem{'s' if count != 1 else ''}{fewer}."


def intro_text(
    title: str, count: int, prefix: str, *, replaced: str | None = None, command: str = "practice"
) -> str:
    """The first DM of a run: what it is and how to play it (`command stop` ends it)."""
    letters = " ".join(challenge.LETTER_EMOJI.values())
    lines = [
        f"**{title}**: {count} problem{'s' if count != 1 else ''}, one at a time, no timer.",
        f"React {letters} to answer: your first pick counts, and the explanation follows "
        f"at once. {challenge.HINT_EMOJI} shows the hint. `{prefix}{command} stop` ends "
        "the run early; nothing here changes any server's leaderboard.",
    ]
    if replaced is not None:
        lines.append(f"(Your {replaced} run ends here; every answer you gave is saved.)")
    return "\n".join(lines)


def problem_embed(title: str, shown: SoloProblem) -> discord.Embed:
    """A problem of a run: the challenge's card, with no clock and one answer."""
    embed = challenge.problem_card(shown.problem, shown.number, shown.total)
    embed.set_footer(
        text=clip(
            f"{title} · one answer, no timer · react with a letter, "
            f"{challenge.HINT_EMOJI} for the hint",
            200,
        )
    )
    return embed


def verdict_embed(verdict: Verdict, *, variant: str | None = None) -> discord.Embed:
    """Right or wrong, the explanation, why each other option is wrong, and what follows."""
    problem = verdict.problem
    answer = challenge.answer_text(problem)
    if verdict.correct:
        embed = challenge.explained(problem, f"✅ Right: {answer}", COLOUR_RIGHT)
    else:
        picked = verdict.attempt.option
        embed = challenge.explained(
            problem, f"❌ Not {picked}: the answer is {answer}", COLOUR_WRONG
        )
    if variant:
        embed.add_field(name="Try it with torch", value=clip(variant, FIELD_VALUE), inline=False)
    shown = verdict.answered
    then = (
        "your summary follows"
        if shown.is_last
        else f"problem {shown.number + 1}/{shown.total} follows"
    )
    embed.set_footer(text=f"{shown.number}/{shown.total} answered · {then}")
    return embed


def summary_embed(
    title: str, summary: SoloSummary, status: SessionStatus, *, prefix: str
) -> discord.Embed:
    """The end of a run: right out of answered, per scheduler, the misses and what next."""
    stopped = " (stopped early)" if status is SessionStatus.STOPPED else ""
    embed = discord.Embed(
        title=clip(f"🏁 {title}: {summary.right}/{summary.answered} right{stopped}", 256),
        colour=COLOUR_END,
    )
    if summary.answered == 0:
        embed.description = f"No problem answered. Start another with `{prefix}practice`."
        return embed
    if summary.perfect:
        embed.description = "🎉 Every one right."
    if summary.by_scheduler:
        tallies = [f"{t.name} {t.right}/{t.answered}" for t in summary.by_scheduler]
        embed.add_field(
            name="By scheduler", value=clip(" · ".join(tallies), FIELD_VALUE), inline=False
        )
    if summary.missed:
        lines = [
            f"• {clip(p.title, 80)} (`{p.id}`): the answer is {p.answer}"
            for p in summary.missed[:MISSED_SHOWN]
        ]
        if len(summary.missed) > MISSED_SHOWN:
            lines.append(f"…and {len(summary.missed) - MISSED_SHOWN} more")
        embed.add_field(name="To review", value=join_lines(lines, FIELD_VALUE), inline=False)
    embed.add_field(name="Next", value=next_steps(summary, prefix), inline=False)
    return embed


def next_steps(summary: SoloSummary, prefix: str) -> str:
    """What to do after a run: practise the weakest scheduler, see a miss in torch, go on."""
    weakest = summary.weakest
    if weakest is None:
        return (
            f"Try another topic: `{prefix}practice <scheduler, kind, level or pack>` "
            f"(up to {MAX_SOLO_COUNT} problems)."
        )
    steps = [f"Practise what you missed most: `{prefix}practice {weakest}`."]
    runnable = next((p for p in summary.missed if p.run is not None), None)
    if runnable is not None:
        steps.append(f"See a miss in torch: `{prefix}run {runnable.id}`.")
    # Every miss entered the member's review queue with its answer (bot/storage/_reviews.py).
    steps.append(f"Your misses come back in `{prefix}review` as each comes due.")
    return " ".join(steps)
