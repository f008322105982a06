"""The level sets `anneal play` deals when no pack is named, as packs with a title, a badge
and the words that introduce them: a beginner set for a newcomer, then the next level."""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine.level_sets import LevelSet
from bot.engine.problems import Badge, Level, Pack
from bot.play_text import plural
from bot.storage import PlayedGame, SessionStatus

_BADGES = {
    Level.BEGINNER: Badge(name="Warm Start", emoji="🌱"),
    Level.INTERMEDIATE: Badge(name="Steady Descent", emoji="📉"),
    Level.ADVANCED: Badge(name="Fine Tuner", emoji="🎛️"),
    Level.EXPERT: Badge(name="Converged", emoji="🎯"),
}


def set_pack_id(level: Level) -> str:
    """The pack id a level set is stored under: `beginner-set`, `intermediate-set`, ..."""
    return f"{level.value}-set"


def set_title(level: Level) -> str:
    """What a level set is called: `Beginner set`, ..."""
    return f"{level.value.capitalize()} set"


BEGINNER_SET = set_pack_id(Level.BEGINNER)
SET_BADGES = {set_pack_id(level): badge for level, badge in _BADGES.items()}
SET_TITLES = {set_pack_id(level): set_title(level) for level in Level}


def set_pack(level_set: LevelSet) -> Pack:
    """The set as a pack of its own: its badge needs every problem of the set right."""
    level = level_set.level
    if level is Level.BEGINNER:
        description = (
            "A short start from every pack, beginner problems first, then intermediate "
            "ones. Finish it, and your next `anneal play` brings intermediate problems."
        )
    else:
        description = f"{level.value.capitalize()} problems from every pack, new ones first."
    return Pack(
        id=set_pack_id(level),
        title=set_title(level),
        description=description,
        badge=_BADGES[level].model_copy(
            update={"description": f"every problem of a {level.value} set right"}
        ),
        problems=list(level_set.problems),
    )


def finished_beginner_set(games: Sequence[PlayedGame]) -> bool:
    """Whether the player played a beginner set to its end."""
    return any(
        g.session.pack_id == BEGINNER_SET and g.session.status is SessionStatus.FINISHED
        for g in games
    )


def shown_in(games: Sequence[PlayedGame]) -> list[list[str]]:
    """The problem ids each game showed (up to the one it reached), the latest game first."""
    return [
        list(g.session.problem_ids[: g.session.current_index + 1])
        for g in games
        if g.session.opened_at is not None
    ]


def set_intro(level_set: LevelSet, games: Sequence[PlayedGame]) -> str:
    """Why the player gets this set, in a sentence or two."""
    size = len(level_set.problems)
    mix = " → ".join(f"{count} {level.value}" for level, count in level_set.levels.items())
    level = level_set.level
    if level is Level.BEGINNER:
        return (
            f"New here? A short beginner set: {plural(size, 'problem')} ({mix}), the easiest "
            "first; once you finish it, `anneal play` brings intermediate problems. "
            "`anneal play --list` shows the packs; `--pack ID` plays one instead."
        )
    levels = level_set.levels
    what = (
        f"{plural(size, next(iter(levels)).value + ' problem')}"
        if len(levels) == 1
        else f"{plural(size, 'problem')} ({mix})"
    )
    if level_set.unseen == 0:
        news = f"You have met every one, so here are {what} seen longest ago"
    elif level_set.unseen == size:
        news = f"Here are {what} you have not seen"
    else:
        news = f"Here are {what}, {level_set.unseen} of them new to you"
    first_of_level = not any(g.session.pack_id == set_pack_id(level) for g in games)
    if level is Level.INTERMEDIATE and first_of_level:
        return f"You finished the beginner set, so next come intermediate problems. {news}."
    return f"{news}."
