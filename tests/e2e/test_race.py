"""End to end: a race against the fake Discord with the real bot.

Three members race three problems: Alice is quick, Bob is slow (he lets the last problem
run out), Carol gets one wrong and has her DMs closed. Time is a FakeClock, so every
answer's time is exact and each score can be worked out with the issue's formula.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.features.challenge.render import LETTER_EMOJI
from bot.features.common.bot import AnnealBot
from bot.runner import RunnerPool
from bot.storage import Database, SessionMode, SessionStatus
from tests.content.test_loader import write_pack
from tests.e2e.anneal import running_anneal
from tests.e2e.fake_discord import FakeDiscord, FakeMessage, FakeUser, World, title_starts
from tests.engine.conftest import FakeClock, make_problem

JOIN = "\N{WHITE HEAVY CHECK MARK}"
LOBBY = 5.0
T = 20.0  # the default time per race problem


def speed_points(taken: float) -> int:
    """The issue's formula for a right answer `taken` seconds after the problem opened."""
    return round(1000 * (1 - taken / (2 * T)))


def streak(in_a_row: int) -> int:
    """+100 for the 2nd right answer in a row, +200 for the 3rd, ... at most +500."""
    return min(100 * (in_a_row - 1), 500)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """Three problems, one per level so they come in order: answers B, C, A."""
    directory = tmp_path / "content"
    directory.mkdir()
    write_pack(
        directory,
        "tiny",
        make_problem("first", answer="B", time_limit=60),
        make_problem("second", answer="C", time_limit=60, level="intermediate"),
        make_problem("third", answer="A", time_limit=60, level="advanced"),
    )
    return directory


@pytest.fixture
def clock() -> FakeClock:
    """The races' clock: the test moves it."""
    return FakeClock()


def anneal(
    fake: FakeDiscord, database: Path, content: Path, clock: FakeClock
) -> contextlib.AbstractAsyncContextManager[AnnealBot]:
    """Anneal with a 5 s lobby; members here answer as soon as they like (no double-tap)."""
    return running_anneal(
        fake,
        database,
        content_dir=content,
        clock=clock,
        sleep=clock.sleep,
        double_tap=0.0,
        ANNEAL_RACE_LOBBY=str(LOBBY),
    )


@pytest.fixture
async def bot(
    fake_discord: FakeDiscord, tmp_path: Path, content: Path, clock: FakeClock
) -> AsyncIterator[AnnealBot]:
    """The bot on a fresh database."""
    async with anneal(fake_discord, tmp_path / "anneal.db", content, clock) as running:
        yield running


class Race:
    """Drives one race in #general: the lobby, each problem's opening time, answers."""

    def __init__(self, fake: FakeDiscord, world: World, clock: FakeClock) -> None:
        self.fake = fake
        self.world = world
        self.clock = clock
        self.channel = world.general.id
        self.opened_at = 0.0
        self.problem: FakeMessage | None = None

    async def lobby(self, *joining: FakeUser) -> FakeMessage:
        """Alice starts the race; the others click ✅; the lobby lists them all."""
        await self.fake.user_sends_message(self.channel, self.world.admin, "!race tiny")
        lobby = await self.fake.wait_for_message(self.channel, title_starts("🏁 Race: Tiny"))
        await self.fake.wait_for_reactions(lobby.id, [JOIN])
        for user in joining:
            await self.fake.user_adds_reaction(self.channel, lobby.id, user, JOIN)
        if joining:
            await self.fake.wait_for_edit(
                lobby.id, lambda m: f"Racers ({1 + len(joining)})" in str(m.embeds[0]["fields"])
            )
        return lobby

    async def next_problem(self, number: int) -> FakeMessage:
        """Wait for problem `number` and its letters; note when it opened."""
        self.problem = await self.fake.wait_for_message(
            self.channel, title_starts(f"Problem {number}/3")
        )
        self.opened_at = self.clock()  # the fake clock stands still until the test moves it
        await self.fake.wait_for_reactions(self.problem.id, [LETTER_EMOJI[x] for x in "ABCD"])
        return self.problem

    async def answer(self, user: FakeUser, letter: str, taken: float) -> None:
        """`user` reacts `letter` `taken` seconds after the problem opened."""
        assert self.problem is not None
        self.clock.advance(self.opened_at + taken - self.clock())
        await self.fake.user_adds_reaction(
            self.channel, self.problem.id, user, LETTER_EMOJI[letter]
        )
        await self.fake.wait_for_reaction_removed(self.problem.id, LETTER_EMOJI[letter], user)

    async def standings(self, number: int) -> tuple[FakeMessage, list[str], str]:
        """The reveal after problem `number`: the message, its standings lines, this
        problem's results."""
        reveal = await self.fake.wait_for_message(
            self.channel,
            lambda m: len(m.embeds) == 2 and f"problem {number}/3" in m.embeds[1]["title"],
        )
        race = reveal.embeds[1]
        return reveal, race["description"].splitlines(), race["fields"][0]["value"]


