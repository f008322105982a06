"""A burst of answers under Discord's rate limits: are on-time answers judged on time?

    .venv/bin/python bench/live_burst.py [--members 20] [--before 3.5] [--json]

The real bot (the `anneal bot` factory) plays against the e2e fake Discord with
Discord-like limits (reactions 1 per 0.25 s and messages 5 per 5 s per channel, 50
requests/s in all, 50 ms latency). N members react with the right letter at once, a few
seconds before the deadline. The baseline is the same burst in the same run against the
fake with no limits and no latency. Targets (issue 9): every answer judged on time and
stored, feedback to each member within 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import Figure, dump_json, percentile, print_table
from bot.features.challenge.cog import ChallengeCog
from bot.features.challenge.render import HINT_EMOJI, LETTER_EMOJI
from tests.content.test_loader import write_pack
from tests.e2e.anneal import running_anneal
from tests.e2e.fake_discord import (
    DISCORD_LIKE,
    FakeDiscord,
    FakeUser,
    RateLimits,
    RecordedRequest,
    serving_study_groups,
    title_starts,
)
from tests.engine.conftest import make_problem

BENCH = "live_burst"
TIME_LIMIT = 12  # seconds; the burst comes `before` seconds ahead of the deadline
REFUSED = ("closed", "Time is up")  # what a member is told when an answer did not count
SETTLE_TIMEOUT = 60.0


@dataclass(frozen=True)
class BurstResult:
    """What one burst measured."""

    members: int
    refused: int  # on-time answers told that they did not count
    stored: int  # correct attempts in the database afterwards
    feedback: list[float]  # seconds from a member's reaction to their DM
    rate_limited: int  # 429s the fake answered
    hidden_after: float  # seconds from the burst until the last pick was hidden
    answer_calls: int  # REST calls made for the answers (not for posting the problem)


def answer_call(rec: RecordedRequest, channel_id: int) -> bool:
    """A REST call made because of the answers: not the problem, reveal or summary posts."""
    if rec.method == "PUT" and rec.path.endswith("/@me"):
        return False  # the bot's own reactions under the problem
    posting_here = rec.method == "POST" and rec.path == f"/channels/{channel_id}/messages"
    return not (posting_here and isinstance(rec.json, dict) and rec.json.get("embeds"))


async def burst(members: int, before: float, limits: RateLimits | None) -> BurstResult:
    """Start a one-problem challenge, let `members` answer at once, measure the feedback."""
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        content.mkdir()
        write_pack(content, "burst", make_problem("only", answer="B", time_limit=TIME_LIMIT))
        async with serving_study_groups(members=members, rate_limits=limits) as server:
            database = Path(tmp) / "anneal.db"
            async with running_anneal(server, database, content_dir=content) as bot:
                return await _play(server, cast(ChallengeCog, bot.get_cog("ChallengeCog")), before)


async def _play(server: FakeDiscord, cog: ChallengeCog, before: float) -> BurstResult:
    world = server.study_groups
    channel = world.general.id
    await server.user_sends_message(channel, world.admin, "!challenge start burst")
    problem = await server.wait_for_message(channel, title_starts("Problem 1/"), timeout=30)
    emojis = [*LETTER_EMOJI.values(), HINT_EMOJI]
    await server.wait_for_reactions(problem.id, emojis, timeout=30)
    live = cog.manager.in_channel(channel)
    assert live is not None
    assert live.session.current is not None
    session_id = live.session_id
    await asyncio.sleep(max(0.0, live.session.current.deadline - before - time.time()))

    loop = asyncio.get_running_loop()
    since = len(server.requests)
    started: dict[int, float] = {}

    async def react(user: FakeUser) -> None:
        started[user.id] = loop.time()
        await server.user_adds_reaction(channel, problem.id, user, LETTER_EMOJI["B"])

    async def feedback(user: FakeUser) -> tuple[float, str]:
        dm = await server.wait_for_dm(user, timeout=SETTLE_TIMEOUT)
        return loop.time() - started[user.id], dm.content

    crowd = world.crowd
    waits = [asyncio.ensure_future(feedback(user)) for user in crowd]
    await asyncio.gather(*(react(user) for user in crowd))
    told = await asyncio.gather(*waits)
    for user in crowd:
        await server.wait_for_reaction_removed(
            problem.id, LETTER_EMOJI["B"], user, timeout=SETTLE_TIMEOUT
        )
    hidden_after = loop.time() - min(started.values())
    await server.wait_for_message(channel, title_starts("Answer: B)"), timeout=SETTLE_TIMEOUT)
    await server.wait_for_message(channel, title_starts("Burst: "), timeout=SETTLE_TIMEOUT)

    attempts = await cog.bot.services.db.attempts_for_session(session_id)
    stored = sum(a.correct for a in attempts)
    calls = [r for r in server.requests[since:] if answer_call(r, channel)]
    return BurstResult(
        members=len(crowd),
        refused=sum(any(word in text for word in REFUSED) for _, text in told),
        stored=stored,
        feedback=[seconds for seconds, _ in told],
        rate_limited=server.rate_limited,
        hidden_after=hidden_after,
        answer_calls=len(calls),
    )


def figures(limited: BurstResult, free: BurstResult) -> list[Figure]:
    """The issue's figures for the rate-limited burst, each beside the unlimited one."""

    def fig(
        name: str,
        value: float,
        base: float,
        unit: str,
        target: float | None = None,
        better: str = "lower",
    ) -> Figure:
        return Figure(
            BENCH,
            name,
            value,
            unit,
            target,
            "higher" if better == "higher" else "lower",
            base,
            "no rate limits",
        )

    n = limited.members
    return [
        fig("members answering at once", n, free.members, "members"),
        fig("on-time answers refused", limited.refused, free.refused, "answers", 0),
        fig("answers stored", limited.stored, free.stored, "answers", n, "higher"),
        fig("feedback p50", *_pct(limited, free, 50), "s"),
        fig("feedback p95", *_pct(limited, free, 95), "s"),
        fig("feedback max", max(limited.feedback), max(free.feedback), "s", 10.0),
        fig("every pick hidden after", limited.hidden_after, free.hidden_after, "s"),
        fig("429s seen", limited.rate_limited, free.rate_limited, "responses"),
        fig("REST calls per answer", limited.answer_calls / n, free.answer_calls / n, "calls"),
    ]


