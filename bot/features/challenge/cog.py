"""Challenges in Discord: start/next/stop/hint commands and answers by reaction.

The ChallengeManager runs the games; `view` posts what it shows in the channels, and
`reactions` turns reactions on its problems into answers and hints.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random

import discord
from discord import app_commands
from discord.ext import commands

from bot.challenges import (
    ChallengeManager,
    ChallengeRunning,
    LiveChallenge,
    UnknownPack,
)
from bot.content import FRESH_PACK_ID
from bot.content.generator import generate_pack
from bot.engine.pace import Pace
from bot.engine.problems import Pack
from bot.engine.selection import DEFAULT_COUNT, BadCount, parse_count
from bot.features.challenge import render
from bot.features.challenge.reactions import ReactionAnswers
from bot.features.challenge.view import DiscordChallengeView, log_failure
from bot.features.common import embeds
from bot.features.common.bot import AnnealBot
from bot.features.common.errors import UserFacingError
from bot.features.common.warmup import ready_runner

log = logging.getLogger("anneal.challenge")

NOTICE_SECONDS = 10  # channel fallbacks for closed DMs delete themselves after this


class ChallengeCog(commands.Cog):
    """`challenge start|next|stop`, `hint`, and answers by reaction."""

    def __init__(self, bot: AnnealBot) -> None:
        self.bot = bot
        services = bot.services
        settings = services.settings
        self.view = DiscordChallengeView(bot)
        self.manager = ChallengeManager(
            services.db,
            services.library,
            self.view,
            services.clock,
            pace=Pace(settings.reveal_grace, settings.join_window, settings.retry_window),
            resume_window=settings.resume_window,
            double_tap=services.double_tap,
            fresh=self._generate_fresh if services.runner is not None else None,
            sleep=services.sleep,
        )
        services.challenges = self.manager  # so `!run` can see what is in play
        self.reactions = ReactionAnswers(bot, self.manager, self.view)
        self._resumed = False

    async def _generate_fresh(self, count: int) -> Pack:
        runner = await ready_runner(self.bot.services)
        if runner is None:
            raise UnknownPack("Fresh problems need `!run`'s torch workers, which are off.")
        return await generate_pack(runner, random.Random(), count)

    async def cog_load(self) -> None:
        """Resume the challenges that were open at shutdown, once the bot is ready."""
        task = asyncio.create_task(self._resume_when_ready())
        task.add_done_callback(log_failure)

    async def cog_unload(self) -> None:
        """Stop the manager's timers; every open challenge stays saved for the next start."""
        await self.manager.close()

    async def _resume_when_ready(self) -> None:
        await self.bot.wait_until_ready()  # channels are cached from here on
        if self._resumed:
            return
        self._resumed = True
        await self.reactions.read_back_all(await self.manager.resume_all())

    # -- commands -----------------------------------------------------------------------

    # mypy rejects discord.py's hybrid decorators on methods with parameters (a known
    # false positive: "expected def (Never, ...)"); the ignores below are only for that.
    @commands.hybrid_group(name="challenge", invoke_without_command=True)  # type: ignore[arg-type]
    @commands.guild_only()
    async def challenge(self, ctx: commands.Context[AnnealBot]) -> None:
        """Timed challenges: `challenge start [pack] [count]`, `challenge next`, `stop`."""
        prefix = self.bot.services.settings.prefix
        await ctx.send(
            f"Start one with `{prefix}challenge start [pack] [count]` (see `{prefix}packs`; "
            f"{DEFAULT_COUNT} problems unless you say how many, or `all`). Its starter or a "
            f"moderator can reveal the open problem with `{prefix}challenge next` and end it "
            f"with `{prefix}challenge stop`."
        )

    @challenge.command(name="start")  # type: ignore[arg-type]
    @commands.guild_only()
    @app_commands.describe(
        pack="Which pack to play (see `packs`); default: the first one",
        count=f"How many problems: a number, or all (default {DEFAULT_COUNT})",
    )
    async def challenge_start(
        self, ctx: commands.Context[AnnealBot], pack: str | None = None, count: str | None = None
    ) -> None:
        """Start a timed challenge of `count` problems in this channel."""
        if (
            count is None
            and pack is not None
            and pack.lower() not in self.bot.services.library.packs
        ):
            with contextlib.suppress(BadCount):
                # `!challenge start 3`: a count without a pack.
                parse_count(pack)
                pack, count = None, pack
        await self.start_challenge(ctx, pack, parse_count(count))

    @challenge_start.autocomplete("pack")
    async def pack_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Packs whose id or title holds the typed text, and `fresh` when the runner is on."""
        wanted = current.lower()
        choices = [
            app_commands.Choice(
                name=f"{pack.title} ({pack.id}, {len(pack.problems)} problems)"[:100],
                value=pack.id,
            )
            for pack in self.bot.services.library.packs.values()
            if wanted in pack.id or wanted in pack.title.lower()
        ]
        if FRESH_PACK_ID.startswith(wanted) and self.bot.services.runner is not None:
            choices.append(
                app_commands.Choice(name="Fresh problems, new every time", value="fresh")
            )
        return choices[:25]

    @challenge_start.autocomplete("count")
    async def count_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """A few sensible counts for the chosen pack, and `all` with its size."""
        library = self.bot.services.library
        chosen = getattr(interaction.namespace, "pack", None)
        pack = library.packs.get(str(chosen).lower()) if chosen else library.default_pack()
        size = len(pack.problems) if pack is not None else None
        counts = [n for n in (3, DEFAULT_COUNT, 10) if size is None or n < size]
        choices = [
            app_commands.Choice(
                name=f"{n} problems" + (" (default)" if n == DEFAULT_COUNT else ""), value=str(n)
            )
            for n in counts
        ]
        if size is not None:
            choices.append(app_commands.Choice(name=f"all {size} problems", value="all"))
        wanted = current.strip().lower()
        return [c for c in choices if c.value.startswith(wanted) or wanted in c.name][:25]

    async def start_challenge(
        self, ctx: commands.Context[AnnealBot], pack: str | None, count: int | None = DEFAULT_COUNT
    ) -> None:
        """Start `count` problems (None: all) of `pack` (None: the default) and say how to play."""
        assert ctx.guild is not None
        await ctx.defer()
        try:
            live = await self.manager.start(
                guild_id=ctx.guild.id,
                guild_name=ctx.guild.name,
                channel_id=ctx.channel.id,
                user_id=ctx.author.id,
                user_name=ctx.author.display_name,
                pack_id=pack,
                count=count,
            )
        except ChallengeRunning as exc:
            link = embeds.message_link(ctx.guild.id, ctx.channel.id, exc.live.message_id)
            raise UserFacingError(f"A challenge is already running here: {link}") from None
        await ctx.send(self._start_text(live))

    def _start_text(self, live: LiveChallenge) -> str:
        prefix = self.bot.services.settings.prefix
        pack, playing = live.pack, len(live.session.problems)
        size = len(pack.problems)
        badge = f"{pack.badge.emoji} **{pack.badge.name}**"
        if playing >= size:
            what = f"all {size} problems" if size > 1 else "1 problem"
            prize = f"Get every problem right for {badge}."
        else:
            what = f"{playing} of its {size} problems, easiest first"
            prize = f"{badge} needs the whole pack: `{prefix}challenge start {pack.id} all`."
        return (
            f"**{pack.title}** starts now: {what}. React with "
            f"{' '.join(render.LETTER_EMOJI.values())} to answer and {render.HINT_EMOJI} for "
            f"a hint. A problem closes a few seconds after everyone playing is done. {prize}"
        )

    @challenge.command(name="next")  # type: ignore[arg-type]
    @commands.guild_only()
    async def challenge_next(self, ctx: commands.Context[AnnealBot]) -> None:
        """Reveal the open problem now and go on (its starter or a moderator)."""
        await ctx.defer()
        await self.manager.next(ctx.channel.id, ctx.author.id, is_moderator=_is_moderator(ctx))
        if ctx.interaction is not None:  # a slash command must be answered; `!` needs no reply
            await ctx.send("⏭️ Revealed; on to the next one.", ephemeral=True)

    @challenge.command(name="stop")  # type: ignore[arg-type]
    @commands.guild_only()
    async def challenge_stop(self, ctx: commands.Context[AnnealBot]) -> None:
        """Stop this channel's challenge (its starter or a moderator)."""
        await ctx.defer()
        await self.manager.stop(ctx.channel.id, ctx.author.id, is_moderator=_is_moderator(ctx))
        await ctx.send("Challenge stopped. Every answer is saved.")

    @commands.hybrid_command(name="hint")  # type: ignore[arg-type]
    @commands.guild_only()
    async def hint(self, ctx: commands.Context[AnnealBot]) -> None:
        """Get the hint for the open problem (privately; it costs points)."""
        check = self.manager.check_hint(
            message_id=None, channel_id=ctx.channel.id, user_id=ctx.author.id
        )
        text = await check
        author = ctx.author
        if ctx.interaction is not None:
            await self.reactions.charge_hint(None, ctx.channel.id, author.id, author.display_name)
            await ctx.send(f"{render.HINT_EMOJI} {text}", ephemeral=True)
            return
        if await self._dm(author, f"{render.HINT_EMOJI} Hint: {text}"):
            await self.reactions.charge_hint(None, ctx.channel.id, author.id, author.display_name)
            with contextlib.suppress(discord.HTTPException):
                await ctx.message.add_reaction("\N{ENVELOPE}")
        else:
            await ctx.send(
                "I can't DM you: use `/hint` (only you will see it) or open your DMs.",
                delete_after=NOTICE_SECONDS,
            )

    # -- reactions ----------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        """A letter answers the open problem, the bulb asks for its hint; others are ignored."""
        await self.reactions.on_reaction(payload)

    async def _dm(self, user: discord.User | discord.Member, text: str) -> bool:
        """DM the member (through the outgoing queue); False if their DMs are closed."""
        delivered = self.bot.notifier.dm(user.id, text)
        await asyncio.wait([delivered])  # not `await delivered`: a dropped DM is not our cancel
        return not delivered.cancelled() and delivered.exception() is None and delivered.result()


def _is_moderator(ctx: commands.Context[AnnealBot]) -> bool:
    """Manage Messages or Manage Server: may move on or stop anyone's challenge."""
    member = ctx.author
    return isinstance(member, discord.Member) and (
        member.guild_permissions.manage_messages or member.guild_permissions.manage_guild
    )
