"""The leak rule of `!learn`: a card waits while a challenge asks about its scheduler.

A card's pitfalls and numbers answer many a problem about its scheduler, so while a
challenge runs in a server, the cards of the subjects of its problems not yet revealed
(the open one and those to come) are refused there, as `!run` refuses those problems.
In DMs, where the bot cannot tell which servers a member plays in, a subject in play in
any server is refused. Pure functions; no Discord.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.engine.problems import Problem


def subjects_in_play(unrevealed: Iterable[Problem]) -> set[str]:
    """The schedulers the problems not revealed yet teach (their `subject:`)."""
    return {name for problem in unrevealed for name in problem.subject}


def refusal(scheduler: str, *, in_dms: bool) -> str:
    """Why the card of `scheduler` is not shown now, and when it will be."""
    where = "in a server you may be playing in" if in_dms else "on this server"
    return (
        f"A challenge {where} is asking about {scheduler} right now, so its card waits: "
        "ask again after the reveal."
    )
