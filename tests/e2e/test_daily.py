"""End to end: the daily problem against the fake Discord, on an injected clock.

A schedule set a minute ahead posts once at its time; after a restart on the same
database the missed posting time is caught up at once (Monday's answer, then today's
problem), once; reactions answer it privately like a challenge problem; `!daily` and
`!profile` show the streak; `!admin daily` refuses bad times and zones with an example.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.features.challenge.render import HINT_EMOJI, LETTER_EMOJI
from tests.content.test_loader import pack_directory
from tests.e2e.anneal import Restartable, restartable
from tests.e2e.fake_discord import FakeDiscord, FakeMessage, FakeUser, World, title_starts
from tests.engine.conftest import FakeClock, make_problem

A, B, C, D = (LETTER_EMOJI[letter] for letter in "ABCD")
MONDAY_0859 = datetime(2025, 3, 3, 8, 59, tzinfo=UTC).timestamp()
DAY = 86_400.0
KINDS = ("conceptual", "debug", "metrics", "model_choice")


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """The pack `daily`: four problems of four kinds, every answer B."""
    problems = (
        make_problem(f"daily-{kind.replace('_', '-')}", answer="B", kind=kind) for kind in KINDS
    )
    return pack_directory(tmp_path, "daily", *problems)


@pytest.fixture
def clock() -> FakeClock:
    """The bot's clock: Monday 3 March 2025, 08:59 UTC; shared across restarts."""
    return FakeClock(MONDAY_0859)


@pytest.fixture
def anneal(
    fake_discord: FakeDiscord, tmp_path: Path, content: Path, clock: FakeClock
) -> Restartable:
    """Starts the bot (again) on the same database and clock."""
    return restartable(fake_discord, tmp_path / "anneal.db", clock, content_dir=content)


async def say(fake: FakeDiscord, world: World, user: FakeUser, text: str) -> FakeMessage:
    """`text` in #general as `user`; the bot's reply."""
    await fake.user_sends_message(world.general.id, user, text)
    return await fake.wait_for_message(world.general.id)


def daily_posts(fake: FakeDiscord, world: World) -> list[FakeMessage]:
    """The daily problems posted in #general so far."""
    return [
        message
        for message in fake.messages_in(world.general.id)
        if message.author_id == world.bot.id
        and message.embeds
        and message.embeds[0].get("author", {}).get("name", "").startswith("Daily problem ·")
    ]


def field(embed: dict[str, object], name: str) -> str:
    """The value of an embed's field called `name`."""
    fields = embed.get("fields", [])
    assert isinstance(fields, list)
    return next(str(f["value"]) for f in fields if f["name"] == name)


async def scheduled_for_nine(fake: FakeDiscord, world: World) -> FakeMessage:
    """alice sets the daily problem for 09:00 UTC in #general; her reply."""
    reply = await say(fake, world, world.admin, f"!admin daily <#{world.general.id}> 09:00")
    assert reply.content.startswith("📅 A daily problem is posted every day at **09:00** (UTC)")
    return reply


async def posted(fake: FakeDiscord, world: World) -> FakeMessage:
    """The next daily problem posted in #general, once its reactions are on."""
    message = await fake.wait_for_message(
        world.general.id,
        lambda m: (
            bool(m.embeds) and m.embeds[0].get("author", {}).get("name", "").startswith("Daily")
        ),
    )
    await fake.wait_for_reactions(message.id, [A, B, C, D, HINT_EMOJI])
    return message


async def test_a_schedule_a_minute_ahead_posts_once_and_a_restart_catches_up_once(
    anneal: Restartable, fake_discord: FakeDiscord, world: World, clock: FakeClock
) -> None:
    """Set at 08:59 for 09:00: nothing until 09:00, then one problem; bob answers it by
    reaction (told privately). Down from Monday to Tuesday 09:10: at restart Monday's
    answer (naming bob) comes, then Tuesday's problem, each once."""
    fake = fake_discord
    async with anneal():
        reply = await scheduled_for_nine(fake, world)
        assert f"<t:{int(MONDAY_0859 + 60)}:R>" in reply.content
        assert daily_posts(fake, world) == []
        clock.advance(60)
        monday = await posted(fake, world)
        embed = monday.embeds[0]
        assert embed["author"]["name"] == "Daily problem · Monday 3 March 2025"
        assert f"<t:{int(MONDAY_0859 + 60 + DAY)}:R>" in field(embed, "Open until")
        await fake.user_adds_reaction(world.general.id, monday.id, world.member, B)
        assert (await fake.wait_for_dm(world.member)).content == "✅ B is right! +100 points."
        await fake.wait_for_reaction_removed(monday.id, B, world.member)
        clock.advance(3 * 3600)
        assert len(daily_posts(fake, world)) == 1
    clock.advance(DAY - 3 * 3600 + 600)  # Tuesday 09:10: the 09:00 post was missed
    async with anneal():
        reveal = await fake.wait_for_message(
            world.general.id,
            lambda m: bool(m.embeds) and m.embeds[0]["title"].startswith("Answer: B)"),
        )
        author = reveal.embeds[0]["author"]
        assert author["name"] == "📅 The answer to the daily problem of Monday 3 March 2025"
        assert author["url"].endswith(f"/{monday.id}")
        assert field(reveal.embeds[0], "Solved by") == f"First try: <@{world.member.id}>"
        tuesday = await posted(fake, world)
        assert tuesday.embeds[0]["author"]["name"] == "Daily problem · Tuesday 4 March 2025"
        assert tuesday.embeds[0]["title"] != monday.embeds[0]["title"]
        clock.advance(3600)
        await say(fake, world, world.member, "!help")  # a round trip: the loop had its turn
        assert len(daily_posts(fake, world)) == 2


