"""What every game started from a pack shares in Discord (a challenge, a race): reading
`[pack] [count]`, the slash command's suggestions for both, starting the game in the
command's channel, and the `fresh` pack."""

from __future__ import annotations

import contextlib
import random

from discord import app_commands
from discord.ext import commands

from bot.challenges import ChallengeManager, ChallengeRunning, LiveChallenge, UnknownPack
from bot.challenges.manager import FreshPack
from bot.content import FRESH_PACK_ID, ContentLibrary
from bot.content.generator import generate_pack
from bot.engine.problems import Pack
from bot.engine.selection import DEFAULT_COUNT, BadCount, parse_count
from bot.features.common.bot import AnnealBot, Services, guild_of, message_link
from bot.features.common.errors import UserFacingError
from bot.features.common.warmup import ready_runner


def pack_and_count(
    library: ContentLibrary, pack: str | None, count: str | None
) -> tuple[str | None, int | None]:
    """The pack id and the number of problems (None: all) a command's words ask for.

    `!challenge start 3` and `!race 3` name a count without a pack.
    """
    if count is None and pack is not None and pack.lower() not in library.packs:
        with contextlib.suppress(BadCount):
            parse_count(pack)
            pack, count = None, pack
    return pack, parse_count(count)


def pack_choices(services: Services, current: str) -> list[app_commands.Choice[str]]:
    """Packs whose id or title holds the typed text, and `fresh` when the runner is on."""
    wanted = current.lower()
    choices = [
        app_commands.Choice(
            name=f"{pack.title} ({pack.id}, {len(pack.problems)} problems)"[:100],
            value=pack.id,
        )
        for pack in services.library.packs.values()
        if wanted in pack.id or wanted in pack.title.lower()
    ]
    if FRESH_PACK_ID.startswith(wanted) and services.runner is not None:
        choices.append(app_commands.Choice(name="Fresh problems, new every time", value="fresh"))
    return choices[:25]


def count_choices(
    library: ContentLibrary, chosen: object, current: str
) -> list[app_commands.Choice[str]]:
    """A few sensible counts for the chosen pack (None: the default one), and `all`."""
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


def fresh_maker(services: Services) -> FreshPack | None:
    """Makes the `fresh` pack with the runner's torch workers; None when `!run` is off."""
    if services.runner is None:
        return None

    async def fresh(count: int) -> Pack:
        runner = await ready_runner(services)
        if runner is None:
            raise UnknownPack("Fresh problems need `!run`'s torch workers, which are off.")
        return await generate_pack(runner, random.Random(), count)

    return fresh


async def start_here(
    ctx: commands.Context[AnnealBot],
    manager: ChallengeManager,
    pack_id: str | None,
    count: int | None,
    *,
    what: str,
) -> LiveChallenge:
    """Start `manager`'s game of `count` problems (None: all) of `pack_id` (None: the
    default pack) in the command's channel; one of its games running there is linked."""
    guild = guild_of(ctx)
    await ctx.defer()  # starting may take more than 3 s (a fresh pack is computed)
    try:
        return await manager.start(
            guild_id=guild.id,
            guild_name=guild.name,
            channel_id=ctx.channel.id,
            user_id=ctx.author.id,
            user_name=ctx.author.display_name,
            pack_id=pack_id,
            count=count,
        )
    except ChallengeRunning as exc:
        link = message_link(guild.id, ctx.channel.id, exc.live.message_id)
        raise UserFacingError(f"A {what} is already running here: {link}") from None
