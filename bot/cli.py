"""The `anneal` command: bot | play | run | content check|stats|audit | db check | invite."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bot.content import DEFAULT_PACK, FRESH_PACK_ID, ContentError, ContentLibrary, load_library
from bot.engine.problems import Pack, Problem
from bot.settings import Settings, SettingsError, load_settings


class CommandError(Exception):
    """A one-line reason to stop, printed without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    """The `anneal` command line and its subcommands: bot, play, run, content, db, invite."""
    parser = argparse.ArgumentParser(
        prog="anneal",
        description="A study-group tutor for PyTorch learning-rate schedulers.",
        epilog="With no command: the Discord bot if DISCORD_TOKEN is set, else `anneal play`.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands.add_parser("bot", help="run the Discord bot (needs DISCORD_TOKEN)")

    play = commands.add_parser("play", help="play a challenge in the terminal")
    play.add_argument("--pack", help=f"pack id (default: {DEFAULT_PACK}); see --list")
    play.add_argument("--list", action="store_true", help="list the packs and exit")
    play.add_argument("--profile", help="local profile name (default: your login name)")
    play.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="multiply every time limit (2 = twice as long)",
    )
    play.add_argument(
        "--seed", type=int, help="with --pack fresh: the same seed generates the same problems"
    )

    run = commands.add_parser("run", help="compute a scheduler's learning rates with torch")
    run.add_argument("args", nargs=argparse.REMAINDER, help="see `anneal run --help`")

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

    invite = commands.add_parser("invite", help="print the URL that adds the bot to a server")
    invite.add_argument(
        "--client-id", type=int, metavar="ID", help="application id (default: from DISCORD_TOKEN)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `anneal` with `argv` (default: the process's) and return its exit status."""
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
    if args.command == "run":
        from bot.runner.command import main as run_main

        return run_main(args.args)
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
    if args.command == "db":
        if args.db_command == "check":
            return db_check(settings.database, repair=args.repair)
        raise CommandError("say what to do with the database: `anneal db check [--repair]`")
    if args.command == "bot":
        return run_bot(settings)
    if args.command == "play":
        return play(settings, args)
    if settings.has_token:
        return run_bot(settings)
    print("No DISCORD_TOKEN is configured, so Anneal starts in the terminal (`anneal play`).")
    print("Set DISCORD_TOKEN in the environment or in .env to run the Discord bot.\n")
    return play(settings, build_parser().parse_args(["play"]))


def run_bot(settings: Settings) -> int:
    """`anneal bot`: serve the Discord bot until stopped."""
    if not settings.has_token:
        raise CommandError("DISCORD_TOKEN is not set; put it in the environment or in .env")
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
    return 0


def play(settings: Settings, args: argparse.Namespace) -> int:
    """`anneal play`: list the packs, or play one in the terminal."""
    from bot.play import play_pack
    from bot.storage import Database, StorageError
    from bot.terminal import LineReader

    library = load_library(settings.content_dir)
    if args.list:
        for pack in library.packs.values():
            print(f"{pack.id:28} {len(pack.problems):3} problems  {pack.title}")
        return 0
    # `fresh` is generated with torch when played, unless a content pack took the id.
    fresh = args.pack == FRESH_PACK_ID and FRESH_PACK_ID not in library.packs
    shipped = None if fresh else choose_pack(library, args.pack)
    if args.time_scale <= 0:
        raise CommandError("--time-scale must be a positive number")
    profile = args.profile or default_profile()

    async def go() -> None:
        """Generate the pack if it is `fresh`, then play it against the database."""
        pack = shipped or await generate_fresh(args.seed)
        async with await Database.open(settings.database) as db:
            await play_pack(
                pack,
                db,
                profile,
                LineReader(sys.stdin.fileno()),
                sys.stdout,
                time.time,
                time_scale=args.time_scale,
            )

    try:
        asyncio.run(go())
    except StorageError as exc:  # e.g. the database is locked or the disk is full
        raise CommandError(str(exc)) from None
    return 0


async def generate_fresh(seed: int | None) -> Pack:
    """A fresh pack generated with one torch worker (CommandError if torch cannot)."""
    from bot.content.generator import GenerationError, generate_fresh_pack

    print("Generating fresh problems with torch…", flush=True)
    try:
        return await generate_fresh_pack(seed)
    except GenerationError as exc:
        raise CommandError(str(exc)) from None


def choose_pack(library: ContentLibrary, pack_id: str | None) -> Pack:
    """The named pack, or the default one (CommandError for an unknown id)."""
    if pack_id is None:
        return library.default_pack()
    if pack_id not in library.packs:
        known = ", ".join(library.packs)
        raise CommandError(f"there is no pack {pack_id!r}; the packs are: {known}")
    return library.packs[pack_id]


def default_profile() -> str:
    """The local profile to play as when none is named: the login name."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "player"


def content_check(directory: Path) -> int:
    """`anneal content check`: validate every pack and check its answers against torch."""
    from bot.content.check import check_content

    print(f"Checking {directory} (predict-the-output snippets run with torch)…", flush=True)
    report = check_content(directory)
    if report.ok:
        print(
            f"OK: {report.problems_checked} problems valid, "
            f"{report.snippets_run} snippets run, every key and expectation agrees with torch."
        )
        return 0
    print(f"{len(report.failures)} problem(s) found:", file=sys.stderr)
    for failure in report.failures:
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
    from bot.content.snippet_session import SnippetSession, SnippetSessionError

    problems: list[Problem] = []
    try:
        # One warm torch process runs every snippet of every pack, one pack after another.
        async with SnippetSession() as session:
            seed = 0
            while len(problems) < count:
                pack = await generate_pack(session, random.Random(seed), GENERATED_PACK_SIZE)
                problems += pack.problems
                seed += 1
    except (GenerationError, SnippetSessionError) as exc:
        raise CommandError(f"torch could not generate problems: {exc}") from exc
    return problems[:count]
