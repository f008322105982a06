"""Whether the bot may give a role, and why not: Discord's rules as plain facts and words.

The cog reads the facts from discord.py's cache (the bot's member and roles); the rules
here decide. They are checked when an organiser sets a reward (refused at once, with the
reason) and again before each grant (a role that became ungivable is not even asked for).
"""

from __future__ import annotations

from dataclasses import dataclass

# Permissions a role won by answering problems must not carry: each lets its holder run
# or police the server. (discord.Permissions flag, its name in Discord's settings)
RISKY: tuple[tuple[str, str], ...] = (
    ("administrator", "Administrator"),
    ("manage_guild", "Manage Server"),
    ("manage_roles", "Manage Roles"),
    ("manage_channels", "Manage Channels"),
    ("manage_messages", "Manage Messages"),
    ("manage_webhooks", "Manage Webhooks"),
    ("kick_members", "Kick Members"),
    ("ban_members", "Ban Members"),
    ("moderate_members", "Timeout Members"),
    ("mention_everyone", "Mention @everyone"),
)

MANAGE_ROLES = "Manage Roles"


@dataclass(frozen=True, slots=True)
class RoleFacts:
    """What Discord's rules look at when the bot gives `role_name` to a member."""

    role_name: str
    is_everyone: bool
    managed: bool  # a bot's own role, the booster role, an integration's
    bot_can_manage_roles: bool  # Manage Roles, Administrator, or owning the server
    bot_above: bool  # the bot's highest role is above this one (or the bot owns the server)
    bot_top_role: str
    risky: tuple[str, ...] = ()  # the RISKY permissions the role grants, by name


def grant_refusal(facts: RoleFacts) -> str | None:
    """Why Discord would refuse the bot this role now, in words for the organiser; None: it may."""
    role = f"**@{facts.role_name}**"
    if facts.is_everyone:
        return "Everyone has @everyone already: pick another role."
    if facts.managed:
        return (
            f"{role} is managed by an integration (a bot's own role, or the booster role): "
            "Discord lets nobody give it by hand."
        )
    if not facts.bot_can_manage_roles:
        return (
            f"I need the **{MANAGE_ROLES}** permission to give roles (Server Settings → Roles "
            "→ my role). Only role rewards need it."
        )
    if not facts.bot_above:
        return (
            f"My highest role, **@{facts.bot_top_role}**, is not above {role}, and Discord "
            f"lets me give only roles below mine: drag **@{facts.bot_top_role}** above it in "
            "Server Settings → Roles."
        )
    return None


def setting_refusal(facts: RoleFacts, *, organiser_above: bool) -> str | None:
    """Why a reward of this role cannot be set; None: it can.

    `organiser_above`: the organiser owns the server or their highest role is above this
    one, as Discord asks of anyone who gives a role by hand. Without it, Manage Server
    alone would let them win a role they could not give themselves.
    """
    if facts.is_everyone or facts.managed:
        return grant_refusal(facts)
    role = f"**@{facts.role_name}**"
    if facts.risky:
        return (
            f"{role} grants {', '.join(facts.risky)}: a role won by answering problems should "
            "not run the server. Pick a role without those permissions."
        )
    if not organiser_above:
        return f"{role} is not below your highest role: you can reward only roles you could give."
    return grant_refusal(facts)
