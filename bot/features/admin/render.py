"""The admin texts: a server's settings as an embed, and channel lists as mentions."""

from __future__ import annotations

from collections.abc import Iterable

import discord

from bot.storage import GuildSettings

COLOUR = discord.Colour.dark_gold()


def channel_list(channel_ids: Iterable[int], *, most: int = 20) -> str:
    """Channel mentions (they never ping), at most `most` of them, or "every channel"."""
    ids = sorted(channel_ids)
    if not ids:
        return "every channel"
    text = ", ".join(f"<#{channel_id}>" for channel_id in ids[:most])
    return text + (f" and {len(ids) - most} more" if len(ids) > most else "")


def settings_embed(settings: GuildSettings, *, prefix: str) -> discord.Embed:
    """The guild's settings and the commands that change them."""
    reset = (
        f"<t:{round(settings.week_reset_at)}:f>" if settings.week_reset_at is not None else "never"
    )
    embed = discord.Embed(title="⚙️ Anneal settings", colour=COLOUR)
    embed.add_field(
        name="Channels", value=f"Challenges may run in {channel_list(settings.allowed_channel_ids)}"
    )
    embed.add_field(name="Timer", value=f"{settings.timer_scale:g} (multiplies every time limit)")
    embed.add_field(name="Speed bonus", value="on" if settings.speed_bonus else "off")
    embed.add_field(name="Weekly board last reset", value=reset, inline=False)
    embed.add_field(
        name="Change them",
        value=(
            f"`{prefix}admin allow #channel` · `{prefix}admin disallow #channel` · "
            f"`{prefix}admin timer 1.5` · `{prefix}admin speedbonus on` · "
            f"`{prefix}admin resetweek` · `{prefix}admin daily #channel 09:00 Europe/Paris`"
        ),
        inline=False,
    )
    return embed
