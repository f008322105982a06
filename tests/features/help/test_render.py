"""Tests for bot.features.help.render: the help embed, its admin section, and that it
matches the commands."""

from __future__ import annotations

from unittest.mock import create_autospec

import discord
from discord.ext import commands

from bot.features.admin.cog import AdminCog
from bot.features.help.cog import HelpCog
from bot.features.help.render import (
    ADMIN,
    ALONE,
    CHALLENGES,
    ORGANISER,
    SCORES,
    TORCH,
    help_embed,
)
from bot.features.organiser.cog import OrganiserCog
from bot.features.organiser.render import SCOPE
from bot.features.stats.cog import StatsCog

ADMIN_SECTION = "⚙️ Admin (Manage Server)"
STATISTICS_SECTION = "📊 Statistics (Manage Server)"


def text_of(embed: discord.Embed) -> str:
    """Every field's name and value, one text to search."""
    return "\n".join(f"{field.name}\n{field.value}" for field in embed.fields)


def test_members_see_no_admin_section() -> None:
    """Without Manage Server, help lists challenges, run, review and scores, and no admin
    commands."""
    embed = help_embed("!", admin=False)
    assert [field.name for field in embed.fields] == [
        "🎯 Challenges",
        "🧑‍🎓 On your own",
        "🔬 Try it with torch",
        "🏆 Scores",
    ]
    assert "admin" not in text_of(embed)


def test_admins_also_see_the_admin_commands() -> None:
    """With Manage Server, the admin section lists every admin command."""
    embed = help_embed("!", admin=True)
    assert embed.fields[-2].name == ADMIN_SECTION
    for entry in ADMIN:
        assert f"`!{entry.usage}`" in (embed.fields[-2].value or "")


def test_admins_see_the_statistics_and_whose_answers_they_count() -> None:
    """The statistics section comes last: every `stats` command, and that DMs are left out."""
    embed = help_embed("!", admin=True)
    statistics = embed.fields[-1]
    assert statistics.name == STATISTICS_SECTION
    for entry in ORGANISER:
        assert f"`!{entry.usage}`" in (statistics.value or "")
    assert SCOPE in (statistics.value or "")
    assert "DMs" in SCOPE
    assert "stats" not in text_of(help_embed("!", admin=False))


def test_commands_and_examples_use_the_configured_prefix() -> None:
    """Every usage and example is written with the prefix given, never a hard-coded `!`."""
    text = text_of(help_embed("?", admin=True))
    assert "`?challenge start [pack] [count]`" in text
    assert "e.g. `?leaderboard all`" in text
    assert "`!" not in text


def test_answering_by_reactions_and_hints_are_explained() -> None:
    """The challenge section says how to answer (🇦 🇧 🇨 🇩) and that 💡 gives the hint."""
    challenges = help_embed("!", admin=False).fields[0].value or ""
    assert "🇦 🇧 🇨 🇩" in challenges
    assert "💡" in challenges
    for usage in ("challenge start [pack] [count]", "challenge next", "challenge stop", "hint"):
        assert f"`!{usage}`" in challenges


def test_help_fits_discord_limits() -> None:
    """Even with the admin section, every field and the whole embed are within the limits."""
    embed = help_embed("!!!!!", admin=True)
    assert len(embed) <= 6000
    assert all(len(field.value or "") <= 1024 for field in embed.fields)


def test_help_documents_exactly_the_commands_of_these_cogs() -> None:
    """Each stats, admin, organiser and help command appears in help, and help names no
    missing one."""
    bot = create_autospec(commands.Bot, instance=True)
    cogs = [StatsCog(bot), AdminCog(bot), OrganiserCog(bot), HelpCog(bot)]
    real = {command.qualified_name for cog in cogs for command in cog.walk_commands()}
    documented = {
        entry.usage.split(" [")[0].split(" <")[0].split(" #")[0]
        for entry in (*SCORES, *ADMIN, *ORGANISER)
    }
    assert documented == real
    others = {entry.usage.split(" ")[0] for entry in (*CHALLENGES, *ALONE, *TORCH)}
    assert others == {"challenge", "hint", "daily", "practice", "review", "run", "learn"}
