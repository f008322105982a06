"""When a server's daily problem comes out: a local time of day in an IANA time zone.

A daily problem belongs to a local day (the server's date where its schedule says), comes
out at that day's posting time (its *slot*) and stays open until the next day's slot. All
times are unix seconds; the clock is the caller's. A posting time that does not exist on a
day (the hour skipped when clocks go forward) comes that much later; one that happens
twice (clocks go back) comes the first time.
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import cache

from bot.engine.session import ChallengeError

EPOCH = date(1970, 1, 1)
DEFAULT_ZONE = "UTC"
_TIME_OF_DAY = re.compile(r"^\s*(?P<hour>\d{1,2})(?::|h|\.)(?P<minute>\d{2})\s*$")


class ScheduleError(ChallengeError):
    """A posting time or a time zone the bot cannot use; the message says what would do."""


@dataclass(frozen=True)
class DailyTime:
    """A time of day in a zone: when each local day's problem is posted."""

    hour: int
    minute: int
    zone: str = DEFAULT_ZONE  # an IANA name, e.g. "Europe/Paris"

    def __post_init__(self) -> None:
        if not (0 <= self.hour < 24 and 0 <= self.minute < 60):
            raise ValueError(f"no time of day {self.hour}:{self.minute:02d}")
        zone_named(self.zone)  # ValueError for a zone zoneinfo does not know

    @classmethod
    def from_minute(cls, minute_of_day: int, zone: str) -> DailyTime:
        """The time `minute_of_day` minutes after local midnight (as storage keeps it)."""
        return cls(minute_of_day // 60, minute_of_day % 60, zone)

    @property
    def minute_of_day(self) -> int:
        """Minutes after local midnight: 9:30 is 570."""
        return self.hour * 60 + self.minute

    @property
    def tz(self) -> tzinfo:
        """The zone itself."""
        return zone_named(self.zone)

    @property
    def clock_text(self) -> str:
        """ "09:30" as admins type it."""
        return f"{self.hour:02d}:{self.minute:02d}"

    def day_of(self, at: float) -> date:
        """The local date at `at`."""
        return local_date(at, self.tz)

    def slot(self, day: date) -> float:
        """When `day`'s problem is posted (unix seconds)."""
        local = datetime.combine(day, time(self.hour, self.minute), tzinfo=self.tz)
        # fold=0: a skipped time is read with the offset before the change (so it comes
        # later by the gap), a repeated one as its first occurrence.
        return local.timestamp()

    def turn(self, now: float) -> date:
        """The day whose problem should be out at `now`: today once today's slot has come,
        else yesterday."""
        today = self.day_of(now)
        return today if self.slot(today) <= now else today - timedelta(days=1)

    def next_slot(self, now: float) -> float:
        """The first slot after `now`: when the problem out at `now` closes."""
        return self.slot(self.turn(now) + timedelta(days=1))


def local_date(at: float, zone: tzinfo | None = None) -> date:
    """The date at `at` in `zone` (None: the machine's local zone)."""
    if zone is None:
        return datetime.fromtimestamp(at).date()
    return datetime.fromtimestamp(at, zone).date()


def day_number(day: date) -> int:
    """Days since 1970-01-01: how storage keeps a local date."""
    return (day - EPOCH).days


def day_from_number(number: int) -> date:
    """The date `number` days after 1970-01-01."""
    return EPOCH + timedelta(days=number)


@cache
def zone_named(name: str) -> tzinfo:
    """The zone of an IANA name (ValueError if zoneinfo does not know it)."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def parse_time_of_day(text: str) -> tuple[int, int]:
    """(hour, minute) of "09:30", "9:30", "21h30"; ScheduleError with an example if not."""
    match = _TIME_OF_DAY.match(text)
    if match is not None:
        hour, minute = int(match["hour"]), int(match["minute"])
        if hour < 24 and minute < 60:
            return hour, minute
    shown = text.strip()[:20] or "that"
    raise ScheduleError(
        f"`{shown}` is not a time of day: use the 24-hour clock, HH:MM, e.g. `09:00` or `18:30`."
    )


def parse_zone(text: str | None) -> str:
    """The IANA zone name meant by `text` (any case; None or blank: UTC).

    ScheduleError names close matches, or gives examples, when there is none.
    """
    if text is None or not text.strip():
        return DEFAULT_ZONE
    wanted = text.strip()
    names = _zone_names()
    found = names.get(wanted.lower())
    if found is not None:
        return found
    key = wanted.lower().replace(" ", "_")
    # A city alone ("london") names its zone; else a typo close to a whole name.
    close = [name for name in names if name.rsplit("/", 1)[-1] == key][:3]
    close = close or difflib.get_close_matches(key, names, n=3, cutoff=0.85)
    hint = (
        "Did you mean " + " or ".join(f"`{names[name]}`" for name in close) + "?"
        if close
        else "Use an IANA name such as `Europe/Paris`, `America/New_York`, `Asia/Tokyo` or `UTC`."
    )
    raise ScheduleError(f"`{wanted[:40]}` is not a time zone I know. {hint}")


def matching_zones(text: str, limit: int = 25) -> list[str]:
    """Zone names holding `text` (any case), shortest first: for autocomplete."""
    wanted = text.strip().lower().replace(" ", "_")
    found = [name for key, name in _zone_names().items() if wanted in key]
    return sorted(found, key=lambda name: (len(name), name))[:limit]


@cache
def _zone_names() -> dict[str, str]:
    """Every zone zoneinfo knows, by its lower-case name."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}
