"""Challenges in Discord: start/next/stop/hint commands and answers by reaction.

The ChallengeManager runs the games; `view` posts what it shows in the channels.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.challenges import (
    ChallengeManager,
    LiveChallenge,
)
from bot.engine.pace import Pace
from bot.engine.selection import DEFAULT_COUNT
from bot.engine.session import ChallengeError
from bot.features.challenge import render
from bot.features.challenge.packs import (
    count_choices,
    fresh_maker,
    pack_and_count,
    pack_choices,
    start_here,
)
from bot.features.challenge.reactions import ReactionAnswers
from bot.features.challenge.view import DiscordChallengeView, log_failure
from bot.features.common.bot import AnnealBot, is_moderator
from bot.features.common.notify import when_done

NOTICE_SECONDS = 10  # channel fallbacks for closed DMs delete themselves after this
HINT_NEEDS_DMS = "I can't DM you the hint: use `/hint` (only you will see it) or open your DMs."


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
            fresh=fresh_maker(services),
            sleep=services.sleep,
        )
        services.challenges = self.manager  # so `!run` can see what is in play
        self.answers = ReactionAnswers(bot, self.manager)
        self._tasks: set[asyncio.Task[None]] = set()  # hint charges after their DM went out

    async def cog_load(self) -> None:
        """Resume the challenges that were open at shutdown, once the bot is ready."""
        self.answers.resume_when_ready(self.on_raw_reaction_add)

    async def cog_unload(self) -> None:
        """Stop the manager's timers; every open challenge stays saved for the next start."""
        await self.manager.close()

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
        await self.start_challenge(ctx, *pack_and_count(self.bot.services.library, pack, count))

    @challenge_start.autocomplete("pack")
    async def pack_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Packs whose id or title holds the typed text, and `fresh` when the runner is on."""
        return pack_choices(self.bot.services, current)

    @challenge_start.autocomplete("count")
    async def count_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """A few sensible counts for the chosen pack, and `all` with its size."""
        chosen = getattr(interaction.namespace, "pack", None)
        return count_choices(self.bot.services.library, chosen, current)

    async def start_challenge(
        self, ctx: commands.Context[AnnealBot], pack: str | None, count: int | None = DEFAULT_COUNT
    ) -> None:
        """Start `count` problems (None: all) of `pack` (None: the default) and say how to play."""
        live = await start_here(ctx, self.manager, pack, count, what="challenge")
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
        await self.manager.next(ctx.channel.id, ctx.author.id, is_moderator=is_moderator(ctx))
        if ctx.interaction is not None:  # a slash command must be answered; `!` needs no reply
            await ctx.send("⏭️ Revealed; on to the next one.", ephemeral=True)

    @challenge.command(name="stop")  # type: ignore[arg-type]
    @commands.guild_only()
    async def challenge_stop(self, ctx: commands.Context[AnnealBot]) -> None:
        """Stop this channel's challenge (its starter or a moderator)."""
        await ctx.defer()
        await self.manager.stop(ctx.channel.id, ctx.author.id, is_moderator=is_moderator(ctx))
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
            await self._charge_hint(None, ctx.channel.id, author.id, author.display_name)
            await ctx.send(f"{render.HINT_EMOJI} {text}", ephemeral=True)
            return
        if await self._dm(author, f"{render.HINT_EMOJI} Hint: {text}"):
            await self._charge_hint(None, ctx.channel.id, author.id, author.display_name)
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
        # The answer's time is when its event reached the bot, taken before any REST call:
        # a rate-limited Discord may slow the feedback, never the verdict.
        arrived = self.bot.services.clock()
        # Raw events, so problems posted before a restart (not cached) still take answers.
        if payload.guild_id is None or self.bot.user is None:
            return
        if payload.user_id == self.bot.user.id or (payload.member and payload.member.bot):
            return
        emoji = str(payload.emoji)
        letter = render.EMOJI_LETTER.get(emoji)
        if letter is None and emoji != render.HINT_EMOJI:
            return
        if not self.manager.knows_message(payload.message_id):
            return
        if letter is None:
            await self._hint_by_reaction(payload)
        else:
            await self.answers.answer(payload, letter, arrived)

    async def _hint_by_reaction(self, payload: discord.RawReactionActionEvent) -> None:
        self.answers.hide(payload)  # nothing to store: hide the bulb at once
        user_id, channel_id = payload.user_id, payload.channel_id
        try:
            text = await self.manager.check_hint(
                message_id=payload.message_id, channel_id=channel_id, user_id=user_id
            )
        except ChallengeError as exc:
            self.bot.notifier.tell(user_id, channel_id, str(exc), str(exc))
            return
        name = await self.answers.display_name(payload)

        def after_dm(delivered: bool) -> None:
            if delivered:  # charge only once the hint has reached the member privately
                self._background(self._charge_hint(payload.message_id, channel_id, user_id, name))
            else:
                self.bot.notifier.note(channel_id, user_id, HINT_NEEDS_DMS)

        delivered = self.bot.notifier.dm(
            user_id, f"{render.HINT_EMOJI} Hint (it costs points): {text}"
        )
        when_done(delivered, after_dm)

    async def _charge_hint(
        self, message_id: int | None, channel_id: int, user_id: int, user_name: str
    ) -> None:
        with contextlib.suppress(ChallengeError):  # e.g. the problem closed meanwhile
            await self.manager.take_hint(
                message_id=message_id, channel_id=channel_id, user_id=user_id, user_name=user_name
            )

    def _background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)  # a reference, so the task is not garbage-collected mid-way
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(log_failure)

    async def _dm(self, user: discord.User | discord.Member, text: str) -> bool:
        """DM the member (through the outgoing queue); False if their DMs are closed."""
        delivered = self.bot.notifier.dm(user.id, text)
        await asyncio.wait([delivered])  # not `await delivered`: a dropped DM is not our cancel
        return not delivered.cancelled() and delivered.exception() is None and delivered.result()