async def test_a_race_of_three_scored_by_the_formula(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World, clock: FakeClock
) -> None:
    """Scores from the event times, standings after each problem, the podium, and the
    leaderboard afterwards."""
    fake = fake_discord
    alice, bob, carol = world.admin, world.member, world.closed_dms
    race = Race(fake, world, clock)
    lobby = await race.lobby(bob, carol)
    assert "one answer each" in lobby.embeds[0]["description"]
    clock.advance(LOBBY)

    # Problem 1 (B): everyone answers, so it closes at Carol's answer, not at T.
    problem = await race.next_problem(1)
    assert [f["value"] for f in problem.embeds[0]["fields"] if f["name"] == "Attempts"] == [
        "1 attempt each"
    ]
    assert "💡" not in fake.state.messages[problem.id].reactions
    await race.answer(alice, "B", 2.0)
    assert (await fake.wait_for_dm(alice)).content == (
        f"✅ B is right! +{speed_points(2.0)} points ({speed_points(2.0)} for 2.0 s)."
    )
    await race.answer(bob, "B", 5.0)
    await race.answer(carol, "D", 12.0)
    note = await fake.wait_for_message(
        race.channel, lambda m: m.content.startswith(f"<@{carol.id}>")
    )
    assert "not right" in note.content
    reveal, lines, results = await race.standings(1)
    assert reveal.embeds[0]["title"].startswith("Answer: B)")
    assert "Solved by" not in {f["name"] for f in reveal.embeds[0]["fields"]}  # the race's own
    assert lines == [
        f"🥇 <@{alice.id}> · **{speed_points(2.0)}** · 1 right",
        f"🥈 <@{bob.id}> · **{speed_points(5.0)}** · 1 right",
        f"🥉 <@{carol.id}> · **0** · 0 right",
    ]
    assert results.splitlines()[-1] == f"❌ <@{carol.id}> · 12.0 s"

    # Problem 2 (C): Bob is slow; Alice's second right answer in a row earns +100.
    await race.next_problem(2)
    await race.answer(carol, "C", 1.0)
    await race.answer(alice, "C", 4.0)
    second = speed_points(4.0) + streak(2)
    assert (await fake.wait_for_dm(alice)).content == (
        f"✅ C is right! +{second:,} points ({speed_points(4.0)} for 4.0 s, +100 for 2 in a row)."
    )
    await race.answer(bob, "C", 18.0)
    _, lines, results = await race.standings(2)
    alice_total = speed_points(2.0) + second
    carol_total = speed_points(1.0)
    bob_total = speed_points(5.0) + speed_points(18.0) + streak(2)
    assert lines[0] == f"🥇 <@{alice.id}> · **{alice_total:,}** · 2 right"
    assert results.splitlines()[0].startswith(f"✅ <@{carol.id}> · +{carol_total} · 1.0 s")

    # Problem 3 (A): Alice slips, Carol's run of two earns +100, Bob lets it run out.
    await race.next_problem(3)
    await race.answer(alice, "B", 3.0)
    assert "In a race that answer is final" in (await fake.wait_for_dm(alice)).content
    await race.answer(carol, "A", 6.0)
    carol_total += speed_points(6.0) + streak(2)
    clock.advance(race.opened_at + T - clock())  # Bob is still waited for: until T
    await race.standings(3)
    podium = await fake.wait_for_message(race.channel, title_starts("🏁 Tiny: race finished"))
    assert podium.embeds[0]["description"].splitlines() == [
        f"🥇 <@{alice.id}> · **{alice_total:,}** · 2 right · best run 2",
        f"🥈 <@{carol.id}> · **{carol_total:,}** · 2 right · best run 2",
        f"🥉 <@{bob.id}> · **{bob_total:,}** · 2 right · best run 2",
    ]

    await fake.user_sends_message(race.channel, bob, "!leaderboard")
    board = await fake.wait_for_message(race.channel, title_starts("🏆"))
    board_lines = [line for line in board.embeds[0]["description"].splitlines() if "pts" in line]
    assert board_lines == [
        f"🥇 **Alice** · {alice_total:,} pts · 2/3 correct",
        f"🥈 **Carol** · {carol_total:,} pts · 2/3 correct",
        f"🥉 **Bob** · {bob_total:,} pts · 2/2 correct ← you",
    ]
    async with await Database.open(bot.services.db.path) as db:
        assert await db.open_sessions((SessionMode.RACE,)) == []


