"""Role rewards and the weekly digest at scale: what they cost in a server with 200,000
attempts.

    .venv/bin/python bench/rhythm.py [--quick | --full] [--json]

Builds the database of bench/organiser.py (a 200,000-attempt server over 12 weeks, 2,000
members, beside other servers), then in that server:

- the reward check after a reveal: the 12 players' standings (all-time points, day
  streak, badges) and roles given, against 3 rewards (`rewards_due`, what the granter
  reads per member); baseline: a reveal in a server without rewards (its one read);
- claiming and recording one grant (two writes);
- reading the busiest week's digest (`read_digest`: the week's board, activity, badges,
  first tries); baseline: one raw scan of that week's attempts;
- claiming a week's digest (one write).

Targets: the reward check p50 <= 50 ms per reveal (it runs beside the game, after the
reveal is posted); the digest reads p50 <= 500 ms (once a week per server).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.leaderboard import timed
from bench.organiser import (
    MEMBERS,
    NOW,
    PLAYERS,
    SERVER,
    BuiltServer,
    built_server,
    log,
    raw_scan_ms,
)
from bench.report import Figure, percentile, run_cli
from bot.engine.rewards import RewardKind, RewardRule
from bot.features.digest.reading import read_digest
from bot.features.digest.weekly import covered_week
from bot.features.rewards.due import rewards_due

BENCH = "rhythm"
CHECK_TARGET_MS = 50.0
DIGEST_TARGET_MS = 500.0
WEEK = 7 * 86_400
RULES = (
    RewardRule(RewardKind.POINTS, threshold=1_000),
    RewardRule(RewardKind.STREAK, threshold=7),
    RewardRule(RewardKind.BADGE, pack_id="basics"),
)


async def measure(quick: bool) -> list[Figure]:
    """Build the database, then time the reward check, a grant, the digest and its claim."""
    async with built_server(quick, BENCH) as built:
        return await _measure(built, 20 if quick else 60)


async def _measure(built: BuiltServer, reps: int) -> list[Figure]:
    db = built.db
    rng = random.Random(7)
    for number, rule in enumerate(RULES):
        await db.set_role_reward(SERVER, 900 + number, rule, set_by=10**17, at=NOW)
    rewards = await db.role_rewards(SERVER)
    members = [10**17 + m for m in range(MEMBERS)]

    async def check_reveal() -> None:
        for player in rng.sample(members, PLAYERS):
            await rewards_due(db, SERVER, player, rewards, NOW)

    check = await timed(check_reveal, reps)
    without = await timed(lambda: db.role_rewards(SERVER + 1), reps)
    grants = iter(members)

    async def grant() -> None:
        player = next(grants)
        await db.claim_role_grant(SERVER, 900, player, at=NOW)
        await db.finish_role_grant(SERVER, 900, player, at=NOW)

    granted = await timed(grant, reps)
    activity = await db.weekly_activity(SERVER, NOW - 12 * WEEK, NOW)
    busiest = max(activity, key=lambda week: week.answered).since
    digest = await timed(lambda: read_digest(db, built.library, SERVER, busiest), reps)
    scan = raw_scan_ms(built.path, reps, busiest, busiest + WEEK)
    weeks = iter(range(10_000))

    async def claim() -> None:
        await db.claim_digest(SERVER, covered_week(NOW) - next(weeks) * WEEK, 100, at=NOW)

    claimed = await timed(claim, reps)
    log(
        f"reward check p50 {percentile(check, 50):.1f} ms; digest reads p50 "
        f"{percentile(digest, 50):.0f} ms (week scan {percentile(scan, 50):.0f} ms)"
    )
    return [
        Figure(BENCH, "attempts in the server", built.attempts, "count"),
        Figure(
            BENCH, f"reward check per reveal p50 ({PLAYERS} players, 3 rewards)",
            percentile(check, 50), "ms", CHECK_TARGET_MS, "lower", percentile(without, 50),
            "a server without rewards",
        ),
        Figure(BENCH, "reward check per reveal p99", percentile(check, 99), "ms"),
        Figure(BENCH, "grant claimed and recorded p50", percentile(granted, 50), "ms"),
        Figure(
            BENCH, "digest reads p50 (busiest week)", percentile(digest, 50), "ms",
            DIGEST_TARGET_MS, "lower", percentile(scan, 50), "one raw scan of the week",
        ),
        Figure(BENCH, "digest week claimed p50", percentile(claimed, 50), "ms"),
    ]  # fmt: skip


if __name__ == "__main__":
    run_cli(__doc__, measure)
