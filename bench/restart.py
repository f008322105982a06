"""What a restart costs the open problem: `anneal bot` online first, torch warming behind.

    .venv/bin/python bench/restart.py [--reps 3] [--json]

Starts `anneal bot` as a process against the loopback fake Discord (tests/e2e) and
measures, from the process start: when it identifies on the gateway (from then on it
resumes challenges and judges reactions), and when a `!run` sent at that moment is
answered (it waits for the warm workers). The baseline is the previous start-up order,
run in the same session: the runner warmed before connecting.

Target: online within 5 s of the start, whatever the warm-up takes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import Figure, dump_json, print_table  # noqa: E402
from tests.e2e.fake_discord import (  # noqa: E402
    FakeDiscord,
    FakeUser,
    has_embed,
    serving_default_world,
)

# The order `anneal bot` had before: `async with RunnerPool()` (warm), then connect.
WARM_FIRST = """
import asyncio
from bot.app import create_bot
from bot.content import load_library
from bot.features.common.bot import Services
from bot.runner import RunnerPool
from bot.settings import load_settings
from bot.storage import Database

async def main():
    settings = load_settings()
    library = load_library(settings.content_dir)
    async with await Database.open(settings.database) as db, RunnerPool() as runner:
        bot = create_bot(Services(settings, db, library, runner))
        async with bot:
            await bot.start(settings.discord_token.get_secret_value())

asyncio.run(main())
"""
RUN = "!run StepLR(step_size=2, gamma=0.5) lr=0.1 steps=4"


async def until_it_answers(fake: FakeDiscord, channel: int, member: FakeUser) -> None:
    """Commands reach the bot once its guild is cached: ask for help until it answers."""
    while True:
        await fake.user_sends_message(channel, member, "!help")
        try:
            await fake.wait_for_message(channel, has_embed, timeout=0.5)
            return
        except TimeoutError:
            continue


async def one_start(fake: FakeDiscord, argv: list[str], workdir: Path) -> tuple[float, float]:
    """Seconds from the process start to its IDENTIFY, and to the answer of a `!run`."""
    assert fake.world is not None
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ANNEAL_", "DISCORD_"))},
        "DISCORD_TOKEN": fake.token,
        "ANNEAL_DISCORD_API": fake.api_base,
        "ANNEAL_DISCORD_GATEWAY": fake.gateway_url,
        "ANNEAL_DATABASE": str(workdir / "anneal.db"),
    }
    identified = fake.gateway.identify_count
    channel, member = fake.world.general.id, fake.world.member
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *argv,
        env=env,
        cwd=workdir,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await fake.wait_for_identify(identified + 1, timeout=120)
        online = time.perf_counter() - started
        await until_it_answers(fake, channel, member)
        answered = None
        while answered is None:  # "warming up" replies ask to try again: so does this
            await fake.user_sends_message(channel, member, RUN)
            reply = await fake.wait_for_message(channel, author_id=fake.state.bot.id, timeout=60)
            if has_embed(reply) and "StepLR" in reply.embeds[0]["title"]:
                answered = time.perf_counter() - started
            else:
                await asyncio.sleep(1)
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 60)
    return online, answered


async def measure(reps: int) -> list[Figure]:
    """Both start-up orders, alternated `reps` times on one fake Discord."""
    new: list[tuple[float, float]] = []
    old: list[tuple[float, float]] = []
    async with serving_default_world() as fake:
        for _ in range(reps):
            with tempfile.TemporaryDirectory() as work:
                new.append(await one_start(fake, [sys.executable, "-m", "bot", "bot"], Path(work)))
            with tempfile.TemporaryDirectory() as work:
                old.append(await one_start(fake, [sys.executable, "-c", WARM_FIRST], Path(work)))
    med = statistics.median
    return [
        Figure(
            "restart",
            "online after the process starts (median)",
            med(o for o, _ in new),
            "s",
            target=5.0,
            baseline=med(o for o, _ in old),
            baseline_name="warm first, then connect",
        ),
        Figure(
            "restart",
            "first !run answered, sent when online (median)",
            med(a for _, a in new),
            "s",
            baseline=med(a for _, a in old),
            baseline_name="warm first, then connect",
        ),
    ]


def main() -> None:
    """Measure and print the table (or JSON lines for bench/all.py)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = asyncio.run(measure(args.reps))
    print(dump_json(figures) if args.json else "", end="\n" if args.json else "")
    if not args.json:
        print_table(figures)


if __name__ == "__main__":
    main()
