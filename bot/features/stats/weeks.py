"""Leaderboard time windows: ISO weeks (Monday 00:00 UTC), a guild's weekly reset, all time.

Pure arithmetic on unix seconds; no discord, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

DAY = 86_400
WEEK = 7 * DAY
# 1970-01-01 was a Thursday, so the first Monday 00:00 UTC came four days after the epoch.
_FIRST_MONDAY = 4 * DAY


class Board(StrEnum):
    """Which leaderboard: this week's, the previous week's, or all time."""

    WEEK = "week"
    LASTWEEK = "lastweek"
    ALL = "all"


_BOARD_WORDS = {
    "week": Board.WEEK,
    "thisweek": Board.WEEK,
    "lastweek": Board.LASTWEEK,
    "last": Board.LASTWEEK,
    "all": Board.ALL,
    "alltime": Board.ALL,
}


def parse_board(text: str) -> Board | None:
    """The board a player means ("week", "Last week", "all-time", ...), or None."""
    word = "".join(ch for ch in text.lower() if ch.isalnum())
    return _BOARD_WORDS.get(word)


@dataclass(frozen=True, slots=True)
class Window:
    """Attempts answered in [since, until) count; None means unbounded on that side."""

    board: Board
    since: float | None
    until: float | None
    # True when `since` is the guild's reset rather than the Monday that starts the week.
    after_reset: bool = False


def week_start(now: float) -> float:
    """The Monday 00:00 UTC that starts the ISO week holding `now` (unix seconds)."""
    return now - (now - _FIRST_MONDAY) % WEEK


def window(board: Board, now: float, week_reset_at: float | None = None) -> Window:
    """The window of `board` at time `now` for a guild whose weekly board was reset at
    `week_reset_at` (None: never).

    A reset moves the start of the week it falls in, so "week" counts from the reset,
    and "lastweek" shows last week's board as it stood when that week ended. Nothing
    before a reset is lost: "all" always counts everything.
    """
    if board is Board.ALL:
        return Window(board, None, None)
    this_monday = week_start(now)
    since = this_monday if board is Board.WEEK else this_monday - WEEK
    until = since + WEEK
    if week_reset_at is not None and since < week_reset_at < until:
        return Window(board, week_reset_at, until, after_reset=True)
    return Window(board, since, until)