async def test_a_restart_on_the_same_day_takes_the_open_problem_up_without_reposting(
    anneal: Restartable, fake_discord: FakeDiscord, world: World, clock: FakeClock
) -> None:
    """Restarted at 10:00 the same day: no second post; a pick made while it was down is
    read back and judged; the problem still takes reactions."""
    fake = fake_discord
    async with anneal():
        await scheduled_for_nine(fake, world)
        clock.advance(60)
        monday = await posted(fake, world)
    clock.advance(3600)
    await fake.user_adds_reaction(world.general.id, monday.id, world.member, B)
    async with anneal():
        assert (await fake.wait_for_dm(world.member)).content == "✅ B is right! +100 points."
        await fake.user_adds_reaction(world.general.id, monday.id, world.admin, A)
        assert (await fake.wait_for_dm(world.admin)).content.startswith("❌ A is not it.")
        assert len(daily_posts(fake, world)) == 1


async def test_streaks_show_in_daily_and_in_profile(
    anneal: Restartable, fake_discord: FakeDiscord, world: World, clock: FakeClock
) -> None:
    """bob solves Monday's and Tuesday's problems: `!daily` shows his run of 2 and the
    server's best streaks; `!profile` shows it too; alice, who never answered, has none."""
    fake = fake_discord
    async with anneal():
        await scheduled_for_nine(fake, world)
        for _ in range(2):
            clock.advance(60 if not daily_posts(fake, world) else DAY)
            problem = await posted(fake, world)
            await fake.user_adds_reaction(world.general.id, problem.id, world.member, B)
            await fake.wait_for_dm(world.member)
        await fake.user_sends_message(world.general.id, world.member, "!daily")
        title = f"📅 Daily problem · {world.guild.name}"
        daily = (await fake.wait_for_message(world.general.id, title_starts(title))).embeds[0]
        assert f"/{problem.id})**" in daily["description"]
        assert field(daily, "Your streak") == "🔥 2 days in a row: you solved today's ✅"
        assert field(daily, "Best streaks here") == f"1. <@{world.member.id}> · 2 days"
        await fake.user_sends_message(world.general.id, world.member, "!profile")
        profile = (await fake.wait_for_message(world.general.id, title_starts("📇"))).embeds[0]
        assert field(profile, "Daily streak") == "🔥 2 days in a row"
        slash = await fake.user_uses_slash_command(
            world.guild.id, world.general.id, world.admin, "daily"
        )
        answered = await fake.wait_for_interaction_message(slash.id)  # deferred, then sent
        [embed] = answered.embeds
        assert field(embed, "Your streak").startswith("None yet: solve today's problem")


async def test_now_off_and_show(
    anneal: Restartable, fake_discord: FakeDiscord, world: World, clock: FakeClock
) -> None:
    """`now` needs a schedule; it posts today's at once and only once; `off` stops the
    posts (today's stays open); `!admin daily` says what is scheduled."""
    fake = fake_discord
    async with anneal():
        refused = await say(fake, world, world.admin, "!admin daily now")
        assert refused.content.startswith("Daily problems are off here: start them first")
        await scheduled_for_nine(fake, world)
        shown = await say(fake, world, world.admin, "!admin daily")
        assert shown.content.startswith("📅 Daily problems: every day at **09:00** (UTC)")
        await fake.user_sends_message(world.general.id, world.admin, "!admin daily now")
        problem = await posted(fake, world)
        out = await fake.wait_for_message(world.general.id, lambda m: "is out" in m.content)
        assert out.content == (
            "📅 Today's daily problem is out: "
            f"https://discord.com/channels/{world.guild.id}/{world.general.id}/{problem.id}"
        )
        again = await say(fake, world, world.admin, "!admin daily now")
        assert again.content.startswith("Today's daily problem is already out: https://")
        clock.advance(60)  # 09:00: today's is out already
        off = await say(fake, world, world.admin, "!admin daily off")
        assert off.content.startswith("Daily problems are off; no new one will be posted.")
        assert f"<t:{int(MONDAY_0859 + 60 + DAY)}:R>" in off.content
        assert len(daily_posts(fake, world)) == 1
        shown = await say(fake, world, world.admin, "!admin daily show")
        assert shown.content.startswith("Daily problems are off. Start them with")


