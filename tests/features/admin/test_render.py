"""Tests for bot.features.admin.render: channel lists and the settings embed."""

from __future__ import annotations

from bot.features.admin.render import channel_list, settings_embed
from bot.storage import GuildSettings


def test_channel_list_mentions_channels_and_caps_the_list() -> None:
    """Mentions in id order; an empty list means every channel; long lists end in a count."""
    assert channel_list([]) == "every channel"
    assert channel_list([2, 1]) == "<#1>, <#2>"
    many = channel_list(range(1, 31), most=20)
    assert many.endswith("<#20> and 10 more")


def test_settings_embed_shows_each_setting() -> None:
    """Channels, timer, speed bonus and the last reset appear, with the configured prefix."""
    settings = GuildSettings(
        1, frozenset({5}), timer_scale=1.5, speed_bonus=True, week_reset_at=100.4
    )
    embed = settings_embed(settings, prefix="?")
    shown = {field.name: field.value for field in embed.fields}
    assert shown["Channels"] == "Challenges may run in <#5>"
    assert shown["Timer"] == "1.5 (multiplies every time limit)"
    assert shown["Speed bonus"] == "on"
    assert shown["Weekly board last reset"] == "<t:100:f>"
    assert "`?admin timer 1.5`" in (shown["Change them"] or "")
