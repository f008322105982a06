"""How the RaceManager's races look in Discord: the challenge's view, with the race's
problem footer, no hint bulb, the standings with each reveal, and the podium."""

from __future__ import annotations

import discord

from bot.challenges import LiveChallenge
from bot.challenges.race import race_of
from bot.engine.pace import Progress
from bot.engine.problems import Problem
from bot.engine.session import OpenProblem, Reveal, Summary
from bot.features.challenge import render as challenge
from bot.features.challenge.view import DiscordChallengeView
from bot.features.common.outgoing import edits_lane, reactions_lane
from bot.features.race import render
from bot.features.run.variants import variant_hint
from bot.storage import SessionStatus


class DiscordRaceView(DiscordChallengeView):
    """Shows the race manager's races in Discord channels."""

    def problem_embed(self, opened: OpenProblem, progress: Progress) -> discord.Embed:
        """A race problem, with how many racers answered and how many it waits for."""
        return render.problem_embed(opened, progress)

    def problem_emojis(self, problem: Problem) -> list[str]:
        """The option letters only: a race has no hints."""
        return render.problem_emojis(problem)

    async def show_lobby(self, live: LiveChallenge, starts_at: float) -> int:
        """Post the lobby with its ✅ to click; returns its message id."""
        channel = await self.channel(live.channel_id)
        embed = self._lobby(live, starts_at)
        message = await channel.send(embed=embed)
        self.bot.outgoing.submit(
            reactions_lane(live.channel_id),
            lambda: message.add_reaction(render.JOIN_EMOJI),
            what=f"the join reaction under race lobby {message.id}",
            first=True,
        )
        return message.id

    async def show_racers(self, live: LiveChallenge, lobby_id: int, starts_at: float) -> None:
        """Queue an edit of the lobby listing who has joined (the newest replaces a waiting one)."""
        message = self.bot.get_partial_messageable(live.channel_id).get_partial_message(lobby_id)
        embed = self._lobby(live, starts_at)
        self.bot.outgoing.submit(
            edits_lane(live.channel_id),
            lambda: message.edit(embed=embed),
            what=f"the racers of lobby {lobby_id}",
            key=("racers", lobby_id),
        )

    def _lobby(self, live: LiveChallenge, starts_at: float) -> discord.Embed:
        prefix = self.bot.services.settings.prefix
        return render.lobby_embed(live.pack, race_of(live), starts_at, prefix=prefix)

    async def show_reveal(self, live: LiveChallenge, reveal: Reveal) -> None:
        """Post the answer (as a challenge shows it) with the race's standings under it."""
        race = race_of(live)
        index = [p.id for p in race.problems].index(reveal.problem.id)
        variant = variant_hint(reveal.problem, self.bot.services.settings.prefix)
        channel = await self.channel(live.channel_id)
        await channel.send(
            embeds=[
                challenge.reveal_embed(reveal, variant, solvers=False),
                render.standings_embed(race, index),
            ]
        )

    async def show_summary(
        self, live: LiveChallenge, summary: Summary, new_badges: list[int], status: SessionStatus
    ) -> None:
        """Post the podium when the race ends or is called off."""
        channel = await self.channel(live.channel_id)
        await channel.send(embed=render.podium_embed(race_of(live), new_badges, status))