async def test_slash_race_start_and_stop(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """/race start opens the lobby and answers the interaction; /race stop calls it off."""
    fake = fake_discord
    started = await fake.user_uses_slash_command(
        world.guild.id,
        world.challenges.id,
        world.member,
        "race start",
        {"pack": "tiny", "count": "2"},
    )
    assert (await fake.interaction_response(started.id)).response_type == 5  # deferred
    lobby = await fake.wait_for_message(world.challenges.id, title_starts("🏁 Race: Tiny"))
    assert lobby.embeds[0]["description"].startswith("2 problems, 20 s each")
    await fake.wait_for_interaction_message(started.id)
    stopped = await fake.user_uses_slash_command(
        world.guild.id, world.challenges.id, world.member, "race stop"
    )
    await fake.wait_for_interaction_message(stopped.id, lambda m: "called off" in m.content)
    podium = await fake.wait_for_message(
        world.challenges.id, title_starts("🏁 Tiny: race called off")
    )
    assert podium.embeds[0]["description"] == "Nobody answered this time."


async def test_pack_autocomplete_for_slash_race(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """/race start suggests the packs as their id is typed."""
    typed = await fake_discord.user_autocompletes(
        world.guild.id, world.general.id, world.member, "race start", {"pack": "ti"}, "pack"
    )
    answered = await fake_discord.interaction_response(typed.id)
    assert [c["value"] for c in answered.choices] == ["tiny"]


async def test_one_race_or_challenge_per_channel(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """A race in a channel with a challenge running is refused, and the other way round."""
    fake = fake_discord
    await fake.user_sends_message(world.general.id, world.admin, "!challenge start tiny")
    await fake.wait_for_message(world.general.id, title_starts("Problem 1/"))
    await fake.user_sends_message(world.general.id, world.member, "!race")
    refused = await fake.wait_for_message(
        world.general.id, lambda m: "already running" in m.content
    )
    assert "challenge or a race is already running in this channel" in refused.content
    await fake.user_sends_message(world.challenges.id, world.member, "!race tiny 2")
    await fake.wait_for_message(world.challenges.id, title_starts("🏁 Race: Tiny"))
    await fake.user_sends_message(world.challenges.id, world.admin, "!challenge start tiny")
    again = await fake.wait_for_message(
        world.challenges.id, lambda m: "already running" in m.content
    )
    assert "race" in again.content


async def test_a_restart_mid_race_goes_on_with_the_streak(
    fake_discord: FakeDiscord, world: World, tmp_path: Path, content: Path, clock: FakeClock
) -> None:
    """The bot goes down during problem 2; back, it says so, the problem keeps its time,
    and Alice's right answer still counts her run of two."""
    fake = fake_discord
    database = tmp_path / "restart.db"
    race = Race(fake, world, clock)
    async with anneal(fake, database, content, clock):
        await race.lobby(world.member)
        clock.advance(LOBBY)
        await race.next_problem(1)
        await race.answer(world.admin, "B", 1.0)
        await race.answer(world.member, "B", 2.0)
        await race.standings(1)
        await race.next_problem(2)
    async with anneal(fake, database, content, clock):
        back = await fake.wait_for_message(race.channel, lambda m: "I'm back" in m.content)
        assert "Problem 2/3 is still open" in back.content
        await race.answer(world.admin, "C", 3.0)
        dm = await fake.wait_for_dm(world.admin, lambda m: "C is right" in m.content)
        assert f"+{speed_points(3.0) + streak(2):,} points" in dm.content
    async with await Database.open(database) as db:
        (stored,) = await db.open_sessions((SessionMode.RACE,))
        assert stored.status is SessionStatus.OPEN
        attempts = await db.attempts_for_session(stored.id)
        assert [a.points for a in attempts if a.user_id == world.admin.id] == [
            speed_points(1.0),
            speed_points(3.0) + streak(2),
        ]


async def test_run_keeps_a_race_problem_to_itself_while_it_is_in_play(
    fake_discord: FakeDiscord, world: World, tmp_path: Path, content: Path, clock: FakeClock
) -> None:
    """From the lobby on, `!run <id>` of the race's problems is refused in that server
    (the refusal comes before any torch worker is asked, so none is started here)."""
    fake = fake_discord
    pool = RunnerPool(size=1)
    try:
        async with running_anneal(
            fake,
            tmp_path / "leak.db",
            runner=pool,
            content_dir=content,
            clock=clock,
            sleep=clock.sleep,
        ):
            await Race(fake, world, clock).lobby()
            await fake.user_sends_message(world.challenges.id, world.member, "!run second")
            refused = await fake.wait_for_message(world.challenges.id)
            assert "still in play" in refused.content
    finally:
        await pool.close()
