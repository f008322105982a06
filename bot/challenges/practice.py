"""Practice's problem source: a topic's problems, those the member answered least lately first.

Within the problems picked, the easiest level comes first (shuffled within a level), as
in a challenge (bot/engine/selection.py). `fresh` asks the generator for new problems,
which are kept with the session so the run resumes after a restart.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection

from bot.challenges.manager import MAX_FRESH, FreshPack
from bot.challenges.solo import SoloSet
from bot.engine.selection import choose_problems
from bot.engine.topics import Topic, TopicKind, Topics, UnknownTopic
from bot.storage import Database

FRESH_OFF = "Fresh problems need `!run`'s torch workers, which are off."


class PracticeSource:
    """A `ProblemSource` (bot/challenges/solo.py) of one topic's problems for one member."""

    def __init__(
        self,
        db: Database,
        topics: Topics,
        topic: Topic,
        *,
        rng: random.Random | None = None,
        fresh: FreshPack | None = None,
        in_play: Callable[[], Collection[str]] = frozenset,
    ) -> None:
        self.db = db
        self.topics = topics
        self.topic = topic
        self.rng = rng or random.Random()
        self.fresh = fresh
        # The ids of problems a live challenge has not revealed yet: practice must not
        # explain them (in DMs the bot cannot tell which servers the member plays in).
        self.in_play = in_play

    async def pick(self, user_id: int, count: int) -> SoloSet:
        """Up to `count` of the topic's problems: never answered alone first, then those
        answered longest ago; the easiest level first; none a challenge has in play."""
        if self.topic.kind is TopicKind.FRESH:
            if self.fresh is None:
                raise UnknownTopic(FRESH_OFF)
            pack = await self.fresh(min(count, MAX_FRESH))
            return SoloSet(self.topic.label, tuple(pack.problems), generated=pack)
        hidden = set(self.in_play())
        pool = [p for p in self.topics.problems(self.topic) if p.id not in hidden]
        if not pool:
            raise UnknownTopic(
                f"Every problem of {self.topic.label} is in a challenge right now: pick "
                "another topic, or try again once it is over."
            )
        # Latest first, one problem per "session ago": choose_problems' notion of age.
        recent = [[problem_id] for problem_id in await self.db.solo_recent(user_id)]
        chosen = choose_problems(pool, count, self.rng, recent)
        return SoloSet(self.topic.label, tuple(chosen))
