"""Reactions added while the bot was away: read back from Discord when a challenge resumes.

The gateway sends no event for a reaction added while the bot was offline, so on resume
the bot reads the problem message's reactions over REST and hands each new one to the
same handler as a live reaction. Discord says neither when a reaction was added nor in
which order, so:
- a pick on a problem still open is judged as if it arrived at the resume;
- a pick on a problem whose deadline passed during the outage is answered as late;
- one player with several new letters on an open problem gets none judged (their order
  would decide attempts and points) and is asked to react again; a hint comes after a pick.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord

from bot.engine.session import HINT_KEY
from bot.features.challenge.render import EMOJI_LETTER, HINT_EMOJI, LETTER_EMOJI

if TYPE_CHECKING:  # imported at run time, discord.types hits a circular import
    from discord.types.gateway import MessageReactionAddEvent


@dataclass(frozen=True)
class SeenReaction:
    """One player's reaction found on a problem message: an option letter or the hint."""

    user_id: int
    key: str  # "A".."D", or HINT_KEY

    @property
    def emoji(self) -> str:
        """The reaction as it shows under the message."""
        return HINT_EMOJI if self.key == HINT_KEY else LETTER_EMOJI[self.key]


@dataclass(frozen=True)
class SortedOut:
    """What to do with the reactions found: hand these on, ask these players again."""

    replay: list[SeenReaction]
    ambiguous: dict[int, list[SeenReaction]]  # user id -> their several new letters


def sort_out(
    seen: Iterable[SeenReaction], heard: frozenset[tuple[int, str]], *, late: bool
) -> SortedOut:
    """Drop what the game already has; order the rest as the module docstring says."""
    letters: dict[int, list[SeenReaction]] = {}
    hints: list[SeenReaction] = []
    for reaction in seen:
        if (reaction.user_id, reaction.key) in heard:
            continue  # already counted (a reaction the bot could not remove, or live)
        if reaction.key == HINT_KEY:
            hints.append(reaction)
        else:
            letters.setdefault(reaction.user_id, []).append(reaction)
    replay: list[SeenReaction] = []
    ambiguous: dict[int, list[SeenReaction]] = {}
    for user_id, picks in sorted(letters.items()):
        picks.sort(key=lambda r: r.key)
        if late:
            replay.append(picks[0])  # one "too late" reply per player is enough
        elif len(picks) > 1:
            ambiguous[user_id] = picks
        else:
            replay.append(picks[0])
    if not late:  # a hint for a problem that closed meanwhile needs no reply
        replay += [h for h in sorted(hints, key=lambda r: r.user_id) if h.user_id not in ambiguous]
    return SortedOut(replay, ambiguous)


async def reactions_on(
    message: discord.Message, bot_id: int
) -> tuple[list[SeenReaction], dict[int, discord.User | discord.Member]]:
    """Every player's answer and hint reaction on `message` (not the bot's, not other bots')."""
    seen: list[SeenReaction] = []
    users: dict[int, discord.User | discord.Member] = {}
    for reaction in message.reactions:
        emoji = str(reaction.emoji)
        key = HINT_KEY if emoji == HINT_EMOJI else EMOJI_LETTER.get(emoji)
        if key is None:
            continue
        async for user in reaction.users(limit=None):
            if user.id == bot_id or user.bot:
                continue
            users[user.id] = user
            seen.append(SeenReaction(user.id, key))
    return seen, users


def replayed_event(
    message: discord.Message, reaction: SeenReaction, user: discord.User | discord.Member
) -> discord.RawReactionActionEvent:
    """The gateway event the reaction would have been, had the bot been online."""
    data: MessageReactionAddEvent = {
        "user_id": reaction.user_id,
        "channel_id": message.channel.id,
        "message_id": message.id,
        "emoji": {"id": None, "name": reaction.emoji},
        "burst": False,
        "type": 0,  # a normal reaction, not a super reaction
    }
    if message.guild is not None:
        data["guild_id"] = message.guild.id
    payload = discord.RawReactionActionEvent(
        data, discord.PartialEmoji(name=reaction.emoji), "REACTION_ADD"
    )
    if isinstance(user, discord.Member):
        payload.member = user
    return payload


def ambiguous_text(picks: list[SeenReaction]) -> tuple[str, str]:
    """The private and the channel note for a player with several picks made while away."""
    shown = " and ".join(p.emoji for p in picks)
    private = (
        f"While I was offline you reacted {shown} to the open problem. Discord does not say "
        "which came first, so none of them counted: react again with your answer."
    )
    public = (
        "you reacted with several letters while I was offline, so none counted: "
        "react again with your answer."
    )
    return private, public
