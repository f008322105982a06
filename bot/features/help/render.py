"""The help embed: every command with a one-line description and an example, in the
server's prefix; the admin and statistics sections only for members with Manage Server."""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot.engine.scoring import HINT_COST, POINTS_BY_ATTEMPT
from bot.engine.topics import DEFAULT_SOLO_COUNT, MAX_SOLO_COUNT
from bot.features.admin.values import TIMER_MAX, TIMER_MIN
from bot.features.common import embeds
from bot.features.organiser.render import SCOPE

COLOUR = discord.Colour.blurple()


@dataclass(frozen=True, slots=True)
class Entry:
    """One command as help shows it; `usage` and `example` are written without the prefix."""

    usage: str
    what: str
    example: str | None = None

    def line(self, prefix: str) -> str:
        """The entry as one help line, written with `prefix`."""
        example = f" · e.g. `{prefix}{self.example}`" if self.example else ""
        return f"`{prefix}{self.usage}`: {self.what}{example}"


CHALLENGES = (
    Entry(
        "challenge start [pack] [count]",
        "start a timed challenge in this channel (5 problems, or a number, or `all`)",
        "challenge start basics 3",
    ),
    Entry("challenge next", "reveal the open problem now (its starter or a moderator)"),
    Entry("challenge stop", "end the challenge running in this channel"),
    Entry("hint", f"the current problem's hint (costs {HINT_COST} points), like reacting 💡"),
    Entry("daily", "today's daily problem, your streak and this server's best streaks"),
)
ALONE = (
    Entry(
        "practice [topic] [count]",
        "problems in your DMs, one at a time, untimed: a scheduler, kind, level or pack "
        f"({DEFAULT_SOLO_COUNT} problems, up to {MAX_SOLO_COUNT}); `practice stop` ends it",
        "practice StepLR 3",
    ),
    Entry("review", "the problems you missed, back in your DMs as each comes due"),
    Entry("review remind on|off", "a DM once a day when something is due", "review remind on"),
)
TORCH = (
    Entry(
        "run <scheduler> [lr=… steps=…]",
        "step a real torch scheduler and see its rates and chart",
        "run StepLR(step_size=2, gamma=0.5) lr=0.1 steps=6",
    ),
    Entry(
        "run compare <expr> ; <expr> [; …]",
        "up to 4 schedules on one chart, with a column each",
        "run compare StepLR(step_size=10) ; CosineAnnealingLR(T_max=30) ; steps=30",
    ),
    Entry(
        "learn <scheduler>",
        "a scheduler's card: its rule, torch's defaults, a chart, pitfalls",
        "learn cosine",
    ),
)
SCORES = (
    Entry(
        "leaderboard [week|lastweek|all]", "top 10 of this server and your rank", "leaderboard all"
    ),
    Entry("profile [member]", "points, accuracy, day streak, badges and rank", "profile @ada"),
    Entry("badges", "every badge, how to earn it, and the ones you hold"),
    Entry("packs", "the problem packs and the command that starts each"),
    Entry("help", "this list"),
)
ADMIN = (
    Entry("admin", "this server's settings"),
    Entry("admin channels", "the channels where challenges may run (none listed: all)"),
    Entry(
        "admin allow #channel",
        "let challenges run there (and only in listed channels)",
        "admin allow #challenges",
    ),
    Entry("admin disallow #channel", "take a channel off the list", "admin disallow #general"),
    Entry(
        "admin timer <scale>",
        f"multiply every time limit by {TIMER_MIN:g} to {TIMER_MAX:g}",
        "admin timer 1.5",
    ),
    Entry(
        "admin speedbonus <on|off>", "extra points for fast correct answers", "admin speedbonus on"
    ),
    Entry("admin resetweek", "restart this week's leaderboard now; nothing is deleted"),
    Entry(
        "admin daily #channel HH:MM [zone]",
        "post a daily problem there every day (zone: IANA, default UTC)",
        "admin daily #general 09:00 Europe/Paris",
    ),
    Entry("admin daily show", "where and when the daily problem is posted"),
    Entry("admin daily now", "post today's daily problem at once, if it is not out yet"),
    Entry("admin daily off", "stop the daily problems (today's still gets its answer)"),
)
ORGANISER = (
    Entry("stats", "this server's last 8 weeks (chart), most-missed problems, accuracy"),
    Entry(
        "stats problem <id>",
        "how often each option was a first try, the key marked",
        "stats problem steplr-three-epochs",
    ),
    Entry("stats export", "every attempt here as a CSV file, sent to your DMs"),
)


def help_embed(prefix: str, *, admin: bool) -> discord.Embed:
    """The help text for `prefix`; the admin section only when `admin` is true."""
    embed = discord.Embed(
        title="📖 Anneal",
        description=(
            "Timed multiple-choice challenges on PyTorch learning-rate schedulers. "
            f"Every command works with `{prefix}` or as a slash command (`/leaderboard`)."
        ),
        colour=COLOUR,
    )
    answering = "Answer a problem by reacting 🇦 🇧 🇨 🇩 under it; 💡 shows its hint."
    sections = [
        ("🎯 Challenges", [answering, *(entry.line(prefix) for entry in CHALLENGES)]),
        ("🧑‍🎓 On your own", [entry.line(prefix) for entry in ALONE]),
        ("🔬 Try it with torch", [entry.line(prefix) for entry in TORCH]),
        ("🏆 Scores", [entry.line(prefix) for entry in SCORES]),
    ]
    if admin:
        sections.append(("⚙️ Admin (Manage Server)", [entry.line(prefix) for entry in ADMIN]))
        statistics = [*(entry.line(prefix) for entry in ORGANISER), f"*{SCOPE}*"]
        sections.append(("📊 Statistics (Manage Server)", statistics))
    embeds.add_fields(
        embed,
        ((name, embeds.join_lines(lines, embeds.FIELD_VALUE), False) for name, lines in sections),
    )
    first, second, third, *_ = POINTS_BY_ATTEMPT
    embed.set_footer(
        text=f"Points: {first} on the first try, {second} on the second, {third} on the third; "
        f"a hint costs {HINT_COST}."
    )
    return embed
