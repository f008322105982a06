"""RaceManager: races in channels, on the ChallengeManager's machinery (each answer judged
as it arrived and stored before it is acknowledged, one lock per game, timers on the
injected clock, resuming after a restart). No discord import.

What a race does differently: a lobby first (members join with ✅ until it ends; the
starter is in), then the problems of a RaceSession (bot/engine/race.py: one answer each,
race points, no hints), each closing the moment every racer it waits for has answered,
with no grace. The view shows the standings with each reveal and the podium at the end.

A race always stores its first problem's opening and deadline, even in the lobby, so a
restart goes on with the same time per problem. Who joined is kept in memory only: after
a restart the race waits for its starter and for whoever has answered.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from bot.challenges.live import ChallengeView, LiveChallenge, ProblemClosed
from bot.challenges.manager import ChallengeManager
from bot.content import ContentLibrary
from bot.engine.pace import Progress
from bot.engine.problems import Pack, Problem
from bot.engine.race import LOBBY_SECONDS, RACE_SECONDS, RaceSession
from bot.engine.session import Clock
from bot.storage import Database, GuildSettings, SessionMode

log = logging.getLogger("anneal.challenges")

STARTED = "This race has started: answer its problems to join in."


class RaceView(ChallengeView, Protocol):
    """How the race manager shows a race: a challenge's views, and the lobby."""

    async def show_lobby(self, live: LiveChallenge, starts_at: float) -> int:
        """Post the lobby (join with ✅ until `starts_at`); return its message id."""
        ...

    async def show_racers(self, live: LiveChallenge, lobby_id: int, starts_at: float) -> None:
        """Show who has joined so far on the lobby message."""
        ...


def race_of(live: LiveChallenge) -> RaceSession:
    """The race a live game of the race manager plays."""
    session = live.session
    if not isinstance(session, RaceSession):
        raise TypeError(f"session {live.session_id} is not a race")
    return session


class RaceManager(ChallengeManager):
    """Every live race of the bot; `seconds` per problem (times the server's timer) and a
    `lobby` of that many seconds before the first."""

    mode = SessionMode.RACE
    view: RaceView

    def __init__(
        self,
        db: Database,
        library: ContentLibrary,
        view: RaceView,
        clock: Clock,
        *,
        seconds: float = RACE_SECONDS,
        lobby: float = LOBBY_SECONDS,
        **options: Any,  # ChallengeManager's: sleep, fresh, resume_window, double_tap, ...
    ) -> None:
        super().__init__(db, library, view, clock, **options)
        self.seconds = seconds
        self.lobby = lobby
        # Lobby message id -> its race and when that starts.
        self._lobbies: dict[int, tuple[LiveChallenge, float]] = {}

    def _new_session(
        self, pack: Pack, problems: list[Problem], settings: GuildSettings, started_by: int
    ) -> RaceSession:
        seconds = self.seconds * settings.timer_scale
        return RaceSession(
            pack, self.clock, problems=problems, seconds=seconds, entrants=[started_by]
        )

    async def _begin(self, live: LiveChallenge) -> None:
        """Post the lobby and start the first problem when it ends."""
        starts_at = self.clock() + self.lobby
        seconds = race_of(live).seconds
        await self.db.set_current_problem(live.session_id, 0, starts_at, starts_at + seconds)
        lobby_id = await self.view.show_lobby(live, starts_at)
        self._lobbies[lobby_id] = (live, starts_at)
        live.timer_due = starts_at
        live.timer = asyncio.create_task(self._after_lobby(live, starts_at))

    async def _after_lobby(self, live: LiveChallenge, starts_at: float) -> None:
        await self.sleep(max(0.0, starts_at - self.clock()))
        async with live.lock:
            if (
                live.timer is not asyncio.current_task()
                or self._by_channel.get(live.channel_id) is not live
            ):
                return  # stopped during the lobby
            self._drop_lobby(live)
            try:
                await self._open_next(live)
            except Exception:
                log.exception("race %d failed to start", live.session_id)
                await self._abandon(live)

    def lobby_of(self, message_id: int) -> LiveChallenge | None:
        """The race whose lobby is this message, while it takes members."""
        lobby = self._lobbies.get(message_id)
        return lobby[0] if lobby is not None else None

    async def join(self, *, message_id: int, user_id: int) -> bool:
        """Count a member into the race whose lobby is `message_id`; False if already in.

        ProblemClosed once the race has started (answering joins it then).
        """
        lobby = self._lobbies.get(message_id)
        if lobby is None:
            raise ProblemClosed(STARTED)
        live, starts_at = lobby
        async with live.lock:
            if self._lobbies.get(message_id) is not lobby:
                raise ProblemClosed(STARTED)
            joined = race_of(live).join(user_id)
        if joined:
            await self.view.show_racers(live, message_id, starts_at)
        return joined

    def _drop_lobby(self, live: LiveChallenge) -> None:
        for message_id in [m for m, (other, _) in self._lobbies.items() if other is live]:
            del self._lobbies[message_id]

    def _forget(self, live: LiveChallenge) -> None:
        self._drop_lobby(live)
        super()._forget(live)

    # -- a race's pace --------------------------------------------------------------------

    def _reveal_due(self, live: LiveChallenge) -> float:
        return race_of(live).closes_at()

    def _progress_of(self, live: LiveChallenge) -> Progress:
        return race_of(live).progress()
