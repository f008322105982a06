"""Tests for bot.features.common.embeds: clipping text and fields to Discord's embed limits."""

from __future__ import annotations

import discord

from bot.features.common.embeds import FIELDS, TOTAL, add_fields, clip, join_lines, player_name


def test_clip_keeps_short_text_and_cuts_long_text_with_an_ellipsis() -> None:
    """Text within the limit is unchanged; longer text ends in … at exactly the limit."""
    assert clip("short", 10) == "short"
    assert clip("x" * 11, 10) == "x" * 9 + "…"
    assert len(clip("x" * 5000, 1024)) == 1024


def test_player_name_is_one_line_escaped_and_at_most_32_characters() -> None:
    """Newlines collapse, markdown is escaped, and the name is clipped before escaping."""
    assert player_name("two\nlines") == "two lines"
    assert player_name("__init__") == "\\_\\_init\\_\\_"
    assert player_name("n" * 40) == "n" * 31 + "…"
    assert player_name("   ") == "?"


def test_join_lines_drops_whole_lines_and_says_how_many() -> None:
    """Lines that do not fit are left out from the end and counted in a last line."""
    lines = [f"line {n:02}" for n in range(10)]  # 7 characters each
    assert join_lines(lines, 1000) == "\n".join(lines)
    text = join_lines(lines, 40)
    assert len(text) <= 40
    assert text.splitlines()[0] == "line 00"
    assert text.splitlines()[-1] == f"…and {10 - (len(text.splitlines()) - 1)} more"


def test_add_fields_stops_at_25_fields() -> None:
    """Thirty small fields: 25 are added and 5 reported as left out."""
    embed = discord.Embed(title="t")
    left_out = add_fields(embed, [(f"n{i}", "v", True) for i in range(30)])
    assert len(embed.fields) == FIELDS
    assert left_out == 5


def test_add_fields_keeps_the_total_under_6000_with_room_for_a_footer() -> None:
    """Big fields stop before the total passes 6,000 minus the reserve; values are clipped."""
    embed = discord.Embed(title="t", description="d" * 1000)
    left_out = add_fields(embed, [(f"n{i}", "v" * 5000, False) for i in range(10)], reserve=100)
    assert all(len(field.value or "") <= 1024 for field in embed.fields)
    assert len(embed) <= TOTAL - 100
    assert left_out == 10 - len(embed.fields)
    assert left_out > 0
