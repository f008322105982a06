"""`admin reward`: roles a server gives for a badge, a points total or a day streak.

Organisers (Manage Server) set, list and remove rewards; a reward the bot could not give
is refused at once with the reason. Members get the role when a Progress event (sent
after their answers are stored and revealed) shows they earned it: see granting.py.
The group is defined here and moved under `admin` when the feature is set up.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.engine.rewards import BadRewardRule, RewardKind, parse_rule
from bot.features.admin.permissions import require_manage_server
from bot.features.common.bot import AnnealBot, guild_of
from bot.features.common.errors import UserFacingError
from bot.features.common.progress import LISTENER, Progress
from bot.features.rewards.grantable import setting_refusal
from bot.features.rewards.granting import RewardGranter, facts_of
from bot.features.rewards.render import list_embed, removed_text, set_text

log = logging.getLogger("anneal.rewards")

POINTS_EXAMPLES = (100, 500, 1_000, 2_500, 5_000, 10_000)
STREAK_EXAMPLES = (3, 7, 14, 30, 100)


class RewardsCog(commands.Cog, name="Rewards"):
    """Role rewards: the organisers' commands, and the grants after members' answers."""

    def __init__(self, bot: AnnealBot) -> None:
        self.bot = bot
        self.granter = RewardGranter(bot)

    async def cog_check(self, ctx: commands.Context[Any]) -> bool:
        """Only members with Manage Server, in a server, get past this (`!` and `/` alike)."""
        return await require_manage_server(ctx)

    # mypy cannot solve discord.py's decorator types for hybrid commands defined in a cog
    # ("expected def (Never, ...)"); each `type: ignore[arg-type]` below is only for that.
    @commands.hybrid_group(  # type: ignore[arg-type]
        name="reward",
        fallback="set",
        description="Give a role for a badge, a points total or a day streak",
    )
    @commands.guild_only()
    @app_commands.describe(
        role="the role members get",
        kind="what earns it: a badge, a points total (all time) or a day streak",
        value="the badge id, or how many points or days",
    )
    @app_commands.choices(
        kind=[app_commands.Choice(name=k.value, value=k.value) for k in RewardKind]
    )
    async def reward(
        self, ctx: commands.Context[AnnealBot], role: discord.Role, kind: str, value: str
    ) -> None:
        """Give `role` to members who earn a badge, reach N points or answer N days in a row."""
        guild = guild_of(ctx)
        services = self.bot.services
        packs = services.library.packs
        try:
            rule = parse_rule(kind, value, {p.id: p.badge.name for p in packs.values()})
        except BadRewardRule as bad:
            raise UserFacingError(str(bad)) from None
        refusal = setting_refusal(facts_of(guild, role), organiser_above=_outranks(ctx, role))
        if refusal is not None:
            raise UserFacingError(f"I can't give {role.mention} as a reward. {refusal}")
        now = services.clock()
        await services.db.upsert_guild(guild.id, guild.name, joined_at=now)
        replaced = await services.db.set_role_reward(
            guild.id, role.id, rule, set_by=ctx.author.id, at=now
        )
        await ctx.send(set_text(role.id, rule, replaced, packs))

    @reward.autocomplete("value")
    async def value_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Badges by id or name for `badge`; a few round numbers for `points` and `streak`."""
        kind = str(getattr(interaction.namespace, "kind", None) or RewardKind.BADGE)
        wanted = current.strip().lower()
        if kind == RewardKind.POINTS or kind == RewardKind.STREAK:
            examples = POINTS_EXAMPLES if kind == RewardKind.POINTS else STREAK_EXAMPLES
            unit = "points" if kind == RewardKind.POINTS else "days in a row"
            numbers = [str(n) for n in examples if str(n).startswith(wanted)]
            if wanted.isdigit() and wanted not in numbers:
                numbers.insert(0, wanted)
            return [app_commands.Choice(name=f"{int(n):,} {unit}", value=n) for n in numbers][:25]
        choices = [
            app_commands.Choice(
                name=f"{pack.badge.emoji} {pack.badge.name} ({pack.id})"[:100], value=pack.id
            )
            for pack in self.bot.services.library.packs.values()
            if wanted in pack.id or wanted in pack.badge.name.lower()
        ]
        return choices[:25]

    @reward.command(  # type: ignore[arg-type]
        name="list", description="The roles this server gives as rewards"
    )
    async def reward_list(self, ctx: commands.Context[AnnealBot]) -> None:
        """Each reward, what earns it and how many members got it."""
        guild = guild_of(ctx)
        db = self.bot.services.db
        rewards = await db.role_rewards(guild.id)
        given = await db.grant_counts(guild.id)
        embed = list_embed(
            rewards,
            given,
            self.bot.services.library.packs,
            prefix=self.bot.services.settings.prefix,
        )
        await ctx.send(embed=embed)

    @reward.command(  # type: ignore[arg-type]
        name="remove", description="Stop giving a role as a reward (members keep it)"
    )
    @app_commands.describe(role="the role no longer given")
    async def reward_remove(self, ctx: commands.Context[AnnealBot], role: discord.Role) -> None:
        """Stop giving `role`; the members who have it keep it."""
        guild = guild_of(ctx)
        removed = await self.bot.services.db.remove_role_reward(guild.id, role.id)
        if removed is None:
            prefix = self.bot.services.settings.prefix
            raise UserFacingError(
                f"{role.mention} is not a reward here. See `{prefix}admin reward list`."
            )
        await ctx.send(removed_text(role.id, removed, self.bot.services.library.packs))

    # -- events -------------------------------------------------------------------------

    @commands.Cog.listener(LISTENER)
    async def on_anneal_progress(self, progress: Progress) -> None:
        """Members' answers are stored and public: give them the roles they earned."""
        try:
            await self.granter.settle(progress)
        except Exception:  # a listener's failure must never reach the game that sent it
            log.exception("role rewards failed for %s", progress)

    @commands.Cog.listener()
    async def on_guild_role_delete(self, role: discord.Role) -> None:
        """A deleted role is no reward any more."""
        if await self.bot.services.db.remove_role_reward(role.guild.id, role.id) is not None:
            log.info("role %d was deleted in %d: its reward is removed", role.id, role.guild.id)


def _outranks(ctx: commands.Context[AnnealBot], role: discord.Role) -> bool:
    """Whether the organiser could give `role` by hand: they own the server, or their
    highest role is above it (Discord's rule for anyone with Manage Roles)."""
    author = ctx.author
    if author.id == role.guild.owner_id:
        return True
    return isinstance(author, discord.Member) and author.top_role > role
