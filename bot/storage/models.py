"""The frozen records the storage layer returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

LOCAL_GUILD_ID = 0
LOCAL_GUILD_NAME = "Local (terminal)"
LOCAL_CHANNEL_ID = 0


class SessionStatus(StrEnum):
    """Where a session stands: open, or how it ended."""

    OPEN = "open"
    FINISHED = "finished"  # every problem was played
    STOPPED = "stopped"  # someone ended it early
    EXPIRED = "expired"  # found past its deadline with nobody to close it (e.g. after downtime)


class SessionMode(StrEnum):
    """How a session is played. Only some modes count on a server's leaderboard."""

    CHALLENGE = "challenge"  # a timed group challenge in a server channel
    PRACTICE = "practice"  # alone, untimed, in DMs or the terminal
    REVIEW = "review"  # alone: the problems a player's review queue says are due
    DAILY = "daily"  # the server's problem of the day
    RACE = "race"  # a fast group round, one attempt per problem

    @property
    def counts_on_leaderboard(self) -> bool:
        """Whether this mode's points and answers go into the server's standings."""
        return self in LEADERBOARD_MODES


#: The modes whose attempts make up a server's standings (totals, boards, day streaks).
LEADERBOARD_MODES = frozenset({SessionMode.CHALLENGE, SessionMode.DAILY, SessionMode.RACE})
#: The modes one member plays alone (bot/challenges/solo.py): a session is one member's.
SOLO_MODES = frozenset({SessionMode.PRACTICE, SessionMode.REVIEW})


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A challenge run. `opened_at`/`deadline` are None until the first problem is posted."""

    id: int
    guild_id: int
    channel_id: int
    pack_id: str
    problem_ids: tuple[str, ...]
    current_index: int
    message_id: int | None
    opened_at: float | None
    deadline: float | None
    status: SessionStatus
    started_by: int
    started_at: float
    ended_at: float | None
    mode: SessionMode = SessionMode.CHALLENGE

    @property
    def is_open(self) -> bool:
        """Whether the session is still running."""
        return self.status is SessionStatus.OPEN

    @property
    def current_problem_id(self) -> str:
        """The id of the problem at `current_index`."""
        return self.problem_ids[self.current_index]


@dataclass(frozen=True, slots=True)
class LeaderboardRow:
    """One player's standing. `answered` counts problems, not attempts."""

    rank: int
    user_id: int
    display_name: str
    points: int
    correct: int
    answered: int


@dataclass(frozen=True, slots=True)
class AwardedBadge:
    """A badge a user holds in a guild, and when it was first awarded."""

    guild_id: int
    user_id: int
    badge: str
    pack_id: str | None
    awarded_at: float

    @property
    def awarded_on(self) -> date:
        """The UTC day of the award."""
        return datetime.fromtimestamp(self.awarded_at, UTC).date()


@dataclass(frozen=True, slots=True)
class Profile:
    """A player's totals in one guild. `display_name` is None for a user never seen."""

    guild_id: int
    user_id: int
    display_name: str | None
    points: int
    answered: int
    correct: int
    streak: int
    badges: tuple[AwardedBadge, ...]

    @property
    def accuracy(self) -> float:
        """Share of answered problems solved, 0.0 to 1.0 (0.0 before the first answer)."""
        return share_solved(self.correct, self.answered)


@dataclass(frozen=True, slots=True)
class PlayedGame:
    """A session a player started, and how they did in it. `answered` counts problems."""

    session: StoredSession
    answered: int
    correct: int
    points: int


@dataclass(frozen=True, slots=True)
class ModeTotals:
    """A player's results in one guild in one mode. `answered` counts problems."""

    mode: SessionMode
    points: int
    answered: int
    correct: int

    @property
    def accuracy(self) -> float:
        """Share of answered problems solved, 0.0 to 1.0 (0.0 before the first answer)."""
        return share_solved(self.correct, self.answered)