async def test_bad_times_and_zones_are_explained_with_an_example(
    anneal: Restartable, fake_discord: FakeDiscord, world: World
) -> None:
    """A time that is none, an unknown zone, a missing time: each says what would do;
    a member without Manage Server is refused; nothing is scheduled."""
    fake = fake_discord
    channel = f"<#{world.general.id}>"
    async with anneal() as bot:
        late = await say(fake, world, world.admin, f"!admin daily {channel} 25:00")
        assert late.content == (
            "`25:00` is not a time of day: use the 24-hour clock, HH:MM, e.g. `09:00` or `18:30`."
        )
        zone = await say(fake, world, world.admin, f"!admin daily {channel} 09:00 Europe/Pariss")
        assert (
            zone.content
            == "`Europe/Pariss` is not a time zone I know. Did you mean `Europe/Paris`?"
        )
        missing = await say(fake, world, world.admin, f"!admin daily {channel}")
        assert missing.content.startswith(
            f"At what time? For example `!admin daily {channel} 09:00"
        )
        member = await say(fake, world, world.member, f"!admin daily {channel} 09:00")
        assert member.content == "Only members with **Manage Server** can do that."
        assert await bot.services.db.daily_schedule(world.guild.id) is None


async def test_slash_admin_daily_set_with_a_zone_from_autocomplete(
    anneal: Restartable, fake_discord: FakeDiscord, world: World, clock: FakeClock
) -> None:
    """`/admin daily set` suggests zones as they are typed and stores the one picked; the
    posting time is then local (09:00 in Paris is 08:00 UTC in March)."""
    fake = fake_discord
    async with anneal() as bot:
        typed = await fake.user_autocompletes(
            world.guild.id,
            world.general.id,
            world.admin,
            "admin daily set",
            {"channel": world.general, "time": "09:00", "timezone": "paris"},
            "timezone",
        )
        suggested = await fake.interaction_response(typed.id)
        assert [choice["value"] for choice in suggested.choices] == ["Europe/Paris"]
        used = await fake.user_uses_slash_command(
            world.guild.id,
            world.general.id,
            world.admin,
            "admin daily set",
            {"channel": world.general, "time": "09:00", "timezone": "Europe/Paris"},
        )
        message = await fake.wait_for_interaction_message(used.id)
        tuesday_eight_utc = int(datetime(2025, 3, 4, 8, 0, tzinfo=UTC).timestamp())
        assert "(Europe/Paris)" in message.content
        assert f"<t:{tuesday_eight_utc}:R>" in message.content
        stored = await bot.services.db.daily_schedule(world.guild.id)
        assert stored is not None
        assert (stored.timezone, stored.minute) == ("Europe/Paris", 540)


async def test_the_hint_comes_by_dm_and_a_closed_dm_is_told_in_the_channel(
    anneal: Restartable, fake_discord: FakeDiscord, world: World, clock: FakeClock
) -> None:
    """💡 on the daily problem DMs the hint (it costs points); carol, whose DMs are closed,
    is told in the channel to open them, since the daily problem has no /hint."""
    fake = fake_discord
    async with anneal():
        await scheduled_for_nine(fake, world)
        clock.advance(60)
        problem = await posted(fake, world)
        await fake.user_adds_reaction(world.general.id, problem.id, world.member, HINT_EMOJI)
        hint = await fake.wait_for_dm(world.member)
        assert hint.content == "💡 Hint (it costs points): It is not one."
        await fake.user_adds_reaction(world.general.id, problem.id, world.closed_dms, HINT_EMOJI)
        note = await fake.wait_for_message(world.general.id, lambda m: "hint" in m.content)
        assert note.content == (
            f"<@{world.closed_dms.id}> I can't DM you the daily problem's hint: "
            "open your DMs to get it."
        )
        await fake.user_adds_reaction(world.general.id, problem.id, world.member, B)
        assert (await fake.wait_for_dm(world.member)).content == "✅ B is right! +70 points."
