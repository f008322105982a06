"""The guilds, players, sessions and answers the storage tests share."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.engine.problems import Letter
from bot.engine.session import Attempt
from bot.storage import Database

GUILD, OTHER_GUILD = 1, 2
CHANNEL, OTHER_CHANNEL = 100, 200
ADA, BOB, CY = 10, 11, 12
DAY = 86_400.0
# Noon UTC, so +-hours in a test stay on the intended day.
T0 = datetime(2025, 3, 10, 12, 0, tzinfo=UTC).timestamp()
TODAY = date(2025, 3, 10)


async def seed(db: Database) -> None:
    """Two guilds that joined 30 days before T0, and the players ada, bob and cy."""
    await db.upsert_guild(GUILD, "Study group", joined_at=T0 - 30 * DAY)
    await db.upsert_guild(OTHER_GUILD, "Other group", joined_at=T0 - 30 * DAY)
    for user_id, name in ((ADA, "ada"), (BOB, "bob"), (CY, "cy")):
        await db.upsert_user(user_id, name)


async def start_session(
    db: Database, *, guild: int = GUILD, channel: int = CHANNEL, started_at: float = T0
) -> int:
    """A session of problems p1, p2, p3 that Ada starts."""
    return await db.create_session(guild, channel, "warmup", ["p1", "p2", "p3"], ADA, started_at)


async def answer(
    db: Database,
    session_id: int,
    user_id: int,
    problem_id: str,
    *,
    points: int,
    at: float,
    attempt_number: int = 1,
) -> None:
    """Store an attempt: option A and right if it scores, option B and wrong if not."""
    option: Letter = "A" if points else "B"
    attempt = Attempt(user_id, problem_id, option, points > 0, attempt_number, points, at)
    await db.save_attempt(session_id, attempt)
