"""The `anneal` command: bot | play | profile | run | learn | content check|stats|audit |
db check | invite."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import learn_cli
from bot.cli_errors import CommandError
from bot.content import ContentError, load_library
from bot.engine.problems import Problem
from bot.play_cli import add_play_commands, play, profile
from bot.settings import CARDS_FOLDER, Settings, SettingsError, load_settings


def build_parser() -> argparse.ArgumentParser:
    """The `anneal` command line: bot, play, profile, run, learn, content, db, invite."""
    parser = argparse.ArgumentParser(
        prog="anneal",
        description="A study-group tutor for PyTorch learning-rate schedulers.",
        epilog="With no command: the Discord bot if DISCORD_TOKEN is set, else `anneal play`.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser("bot", help="run the Discord bot (needs DISCORD_TOKEN)")

    add_play_commands(commands)

    # Listed here for `anneal --help`; main() hands `anneal run ...` to bot/runner/command.py.
    commands.add_parser("run", help="compute LR schedules with torch (also `run compare`)")

    content = commands.add_parser("content", help="check the problem packs")
    content_commands = content.add_subparsers(dest="content_command", metavar="ACTION")
    check = content_commands.add_parser(
        "check", help="validate every pack and verify predict-the-output keys with torch"
    )
    check.add_argument("directory", nargs="?", type=Path, help="default: ANNEAL_CONTENT_DIR")
    stats = content_commands.add_parser(
        "stats", help="coverage of the packs per subject, scheduler, kind and level"
    )
    stats.add_argument("directory", nargs="?", type=Path, help="default: ANNEAL_CONTENT_DIR")
    audit = content_commands.add_parser(
        "audit", help="surface cues (position, length, numbers, similarity) that give keys away"
    )
    audit.add_argument("directory", nargs="?", type=Path, help="default: ANNEAL_CONTENT_DIR")
    audit.add_argument(
        "--generated",
        type=int,
        default=0,
        metavar="N",
        help="also audit N generated problems (fresh packs of 5, seeds 0, 1, ...; needs torch)",
    )
    audit.add_argument("--verbose", action="store_true", help="every rule's rate in every group")

    db = commands.add_parser("db", help="look after the database (ANNEAL_DATABASE)")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION")
    db_check = db_commands.add_parser(
        "check", help="verify the kept standings against a recomputation from the answers"
    )
    db_check.add_argument(
        "--repair", action="store_true", help="rebuild the standings if they differ"
    )

    learn_cli.add_parser(commands)

    invite = commands.add_parser("invite", help="print the URL that adds the bot to a server")
    invite.add_argument(
        "--client-id", type=int, metavar="ID", help="application id (default: from DISCORD_TOKEN)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `anneal` with `argv` (default: the process's) and return its exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["run"]:  # its own options, --help and exit codes: bot/runner/command.py
        from bot.runner.command import main as run_main

        return run_main(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        return dispatch(args)
    except (SettingsError, CommandError) as exc:
        print(f"anneal: {exc}", file=sys.stderr)
        return 2
    except ContentError as exc:
        print("anneal: the content has errors:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nanneal: interrupted; everything answered so far is saved.", file=sys.stderr)
        return 130


def dispatch(args: argparse.Namespace) -> int:
    """Run the chosen subcommand with the settings loaded."""
    if args.command == "content":
        directory = args.directory or load_settings().content_dir
        if args.content_command == "check":
            return content_check(directory)
        if args.content_command == "stats":
            from bot.content.stats import coverage, render

            print(render(coverage(load_library(directory))))
            return 0
        if args.content_command == "audit":
            return content_audit(directory, args.generated, args.verbose)
        raise CommandError("say what to do with the content: `anneal content check|stats|audit`")
    if args.command == "invite":
        from bot.invite import InviteError, invite_text, resolve_client_id

        secret = None if args.client_id is not None else load_settings().discord_token
        token = None if secret is None else secret.get_secret_value()
        try:
            client_id = resolve_client_id(args.client_id, token)
        except InviteError as exc:
            raise CommandError(str(exc)) from None
        print(invite_text(client_id))
        return 0
    settings = load_settings()
    if args.command == "learn":
        return learn_cli.run(settings, args.scheduler, args.plot)
    if args.command == "db":
        if args.db_command == "check":
            return db_check(settings.database, repair=args.repair)
        raise CommandError("say what to do with the database: `anneal db check [--repair]`")
    if args.command == "bot":
        return run_bot(settings)
    if args.command == "play":
        return play(settings, args)
    if args.command == "profile":
        return profile(settings, args)
    if settings.has_token:
        return run_bot(settings)
    print("No DISCORD_TOKEN is configured, so Anneal starts in the terminal (`anneal play`).")
    print("Set DISCORD_TOKEN in the environment or in .env to run the Discord bot.\n")
    return play(settings, build_parser().parse_args(["play"]))


def run_bot(settings: Settings) -> int:
    """`anneal bot`: serve the Discord bot until stopped."""
    if not settings.has_token:
        raise CommandError("DISCORD_TOKEN is not set; put it in the environment or in .env")
    import aiohttp
    import discord

    from bot.app import serve

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s"
    )
    try:
        asyncio.run(serve(settings))
    except discord.LoginFailure:
        raise CommandError("Discord refused the token: check DISCORD_TOKEN") from None
    except discord.PrivilegedIntentsRequired:
        raise CommandError(
            "turn on Message Content Intent for the bot in the Discord Developer Portal"
        ) from None
    except (aiohttp.ClientConnectionError, discord.GatewayNotFound) as exc:
        raise CommandError(cannot_reach_discord(settings, exc)) from None
    except discord.DiscordServerError as exc:
        raise CommandError(
            f"Discord answered {exc.status} ({exc.text or 'server error'}); try again later"
        ) from None
    return 0


def cannot_reach_discord(settings: Settings, exc: Exception) -> str:
    """One line for a bot that found no way to Discord: no internet, DNS, a refused port."""
    import os

    import aiohttp
    import yarl

    host = yarl.URL(settings.discord_api).host or settings.discord_api
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        why = f"the name {host} does not resolve"
    elif isinstance(exc, aiohttp.ClientConnectorError) and exc.os_error.errno:
        why = os.strerror(exc.os_error.errno).lower()
    else:
        why = str(exc) or type(exc).__name__
    where = " and ANNEAL_DISCORD_API" if "discord_api" in settings.model_fields_set else ""
    return f"cannot reach Discord at {host} ({why}): check the internet connection{where}"


def content_check(directory: Path) -> int:
    """`anneal content check`: validate every pack and learn card, and check them with torch."""
    from concurrent.futures import ThreadPoolExecutor

    from bot.content.card_check import check_cards, describe_report
    from bot.content.check import check_content

    print(f"Checking {directory} (snippets and learn cards run with torch)…", flush=True)
    # The cards' torch processes start while the snippets run: the check takes less time.
    with ThreadPoolExecutor(max_workers=1) as pool:
        checking_cards = pool.submit(check_cards, directory / CARDS_FOLDER)
        report = check_content(directory)
        cards = checking_cards.result()
    failures = report.failures + cards.failures
    if not failures:
        print(
            f"OK: {report.problems_checked} problems valid, "
            f"{report.snippets_run} snippets run, every key and expectation agrees with torch."
        )
        print(f"OK: {describe_report(cards)}.")
        return 0
    print(f"{len(failures)} problem(s) found:", file=sys.stderr)
    for failure in failures:
        print(f"  {failure}", file=sys.stderr)
    return 1


# At most this many differences are listed; the rest are counted.
SHOWN_MISMATCHES = 20


def db_check(path: Path, *, repair: bool) -> int:
    """`anneal db check`: compare the kept standings with the answers; 1 if they differ.

    With `repair`, standings that differ are rebuilt from the answers (one transaction)
    and checked again. Safe while the bot runs: the check reads a snapshot, and the
    repair waits its turn for the write lock.
    """
    from bot.storage import Database, StorageError, TotalsReport

    if not path.is_file():
        raise CommandError(f"there is no database at {path} (see ANNEAL_DATABASE)")

    def show(report: TotalsReport) -> None:
        print(
            f"{len(report.mismatches)} kept standing(s) differ from the "
            f"{report.attempts:,} answers in {path}:",
            file=sys.stderr,
        )
        for mismatch in report.mismatches[:SHOWN_MISMATCHES]:
            print(f"  {mismatch.describe()}", file=sys.stderr)
        if len(report.mismatches) > SHOWN_MISMATCHES:
            print(f"  … and {len(report.mismatches) - SHOWN_MISMATCHES} more", file=sys.stderr)

    async def go() -> int:
        async with await Database.open(path) as db:
            report = await db.check_totals()
            if report.ok:
                print(
                    f"OK: {report.total_rows:,} standings and {report.active_days:,} active "
                    f"days match the {report.attempts:,} answers in {path}."
                )
                return 0
            show(report)
            if not repair:
                print("Run `anneal db check --repair` to rebuild them.", file=sys.stderr)
                return 1
            totals, days = await db.rebuild_totals()
            print(f"Rebuilt {totals:,} standings and {days:,} active days from the answers.")
            again = await db.check_totals()
            if not again.ok:  # another process wrote wrong totals meanwhile
                show(again)
                return 1
            print("OK: the standings now match the answers.")
            return 0

    try:
        return asyncio.run(go())
    except StorageError as exc:  # busy, full, not a database: one line, no traceback
        raise CommandError(str(exc)) from None


def content_audit(directory: Path, generated: int, verbose: bool) -> int:
    """`anneal content audit`: exit 1 when a surface cue finds too many keys in some group."""
    from bot.content.audit import (
        audit_groups,
        duplicates,
        generated_groups,
        render,
        shipped_groups,
    )

    if generated < 0:
        raise CommandError("--generated must be 0 or more")
    library = load_library(directory)
    groups = shipped_groups({pid: pack.problems for pid, pack in library.packs.items()})
    made: list[Problem] = []
    if generated:
        print(f"Generating {generated} fresh problems with torch…", flush=True)
        made = asyncio.run(generated_problems(generated))
        groups.update(generated_groups(made))
    audits = audit_groups(groups)
    print(render(audits, verbose=verbose))
    repeated = duplicates(made)
    if generated:
        print(
            f"Duplicates among the {len(made)} generated problems: {len(repeated)}"
            + "".join(f"\n  {first} = {second}" for first, second in repeated[:10])
        )
    return 1 if repeated or any(group.failures for group in audits) else 0


GENERATED_PACK_SIZE = 5  # what `anneal play --pack fresh` deals


async def generated_problems(count: int) -> list[Problem]:
    """`count` generated problems: fresh packs of 5 for seeds 0, 1, ..., as players get them."""
    import random

    from bot.content.generator import GenerationError, generate_pack
    from bot.runner import RunError, RunnerPool, RunnerStartError

    problems: list[Problem] = []
    try:
        async with RunnerPool(size=1, plot=False, job_timeout=30.0) as pool:
            seed = 0
            while len(problems) < count:
                pack = await generate_pack(pool, random.Random(seed), GENERATED_PACK_SIZE)
                problems += pack.problems
                seed += 1
    except (GenerationError, RunnerStartError, RunError) as exc:
        raise CommandError(f"torch could not generate problems: {exc}") from exc
    return problems[:count]
