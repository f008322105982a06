"""`practice [topic] [count]`: problems alone in DMs, answered by reactions, untimed.

This cog runs the solo machinery for every solo mode: it builds the `SoloPlay` (put on
`services.solo`), re-arms the open runs after a restart, and takes the reactions on
every run's DM problems. Review starts its runs through the same `SoloPlay` with
`start_in_dms` (view.py), so its problems are answered here too.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Collection, Mapping

import discord
from discord import app_commands
from discord.ext import commands

from bot.challenges import AnswerNotSaved
from bot.challenges.practice import PracticeSource
from bot.challenges.solo import SoloPlay, SoloReadBack
from bot.content.generator import generate_pack
from bot.engine.problems import Pack
from bot.engine.session import HINT_KEY, ChallengeError
from bot.engine.topics import (
    DEFAULT_SOLO_COUNT,
    MAX_SOLO_COUNT,
    Topics,
    squash,
)
from bot.features.challenge import readback
from bot.features.challenge.render import EMOJI_LETTER, HINT_EMOJI
from bot.features.challenge.view import log_failure
from bot.features.common.bot import AnnealBot
from bot.features.common.errors import UserFacingError
from bot.features.common.warmup import ready_runner
from bot.features.practice.view import DiscordSoloView, start_in_dms, stop_in_dms
from bot.storage import SessionMode

log = logging.getLogger("anneal.practice")

NOT_SAVED = (
    "I couldn't save your answer just now, so it was not counted: take your reaction off "
    "and react again in a moment."
)
CRASHED = (
    "Something went wrong on my side and your answer was not counted: take your reaction "
    "off and react again."
)
STOP_WORDS = frozenset({"stop", "end", "quit"})


class PracticeCog(commands.Cog, name="Practice"):
    """`practice`, and the reactions on every solo run's problems in DMs."""

    def __init__(self, bot: AnnealBot, aliases: Mapping[str, str] | None = None) -> None:
        self.bot = bot
        services = bot.services
        self.topics = Topics(
            services.library.packs, fresh=services.runner is not None, aliases=aliases
        )
        self.view = DiscordSoloView(bot)
        self.solo = SoloPlay(services.db, services.library, self.view, services.clock)
        services.solo = self.solo
        self._resumed = False

    async def cog_load(self) -> None:
        """Re-arm the runs that were open at shutdown, once the bot is ready."""
        task = asyncio.create_task(self._resume_when_ready())
        task.add_done_callback(log_failure)

    async def cog_unload(self) -> None:
        """Forget the live runs; they stay open in the database for the next start."""
        self.solo.close()

    # -- the command --------------------------------------------------------------------

    # mypy rejects discord.py's hybrid decorators on methods with parameters (a known
    # false positive: "expected def (Never, ...)"); the ignore is only for that.
    @commands.hybrid_command(  # type: ignore[arg-type]
        name="practice", description="Practise alone in DMs: a scheduler, kind, level or pack"
    )
    @app_commands.describe(
        topic="A scheduler (StepLR), kind (debug), level (beginner) or pack; default: any",
        count=f"How many problems, 1 to {MAX_SOLO_COUNT} (default {DEFAULT_SOLO_COUNT})",
    )
    async def practice(
        self, ctx: commands.Context[AnnealBot], topic: str | None = None, count: str | None = None
    ) -> None:
        """Problems in your DMs, one at a time and untimed; `stop` ends your run."""
        await ctx.defer(ephemeral=True)
        if topic is not None and count is None and squash(topic) in STOP_WORDS:
            await self._stop(ctx)
            return
        if topic is None and count is None and await self._repost(ctx):
            return
        chosen_topic, asked = self.topics.read(topic, count)
        how_many = asked or DEFAULT_SOLO_COUNT
        services = self.bot.services
        source = PracticeSource(
            services.db,
            self.topics,
            chosen_topic,
            rng=random.Random(),
            fresh=self._generate_fresh if services.runner is not None else None,
            in_play=self._in_play,
        )
        chosen = await source.pick(ctx.author.id, how_many)
        await start_in_dms(ctx, self.solo, chosen, SessionMode.PRACTICE, asked=asked)

    def _in_play(self) -> Collection[str]:
        """Problems not revealed yet anywhere (a challenge's, a daily one): not practised."""
        return {problem.id for problem in self.bot.services.unrevealed_problems(None)}

    async def _generate_fresh(self, count: int) -> Pack:
        runner = await ready_runner(self.bot.services)
        if runner is None:
            raise UserFacingError("Fresh problems need `!run`'s torch workers, which are off.")
        return await generate_pack(runner, random.Random(), count)

    async def _repost(self, ctx: commands.Context[AnnealBot]) -> bool:
        """`practice` alone while a run is open: its current problem again, not a new run."""
        live = self.solo.run_of(ctx.author.id)
        if live is None or await self.solo.repost(live.channel_id) is None:
            return False
        current = live.run.current
        where = f"problem {current.number}/{current.total}" if current else "your run"
        prefix = self.bot.services.settings.prefix
        text = (
            f"📬 **{live.title}** goes on in your DMs: {where} is posted there again. "
            f"`{prefix}practice <topic>` starts another, `{prefix}practice stop` ends it."
        )
        if ctx.guild is not None or ctx.interaction is not None:
            await ctx.send(text, ephemeral=True)
        return True

    async def _stop(self, ctx: commands.Context[AnnealBot]) -> None:
        prefix = self.bot.services.settings.prefix
        none_open = f"You have no run open. Start one with `{prefix}practice [topic] [count]`."
        await stop_in_dms(ctx, self.solo, none_open=none_open)

    @practice.autocomplete("topic")
    async def topic_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Schedulers, kinds, levels and packs whose name holds the typed text."""
        return [
            app_commands.Choice(name=shown, value=value)
            for shown, value in self.topics.choices(current)
        ]

    @practice.autocomplete("count")
    async def count_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """A few counts, the default marked."""
        counts = (3, DEFAULT_SOLO_COUNT, 10, MAX_SOLO_COUNT)
        return [
            app_commands.Choice(
                name=f"{n} problems" + (" (default)" if n == DEFAULT_SOLO_COUNT else ""),
                value=str(n),
            )
            for n in counts
            if str(n).startswith(current.strip())
        ]

    # -- reactions in DMs ----------------------------------------------------------------

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        """A letter answers a run's problem, the bulb shows its hint; others are ignored."""
        arrived = self.bot.services.clock()  # judged as of arrival, whatever REST does next
        # Raw events: problems posted before a restart (not cached) still take answers.
        # In DMs the event has no guild; the challenge cog takes the servers' reactions.
        if payload.guild_id is not None or self.bot.user is None:
            return
        if payload.user_id == self.bot.user.id:
            return
        emoji = str(payload.emoji)
        letter = EMOJI_LETTER.get(emoji)
        if letter is None and emoji != HINT_EMOJI:
            return
        if not self.solo.knows_message(payload.message_id):
            return
        key = HINT_KEY if letter is None else letter
        await self._take(payload.user_id, payload.channel_id, payload.message_id, key, arrived)

    async def _take(
        self, user_id: int, channel_id: int, message_id: int, key: str, arrived: float
    ) -> None:
        """Hand an answer (or the hint) to the run; tell the member when it does not count."""
        try:
            if key == HINT_KEY:
                hint = await self.solo.hint(message_id=message_id, user_id=user_id)
                await self.view.show_notice(user_id, channel_id, f"{HINT_EMOJI} Hint: {hint}")
            else:
                await self.solo.answer(
                    message_id=message_id, user_id=user_id, option=key, answered_at=arrived
                )
        except AnswerNotSaved:
            await self.view.show_notice(user_id, channel_id, NOT_SAVED)
        except ChallengeError as refused:
            await self.view.show_notice(user_id, channel_id, str(refused))
        except Exception:
            log.exception("a reaction of %d in DM channel %d failed", user_id, channel_id)
            await self.view.show_notice(user_id, channel_id, CRASHED)

    # -- after a restart ------------------------------------------------------------------

    async def _resume_when_ready(self) -> None:
        await self.bot.wait_until_ready()
        if self._resumed:
            return
        self._resumed = True
        for found in await self.solo.resume_all():
            try:
                await self._read_back(found)
            except Exception:
                log.exception("could not read back the reactions on %d", found.message_id)

    async def _read_back(self, found: SoloReadBack) -> None:
        """The member's reactions added while the bot was away count as arriving now."""
        assert self.bot.user is not None
        live, now = found.live, self.bot.services.clock()
        try:
            message = await self.view.channel(live.channel_id).fetch_message(found.message_id)
        except discord.NotFound:
            await self.solo.repost(live.channel_id)
            return
        seen, _ = await readback.reactions_on(message, self.bot.user.id)
        mine = [reaction for reaction in seen if reaction.user_id == live.user_id]
        plan = readback.sort_out(mine, frozenset(), late=False)
        for picks in plan.ambiguous.values():
            private, _ = readback.ambiguous_text(picks)
            text = f"{private} Take those reactions off first, then react once."
            await self.view.show_notice(live.user_id, live.channel_id, text)
        for reaction in plan.replay:
            await self._take(live.user_id, live.channel_id, found.message_id, reaction.key, now)
