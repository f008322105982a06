"""Giving members the roles they earned, once their answers are stored and public.

For each member of a Progress event: their standing (all-time points, day streak,
badges) against the server's rewards, minus the roles given already (engine/rewards.py).
Each role due is checked against Discord's rules in the cache, claimed in the database
(so two processes or two events never give it twice), and given through the outgoing
queue; the ones Discord gave are announced in one message. A grant that fails is logged,
its claim released, and the organiser who set the reward told once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord

from bot.features.common.bot import AnnealBot
from bot.features.common.outgoing import messages_lane, roles_lane
from bot.features.common.progress import Progress
from bot.features.rewards.due import rewards_due
from bot.features.rewards.grantable import RISKY, RoleFacts, grant_refusal
from bot.features.rewards.render import Given, announcement, earned_text, trouble_text
from bot.storage import RoleReward

log = logging.getLogger("anneal.rewards")

REFUSED = "Discord refused it (Missing Permissions)."


def facts_of(guild: discord.Guild, role: discord.Role) -> RoleFacts:
    """What Discord's rules look at, read from the cache (the bot's member and the role)."""
    me = guild.me
    owner = guild.owner_id == me.id
    return RoleFacts(
        role_name=role.name,
        is_everyone=role.is_default(),
        managed=role.managed,
        bot_can_manage_roles=me.guild_permissions.manage_roles,
        bot_above=owner or me.top_role > role,
        bot_top_role=me.top_role.name,
        risky=tuple(label for flag, label in RISKY if getattr(role.permissions, flag)),
    )


class RewardGranter:
    """Settles Progress events: the roles each member earned, given and announced."""

    def __init__(self, bot: AnnealBot) -> None:
        self.bot = bot

    async def settle(self, progress: Progress) -> list[Given]:
        """Give the members of `progress` the roles they earned; return the ones given."""
        db = self.bot.services.db
        rewards = await db.role_rewards(progress.guild_id)
        guild = self.bot.get_guild(progress.guild_id)
        if not rewards or guild is None:
            return []  # most servers: one indexed read per reveal, and nothing else
        grants: list[tuple[RoleReward, int, asyncio.Future[Any]]] = []
        for user_id in progress.user_ids:
            due = await rewards_due(db, guild.id, user_id, rewards, self.bot.services.clock())
            for reward in due:
                future = await self._start_grant(guild, reward, user_id, progress.channel_id)
                if future is not None:
                    grants.append((reward, user_id, future))
        given = []
        for reward, user_id, future in grants:
            if await self._finish_grant(guild, reward, user_id, future, progress.channel_id):
                given.append(Given(user_id, reward.role_id, reward.rule))
        if given:
            text = announcement(given, self.bot.services.library.packs)
            channel = self.bot.get_partial_messageable(progress.channel_id)
            self.bot.outgoing.submit(
                messages_lane(progress.channel_id),
                lambda: channel.send(text),
                what=f"announcing {len(given)} role rewards",
            )
        return given

    async def _start_grant(
        self, guild: discord.Guild, reward: RoleReward, user_id: int, channel_id: int
    ) -> asyncio.Future[Any] | None:
        """Claim the grant and queue the Discord call; None if it is not for this process."""
        role = guild.get_role(reward.role_id)
        if role is None:
            return None  # deleted: the cog removes its reward when Discord says so
        refusal = grant_refusal(facts_of(guild, role))
        if refusal is not None:  # asking would only be refused (and count against the bot)
            await self._trouble(guild, reward, role.name, user_id, channel_id, refusal)
            return None
        db, now = self.bot.services.db, self.bot.services.clock()
        if not await db.claim_role_grant(guild.id, role.id, user_id, at=now):
            return None  # given already, or being given by another event or process
        why = earned_text(reward.rule, self.bot.services.library.packs)

        async def give() -> None:
            await self.bot.http.add_role(guild.id, user_id, role.id, reason=f"Anneal reward: {why}")

        return self.bot.outgoing.submit(
            roles_lane(guild.id), give, what=f"giving role {role.id} to {user_id}"
        )

    async def _finish_grant(
        self,
        guild: discord.Guild,
        reward: RoleReward,
        user_id: int,
        future: asyncio.Future[Any],
        channel_id: int,
    ) -> bool:
        """Record how the grant went; True if Discord gave the role."""
        await asyncio.wait([future])  # not `await future`: a dropped job is not our cancel
        db = self.bot.services.db
        if future.cancelled():
            return False  # shutting down: the claim goes stale and a later answer retries
        error = future.exception()
        if error is None:
            await db.finish_role_grant(
                guild.id, reward.role_id, user_id, at=self.bot.services.clock()
            )
            return True
        await db.fail_role_grant(guild.id, reward.role_id, user_id, str(error)[:500])
        role = guild.get_role(reward.role_id)
        if isinstance(error, discord.Forbidden) and role is not None:
            reason = grant_refusal(facts_of(guild, role)) or REFUSED
            await self._trouble(guild, reward, role.name, user_id, channel_id, reason)
        elif isinstance(error, discord.NotFound):
            log.info("role %d for %d in %d: %s", reward.role_id, user_id, guild.id, error)
        else:
            log.warning("giving role %d to %d failed: %s", reward.role_id, user_id, error)
        return False

    async def _trouble(
        self,
        guild: discord.Guild,
        reward: RoleReward,
        role_name: str,
        user_id: int,
        channel_id: int,
        reason: str,
    ) -> None:
        """Log the failed grant; tell the organiser who set the reward, once until it works."""
        services = self.bot.services
        told = reward.trouble_told_at is not None  # as read for this event: no write needed
        if told or not await services.db.note_reward_trouble(
            guild.id, reward.role_id, at=services.clock()
        ):
            log.debug("role %d still cannot be given in %d", reward.role_id, guild.id)
            return
        log.warning("cannot give role %d in guild %d: %s", reward.role_id, guild.id, reason)
        text = trouble_text(role_name, user_id, guild.name, reason)
        self.bot.notifier.tell(reward.set_by, channel_id, text, text)
