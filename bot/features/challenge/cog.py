"""Challenges in Discord: start/next/stop/hint commands and answers by reaction.

The ChallengeManager runs the games; `view` posts what it shows in the channels.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.challenges import (
    ChallengeManager,
    ChallengeRunning,
    DoubleTap,
    LiveChallenge,
    ReadBack,
    UnknownPack,
)
from bot.content import FRESH_PACK_ID
from bot.content.generator import GenerationError, generate_fresh_pack
from bot.engine.pace import Pace
from bot.engine.problems import Pack
from bot.engine.selection import DEFAULT_COUNT, BadCount, parse_count
from bot.engine.session import HINT_KEY, ChallengeError, OptionAlreadyTried
from bot.features.challenge import readback, render
from bot.features.challenge.view import DiscordChallengeView, log_failure
from bot.features.common.bot import AnnealBot
from bot.features.common.errors import UserFacingError
from bot.features.common.notify import when_done
from bot.features.common.outgoing import messages_lane, reactions_lane

log = logging.getLogger("anneal.challenge")

NOTICE_SECONDS = 10  # channel fallbacks for closed DMs delete themselves after this
CRASHED = "something went wrong on my side and your answer was not counted: react again."
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
            fresh=self._generate_fresh if services.runner is not None else None,
            sleep=services.sleep,
        )
        services.challenges = self.manager  # so `!run` can see what is in play
        self._warned_channels: set[int] = set()  # told once that Manage Messages is missing
        self._tasks: set[asyncio.Task[None]] = set()  # hint charges after their DM went out
        self._resumed = False

    async def _generate_fresh(self, count: int) -> Pack:
        # The generator runs its own snippets in a torch process of its own, never in the
        # `!run` workers (which run no code): a few seconds to start, then ~20 ms a problem.
        try:
            return await generate_fresh_pack(count=count)
        except GenerationError as exc:
            raise UnknownPack(str(exc)) from exc

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
        for found in await self.manager.resume_all():
            try:
                await self._read_back(found)
            except Exception:
                log.exception("could not read back the reactions on %d", found.message_id)

    async def _read_back(self, found: ReadBack) -> None:
        """Hand the reactions added while the bot was away to the live reaction handler."""
        try:
            await self._hand_in_missed(found)
        finally:
            self.manager.replays_done(found.message_id)  # the problem may now be revealed

    async def _hand_in_missed(self, found: ReadBack) -> None:
        assert self.bot.user is not None
        resumed_at = self.bot.services.clock()
        channel = await self.view.channel(found.channel_id)
        try:
            message = await channel.fetch_message(found.message_id)
        except discord.NotFound:
            return  # the problem message was deleted meanwhile
        seen, users = await readback.reactions_on(message, self.bot.user.id)
        heard = self.manager.heard_on(found.message_id)
        plan = readback.sort_out(seen, heard, late=found.late)
        letters = [(r.user_id, r.key) for r in plan.replay if r.key != HINT_KEY]
        # Judged as of the resume however long handing them in takes (removals are rate
        # limited), and the problem is not revealed meanwhile.
        self.manager.expect_replays(found.message_id, letters, resumed_at)
        for reaction in plan.replay:
            payload = readback.replayed_event(message, reaction, users[reaction.user_id])
            await self.on_raw_reaction_add(payload)
        for user_id, picks in plan.ambiguous.items():
            for pick in picks:
                with contextlib.suppress(discord.HTTPException):
                    await message.remove_reaction(pick.emoji, discord.Object(user_id))
            private, public = readback.ambiguous_text(picks)
            self.bot.notifier.tell(user_id, found.channel_id, private, public)

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
            link = _message_link(ctx.guild.id, ctx.channel.id, exc.live.message_id)
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
            await self._answer_by_reaction(payload, letter, arrived)

    async def _answer_by_reaction(
        self, payload: discord.RawReactionActionEvent, letter: str, arrived: float
    ) -> None:
        """Judge and store first; the reaction removal and the feedback are queued after."""
        user_id, channel_id = payload.user_id, payload.channel_id
        try:
            outcome = await self.manager.answer(
                message_id=payload.message_id,
                user_id=user_id,
                user_name=await self._display_name(payload),
                option=letter,
                answered_at=arrived,
            )
        except DoubleTap:
            self._hide_reaction(payload)  # the first pick's feedback is on its way
            return
        except ChallengeError as exc:
            public = (
                "you already tried that option; it was not counted again."
                if isinstance(exc, OptionAlreadyTried)
                else str(exc)
            )
            self._tell_then_hide(payload, str(exc), public)
            return
        except Exception:
            log.exception("the answer of %d in channel %d failed", user_id, channel_id)
            self._tell_then_hide(payload, CRASHED.capitalize(), CRASHED)
            return
        self._hide_reaction(payload)  # stored: hide the pick at once
        attempt = outcome.attempt
        private = render.answer_feedback(
            attempt.correct, outcome.attempts_left, attempt.points, attempt.option
        )
        public = render.public_feedback(attempt.correct, outcome.attempts_left)
        self.bot.notifier.tell(user_id, channel_id, private, public)

    def _tell_then_hide(
        self, payload: discord.RawReactionActionEvent, private: str, public: str
    ) -> None:
        """For a pick that did not count: its reaction goes only once the member knows why
        (so they can react again), and stays if they could not be told."""
        told = self.bot.notifier.tell(payload.user_id, payload.channel_id, private, public)
        when_done(told, lambda ok: self._hide_reaction(payload) if ok else None)

    async def _display_name(self, payload: discord.RawReactionActionEvent) -> str:
        """The reacting member's name; guild reaction events carry the member."""
        if payload.member is not None:
            return payload.member.display_name
        user = self.bot.get_user(payload.user_id) or await self.bot.fetch_user(payload.user_id)
        return user.display_name

    async def _hint_by_reaction(self, payload: discord.RawReactionActionEvent) -> None:
        self._hide_reaction(payload)  # nothing to store: hide the bulb at once
        user_id, channel_id = payload.user_id, payload.channel_id
        try:
            text = await self.manager.check_hint(
                message_id=payload.message_id, channel_id=channel_id, user_id=user_id
            )
        except ChallengeError as exc:
            self.bot.notifier.tell(user_id, channel_id, str(exc), str(exc))
            return
        name = await self._display_name(payload)

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

    def _hide_reaction(self, payload: discord.RawReactionActionEvent) -> None:
        """Queue the removal of the member's reaction, so others can't copy their pick."""
        channel_id, user = payload.channel_id, discord.Object(payload.user_id)
        if not self._may_manage_messages(channel_id):
            self._ask_for_manage_messages(channel_id)  # a call that would only be refused
            return
        message = self.bot.get_partial_messageable(channel_id).get_partial_message(
            payload.message_id
        )

        async def remove() -> None:
            try:
                await message.remove_reaction(payload.emoji, user)
            except discord.Forbidden:
                self._ask_for_manage_messages(channel_id)
            except discord.NotFound:
                pass  # the message is gone: nothing left to hide

        self.bot.outgoing.submit(
            reactions_lane(channel_id), remove, what=f"removing a reaction of {user.id}"
        )

    def _may_manage_messages(self, channel_id: int) -> bool:
        """False only when the cached permissions say Manage Messages is missing."""
        channel = self.bot.get_channel(channel_id)
        if not isinstance(channel, discord.abc.GuildChannel) or channel.guild.me is None:
            return True  # not cached: let Discord decide
        return channel.permissions_for(channel.guild.me).manage_messages

    def _ask_for_manage_messages(self, channel_id: int) -> None:
        if channel_id in self._warned_channels:
            return
        self._warned_channels.add(channel_id)  # once per channel, not once per answer
        channel = self.bot.get_partial_messageable(channel_id)
        self.bot.outgoing.submit(
            messages_lane(channel_id),
            lambda: channel.send(
                "I need the **Manage Messages** permission here to hide everyone's picks. "
                "Answers still count."
            ),
            what="asking for Manage Messages",
        )

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


def _message_link(guild_id: int, channel_id: int, message_id: int | None) -> str:
    if message_id is None:
        return f"<#{channel_id}>"
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"