@dataclass(frozen=True, slots=True)
class GuildSettings:
    """Per-guild options. An empty `allowed_channel_ids` allows every channel."""

    guild_id: int
    allowed_channel_ids: frozenset[int] = frozenset()
    timer_scale: float = 1.0
    speed_bonus: bool = False
    week_reset_at: float | None = None

    def allows(self, channel_id: int) -> bool:
        """Whether challenges may run in the channel."""
        return not self.allowed_channel_ids or channel_id in self.allowed_channel_ids


@dataclass(frozen=True, slots=True)
class ReviewReminder:
    """A player's daily review reminder: on or off, the last UTC day one was sent, and
    when one could not be delivered (DMs closed), which turned it off."""

    user_id: int
    enabled: bool
    last_reminded_day: int | None  # days since 1970-01-01; None: never reminded
    dms_closed_at: float | None = None


@dataclass(frozen=True, slots=True)
class TotalsMismatch:
    """One kept standing (or active day) that differs from a recomputation from the attempts.

    `key` names the row: (guild, period, since, user) for totals, (guild, user, day) for
    days. `stored`/`expected` are its values, None when the row is missing on that side.
    """

    table: str  # "standing_totals" or "active_days"
    key: tuple[int | float | str, ...]
    stored: tuple[int | float | None, ...] | None
    expected: tuple[int | float | None, ...] | None

    def describe(self) -> str:
        """One line for `anneal db check`, e.g. "guild 1, user 11, week of 2025-03-10: ..."."""
        if not self.is_totals:
            guild, user, day = self.key
            when = datetime.fromtimestamp(int(day) * 86_400, UTC).date()
            found = "kept, but no answer that day" if self.expected is None else "missing"
            return f"guild {guild}, user {user}, active day {when}: {found}"
        guild, period, since, user = self.key
        stored = "missing" if self.stored is None else _totals_text(self.stored)
        expected = "no answers" if self.expected is None else _totals_text(self.expected)
        where = f"guild {guild}, user {user}, {_period_text(str(period), float(since))}"
        return f"{where}: kept {stored}; the answers give {expected}"

    @property
    def is_totals(self) -> bool:
        """Whether this is a row of standing totals (else an active day)."""
        return self.table == "standing_totals"


def _period_text(period: str, since: float) -> str:
    start = datetime.fromtimestamp(since, UTC)
    if period == "week":
        return f"week of {start.date()}"
    if period == "reset":
        return f"week since the reset at {start:%Y-%m-%d %H:%M:%S} UTC"
    return "all time"


def _totals_text(values: tuple[int | float | None, ...]) -> str:
    names = ("points", "answered", "correct", "scored_at")
    return " ".join(f"{name}={value}" for name, value in zip(names, values, strict=True))


@dataclass(frozen=True, slots=True)
class TotalsReport:
    """What `Database.check_totals` compared, and every difference it found."""

    attempts: int
    total_rows: int
    active_days: int
    mismatches: tuple[TotalsMismatch, ...]

    @property
    def ok(self) -> bool:
        """Whether every kept total equals its recomputation."""
        return not self.mismatches


def share_solved(correct: int, answered: int) -> float:
    """`correct` out of `answered`, 0.0 to 1.0 (0.0 when nothing was answered)."""
    return correct / answered if answered else 0.0


@dataclass(frozen=True, slots=True)
class WeekActivity:
    """One ISO week of a server: members who answered, and problems they answered.

    `answered` counts problems played (a member's attempts at one problem of one session
    count once), as the leaderboard's `answered` does.
    """

    since: float  # the week's Monday 00:00 UTC
    members: int
    answered: int


@dataclass(frozen=True, slots=True)
class OptionPicks:
    """How often one option of a problem was a first try in a server, and how it was judged.

    `correct` is the stored verdict, so a key edited after the game does not rewrite it.
    """

    problem_id: str
    option: str
    correct: bool
    picks: int


@dataclass(frozen=True, slots=True)
class ProblemOutcome:
    """A problem in a server: members who played it (per session) and how many solved it."""

    problem_id: str
    played: int
    solved: int


@dataclass(frozen=True, slots=True)
class ExportedAttempt:
    """One stored attempt of a server as `!stats export` writes it."""

    session_id: int
    mode: str
    user_id: int
    display_name: str
    problem_id: str
    option: str
    correct: bool
    attempt_number: int
    points: int
    answered_at: float