def _pct(limited: BurstResult, free: BurstResult, pct: float) -> tuple[float, float]:
    return percentile(sorted(limited.feedback), pct), percentile(sorted(free.feedback), pct)


async def main() -> None:
    """Run the burst without limits (the baseline), then under Discord's; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--before", type=float, default=3.5, help="seconds before the deadline")
    parser.add_argument("--json", action="store_true", help="JSON lines for bench/all.py")
    parser.add_argument(
        "--blind",
        action="store_true",
        help="the fake sends no X-RateLimit headers: the bot learns of limits by 429s only",
    )
    args = parser.parse_args()
    limits = dataclasses.replace(DISCORD_LIKE, headers=not args.blind)
    # discord.py logs every 429 it retries; the table counts them instead.
    logging.basicConfig(level=logging.ERROR)
    free = await burst(args.members, args.before, None)
    limited = await burst(args.members, args.before, limits)
    results = figures(limited, free)
    if args.json:
        print(dump_json(results))
    else:
        print(
            f"{args.members} members answer {args.before} s before the deadline; "
            f"Discord-like limits: {_describe(limits)}"
        )
        print_table(results)


def _describe(limits: RateLimits) -> str:
    buckets = ", ".join(f"{b.name} {b.limit}/{b.per:g} s" for b in limits.buckets)
    blind = "" if limits.headers else ", no X-RateLimit headers"
    return (
        f"{buckets}, {limits.global_per_second}/s global, "
        f"{limits.latency * 1000:.0f} ms latency{blind}"
    )


if __name__ == "__main__":
    asyncio.run(main())
