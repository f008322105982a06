"""The role rewards' words: each rule, the announcement of roles given, the list, the trouble."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import discord

from bot.engine.problems import Pack
from bot.engine.rewards import RewardKind, RewardRule
from bot.features.common import embeds
from bot.storage import RoleReward

COLOUR = discord.Colour.dark_gold()
MESSAGE = 2000  # Discord's limit for a message's text


@dataclass(frozen=True, slots=True)
class Given:
    """A role given to a member, and the rule they met."""

    user_id: int
    role_id: int
    rule: RewardRule


def badge_text(pack_id: str, packs: Mapping[str, Pack]) -> str:
    """A badge by its pack id: its emoji and name, or the id of a pack no longer shipped."""
    pack = packs.get(pack_id)
    if pack is None:
        return f"the `{pack_id}` badge"
    return f"the {pack.badge.emoji} **{pack.badge.name}** badge"


def rule_text(rule: RewardRule, packs: Mapping[str, Pack]) -> str:
    """What earns the role, as the organiser's list says it."""
    match rule.kind:
        case RewardKind.BADGE:
            assert rule.pack_id is not None  # a badge rule names its pack
            return f"{badge_text(rule.pack_id, packs)} (`{rule.pack_id}`)"
        case RewardKind.POINTS:
            return f"{rule.threshold:,} points on this server (all time)"
        case RewardKind.STREAK:
            return f"a {rule.threshold}-day streak (days in a row with an answer)"


def earned_text(rule: RewardRule, packs: Mapping[str, Pack]) -> str:
    """What the member did, as the announcement says it."""
    match rule.kind:
        case RewardKind.BADGE:
            assert rule.pack_id is not None
            return f"earned {badge_text(rule.pack_id, packs)}"
        case RewardKind.POINTS:
            return f"reached {rule.threshold:,} points on this server"
        case RewardKind.STREAK:
            return f"answered {rule.threshold} days in a row"


def announcement(given: Sequence[Given], packs: Mapping[str, Pack]) -> str:
    """The channel message naming each member and the role they were given (no pings)."""
    lines = [
        f"<@{g.user_id}> now has <@&{g.role_id}>: {earned_text(g.rule, packs)}." for g in given
    ]
    return embeds.join_lines(["🎖️ **Role rewards**", *lines], MESSAGE)


def set_text(
    role_id: int, rule: RewardRule, replaced: RoleReward | None, packs: Mapping[str, Pack]
) -> str:
    """The confirmation of a reward set (or changed)."""
    text = f"🎖️ <@&{role_id}> is now given for {rule_text(rule, packs)}."
    if replaced is not None and replaced.rule != rule:
        text += f" (Before: {rule_text(replaced.rule, packs)}.)"
    return text + (
        " Members who qualify already get it with their next answer; I say so in the "
        "channel where it happens."
    )


def removed_text(role_id: int, removed: RoleReward, packs: Mapping[str, Pack]) -> str:
    """The confirmation of a reward removed."""
    return (
        f"<@&{role_id}> is no longer given for {rule_text(removed.rule, packs)}. "
        "Members who have it keep it."
    )


def list_embed(
    rewards: Sequence[RoleReward],
    given: Mapping[int, int],
    packs: Mapping[str, Pack],
    *,
    prefix: str,
) -> discord.Embed:
    """The server's rewards, how many members got each, and how to change them."""
    embed = discord.Embed(title="🎖️ Role rewards", colour=COLOUR)
    if rewards:
        lines = [
            f"<@&{r.role_id}>: {rule_text(r.rule, packs)} · given to {given.get(r.role_id, 0)}"
            + (" · ⚠️ the last grant failed" if r.trouble_told_at is not None else "")
            for r in rewards
        ]
        embed.description = embeds.join_lines(lines, embeds.DESCRIPTION)
    else:
        embed.description = "No role is given as a reward yet."
    embed.add_field(
        name="Change them",
        value=(
            f"`{prefix}admin reward @role badge <badge-id>` · `{prefix}admin reward @role "
            f"points 500` · `{prefix}admin reward @role streak 7` · "
            f"`{prefix}admin reward remove @role`"
        ),
        inline=False,
    )
    embed.set_footer(text="A role is given once: a member who loses it does not get it again.")
    return embed


def trouble_text(role_name: str, user_id: int, guild_name: str, reason: str) -> str:
    """What the organiser who set a reward is told (once) when a grant failed."""
    return (
        f"⚠️ Role rewards on **{embeds.player_name(guild_name)}**: I could not give "
        f"**@{embeds.player_name(role_name)}** to <@{user_id}>. {reason} Members keep earning "
        "it; once this is fixed, each gets it with their next answer."
    )
