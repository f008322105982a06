"""Tests for bot.features.rewards.grantable: which roles the bot may give, and the reasons."""

from __future__ import annotations

import dataclasses

import discord
import pytest

from bot.features.rewards.grantable import RISKY, RoleFacts, grant_refusal, setting_refusal

GIVABLE = RoleFacts(
    role_name="Sage",
    is_everyone=False,
    managed=False,
    bot_can_manage_roles=True,
    bot_above=True,
    bot_top_role="Anneal",
)


def facts(**changes: object) -> RoleFacts:
    """The givable role with some facts changed."""
    return dataclasses.replace(GIVABLE, **changes)  # type: ignore[arg-type]


def test_a_plain_role_below_the_bot_may_be_given_and_set() -> None:
    """Manage Roles, the bot above, a role with no risky permission: no refusal."""
    assert grant_refusal(GIVABLE) is None
    assert setting_refusal(GIVABLE, organiser_above=True) is None


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"is_everyone": True}, "Everyone has @everyone already"),
        ({"managed": True}, "**@Sage** is managed by an integration"),
        ({"bot_can_manage_roles": False}, "I need the **Manage Roles** permission"),
        ({"bot_above": False}, "My highest role, **@Anneal**, is not above **@Sage**"),
    ],
)
def test_what_discord_would_refuse_is_said_in_words(changes: dict[str, bool], says: str) -> None:
    """Each of Discord's rules has its reason, and setting the reward is refused the same."""
    refusal = grant_refusal(facts(**changes))
    assert refusal is not None
    assert says in refusal
    assert setting_refusal(facts(**changes), organiser_above=True) == refusal


def test_the_bot_rules_come_after_the_role_itself() -> None:
    """@everyone is refused as such, whatever the bot's permissions."""
    refusal = grant_refusal(facts(is_everyone=True, bot_can_manage_roles=False))
    assert refusal == "Everyone has @everyone already: pick another role."


def test_a_role_that_runs_the_server_is_never_a_reward() -> None:
    """Roles with moderation permissions are refused, named; grants are not re-checked so."""
    risky = facts(risky=("Administrator", "Ban Members"))

    refusal = setting_refusal(risky, organiser_above=True)

    assert refusal is not None
    assert "grants Administrator, Ban Members" in refusal
    assert grant_refusal(risky) is None  # set before the permission was added: Discord allows


def test_an_organiser_rewards_only_roles_below_their_own() -> None:
    """Manage Server alone must not let an organiser win a role above theirs."""
    refusal = setting_refusal(GIVABLE, organiser_above=False)
    assert (
        refusal
        == "**@Sage** is not below your highest role: you can reward only roles you could give."
    )


def test_every_risky_flag_is_a_discord_permission() -> None:
    """The names are discord.Permissions flags, so a typo cannot leave one unchecked."""
    assert {flag for flag, _ in RISKY} <= set(discord.Permissions.VALID_FLAGS)
    assert len({label for _, label in RISKY}) == len(RISKY)
