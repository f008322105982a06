"""`anneal profile`: a local profile's points, badges, results per mode and recent games."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.content import FRESH_PACK_ID, ContentLibrary
from bot.play_sets import SET_BADGES, SET_TITLES
from bot.storage import (
    LOCAL_GUILD_ID,
    Database,
    ModeTotals,
    PlayedGame,
    Profile,
    SessionStatus,
)

RECENT_GAMES = 5


class UnknownProfile(Exception):
    """No local profile has this name; the message says which ones exist."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        there = f"the profiles here: {', '.join(known)}" if known else "nobody has played yet"
        super().__init__(
            f"there is no local profile {name!r} ({there}); "
            f"`anneal play --profile {name}` creates it"
        )


async def profile_text(
    db: Database,
    library: ContentLibrary,
    name: str,
    today: date,
    *,
    continue_command: str = "anneal play",
    recent: int = RECENT_GAMES,
) -> str:
    """The profile `name` as text (UnknownProfile if there is none)."""
    user_id = await db.find_local_user(name)
    if user_id is None:
        raise UnknownProfile(name, await db.local_profile_names())
    profile = await db.profile(LOCAL_GUILD_ID, user_id, today=today)
    modes = await db.mode_totals(LOCAL_GUILD_ID, user_id)
    games = await db.games_started_by(LOCAL_GUILD_ID, user_id, limit=recent)
    return render_profile(profile, modes, games, library, continue_command)


def render_profile(
    profile: Profile,
    modes: Sequence[ModeTotals],
    games: Sequence[PlayedGame],
    library: ContentLibrary,
    continue_command: str = "anneal play",
) -> str:
    """The lines `anneal profile` prints."""
    name = profile.display_name or "?"
    lines = [f"{name} · local profile (terminal)"]
    if not profile.answered:
        lines.append("  No answers yet: `anneal play` starts with a short beginner set.")
    else:
        lines.append(
            f"  {profile.points:,} points · {profile.answered} answered · "
            f"{profile.accuracy:.0%} right · day streak {profile.streak}"
        )
    emoji = _badge_emoji(library)
    if profile.badges:
        held = [f"{emoji.get(b.badge, '🏅')} {b.badge} ({b.awarded_on})" for b in profile.badges]
        lines.append("  Badges: " + " · ".join(held))
    else:
        lines.append("  Badges: none yet (get every problem of a set or a pack right)")
    if modes:
        lines.append("  By mode:")
        width = max(len(m.mode.value) for m in modes)
        for totals in modes:
            lines.append(
                f"    {totals.mode.value:<{width}}  {totals.points:,} points · {totals.answered} "
                f"answered · {totals.correct} right ({totals.accuracy:.0%})"
            )
    if games:
        lines.append("  Recent games:")
        titles = [_title(g.session.pack_id, library) for g in games]
        width = max(len(t) for t in titles)
        for game, title in zip(games, titles, strict=True):
            lines.append(f"    {_when(game.session.started_at)}  {title:<{width}}  {_result(game)}")
        if any(g.session.status is SessionStatus.OPEN for g in games):
            lines.append(f"  Your unfinished game waits: `{continue_command}` continues it.")
    return "\n".join(lines)


def _badge_emoji(library: ContentLibrary) -> dict[str, str]:
    emoji = {badge.name: badge.emoji for badge in SET_BADGES.values()}
    emoji.update({pack.badge.name: pack.badge.emoji for pack in library.packs.values()})
    return emoji


def _title(pack_id: str, library: ContentLibrary) -> str:
    if pack_id in library.packs:
        return library.packs[pack_id].title
    if pack_id in SET_TITLES:
        return SET_TITLES[pack_id]
    if pack_id == FRESH_PACK_ID:
        return "Fresh problems"
    return pack_id


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")  # the player's time


def _result(game: PlayedGame) -> str:
    session = game.session
    status = "unfinished" if session.status is SessionStatus.OPEN else session.status.value
    return (
        f"{game.answered}/{len(session.problem_ids)} answered · {game.correct} right · "
        f"{game.points:,} points · {status}"
    )
