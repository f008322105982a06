"""End to end: `!review` and its daily reminder against the fake Discord.

A miss is made the way members make one, by reacting wrong to a challenge problem; the
bot's clock is a FakeClock, so "ten minutes later" and "the next day" are moves of it.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.challenges.reminders import ReviewReminders
from bot.engine.review import DEFAULT_STEPS
from bot.features.challenge.render import LETTER_EMOJI
from bot.features.common.bot import AnnealBot
from bot.features.review.cog import ReviewCog
from tests.content.test_loader import write_pack
from tests.e2e.anneal import running_anneal
from tests.e2e.fake_discord import FakeDiscord, FakeMessage, FakeUser, World, title_starts
from tests.engine.conftest import FakeClock, make_problem

FIRST = DEFAULT_STEPS.intervals[0]
DAY = 86_400.0


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """One pack of two problems: `first` (answer B) and `second` (answer C)."""
    directory = tmp_path / "content"
    directory.mkdir()
    write_pack(
        directory,
        "tiny",
        make_problem("first", answer="B", time_limit=60),
        make_problem("second", answer="C", time_limit=60, level="intermediate"),
    )
    return directory


@pytest.fixture
def clock() -> FakeClock:
    """The bot's clock, at 06:00 UTC of a day, so a day's moves stay on that day."""
    return FakeClock(start=20_000 * DAY + DAY / 4)


@pytest.fixture
async def bot(
    fake_discord: FakeDiscord, tmp_path: Path, content: Path, clock: FakeClock
) -> AsyncIterator[AnnealBot]:
    """Anneal on the tiny pack, its clock (challenge timers and reminders) the fake one."""
    async with running_anneal(
        fake_discord,
        tmp_path / "anneal.db",
        content_dir=content,
        clock=clock,
        sleep=clock.sleep,
        double_tap=0.0,
    ) as running:
        yield running


async def miss_first_problem(fake: FakeDiscord, world: World, player: FakeUser) -> None:
    """Alice starts the pack; `player` reacts A (wrong) to the first problem and is told
    (by DM, or with DMs closed by a note in the channel): the miss is stored by then."""
    await fake.user_sends_message(world.general.id, world.admin, "!challenge start tiny")
    problem = await fake.wait_for_message(world.general.id, title_starts("Problem 1/"))
    await fake.wait_for_reactions(problem.id, [LETTER_EMOJI["A"]])
    await fake.user_adds_reaction(world.general.id, problem.id, player, LETTER_EMOJI["A"])
    if player.id == world.closed_dms.id:
        mention = f"<@{player.id}>"
        await fake.wait_for_message(world.general.id, lambda m: m.content.startswith(mention))
    else:
        await fake.wait_for_dm(player, lambda m: "A is not it" in m.content)


def reminders_of(bot: AnnealBot) -> ReviewReminders:
    """The review cog's reminder loop."""
    cog = bot.get_cog("Review")
    assert isinstance(cog, ReviewCog)
    return cog.reminders


async def checked(fake: FakeDiscord, bot: AnnealBot, clock: FakeClock) -> None:
    """Wait until the reminder loop has finished its check at the clock's time."""
    reminders = reminders_of(bot)
    await fake.wait_for(
        lambda: True if reminders.last_check == clock() else None, what="a reminder check"
    )


# How the bot's replies to `!review ...` begin (its challenge posts and notes do not).
REPLIES = ("Nothing", "Review", "⚠️", "`!review", "I can't DM you", "📬", "Stopped")


async def ask(fake: FakeDiscord, world: World, player: FakeUser, text: str) -> FakeMessage:
    """`player` sends `text` in #general; the bot's reply there."""
    await fake.user_sends_message(world.general.id, player, text)
    return await fake.wait_for_message(
        world.general.id,
        lambda m: m.content.startswith(REPLIES),
    )


async def test_review_with_an_empty_queue_says_how_it_fills(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """A newcomer's `!review`: nothing to review, and misses come back 10m later."""
    reply = await ask(fake_discord, world, world.member, "!review")
    assert reply.content.startswith("Nothing to review: your queue is empty.")
    assert "comes back here 10 minutes later" in reply.content


async def test_a_miss_is_queued_and_review_says_when_it_is_due(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World, clock: FakeClock
) -> None:
    """After a wrong reaction, `!review` says nothing is due yet, when it will be (a
    Discord timestamp ten minutes after the miss) and that one is queued."""
    missed_at = clock()
    await miss_first_problem(fake_discord, world, world.member)
    reply = await ask(fake_discord, world, world.member, "!review")
    due = re.search(r"next <t:(\d+):R>; 1 queued", reply.content)
    assert due is not None, reply.content
    assert int(due[1]) == round(missed_at + FIRST)


async def test_slash_review_answers_privately(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`/review` answers in an ephemeral reply."""
    interaction = await fake_discord.user_uses_slash_command(
        world.guild.id, world.general.id, world.member, "review"
    )
    reply = await fake_discord.wait_for_interaction_message(interaction.id)
    assert reply.content.startswith("Nothing to review")
    assert reply.is_ephemeral


async def dm_problem(fake: FakeDiscord, user: FakeUser, number: int) -> FakeMessage:
    """The DM posting problem `number` of a run, once its reactions are on."""
    posted = await fake.wait_for_dm(user, title_starts(f"Problem {number}/"))
    await fake.wait_for_reactions(posted.id, [LETTER_EMOJI[letter] for letter in "ABCD"])
    return posted


async def test_once_due_review_plays_the_miss_in_dms_and_moves_it_on(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World, clock: FakeClock
) -> None:
    """Ten minutes after the miss, `!review` says "check your DMs"; the problem comes in a
    DM, a right reaction gets the explanation, and the problem is next due a day later."""
    fake, bob = fake_discord, world.member
    await miss_first_problem(fake, world, bob)
    clock.advance(FIRST)
    await fake.user_sends_message(world.general.id, bob, "!review")
    reply = await fake.wait_for_message(world.general.id, lambda m: "Check your DMs" in m.content)
    assert "**Review: what you missed**, 1 problem" in reply.content
    intro = await fake.wait_for_dm(bob, lambda m: "no timer" in m.content)
    assert "`!review stop` ends the run early" in intro.content
    problem = await dm_problem(fake, bob, 1)
    assert problem.embeds[0]["title"] == "Problem 1/1 · Problem first"
    reviewed_at = clock()
    await fake.user_adds_reaction(fake.dm_channel(bob).id, problem.id, bob, LETTER_EMOJI["B"])
    verdict = await fake.wait_for_dm(bob, lambda m: bool(m.embeds) and "Right" in str(m.embeds))
    assert verdict.embeds[0]["title"] == "✅ Right: B) two"
    await fake.wait_for_dm(bob, title_starts("🏁 Review: what you missed: 1/1 right"))
    [entry] = await bot.services.db.review_entries(bob.id)
    assert (entry.step, entry.due_at) == (1, reviewed_at + DEFAULT_STEPS.intervals[1])
    after = await ask(fake, world, bob, "!review")
    assert after.content.startswith(
        f"Nothing due for review; next <t:{round(reviewed_at + DAY)}:R>; 1 queued."
    )


async def test_remind_on_sends_one_dm_a_day_when_something_is_due(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World, clock: FakeClock
) -> None:
    """`!review remind on`, then a miss: one DM once it is due, none more that day, and
    one the next day while it is still due."""
    fake = fake_discord
    reply = await ask(fake, world, world.member, "!review remind on")
    assert reply.content.startswith("Review reminders are on")
    await miss_first_problem(fake, world, world.member)

    def reminders_sent() -> list[FakeMessage]:
        dms = fake.messages_in(fake.dm_channel(world.member).id)
        return [m for m in dms if "due for review" in m.content]

    clock.advance(FIRST)
    await checked(fake, bot, clock)
    reminder = await fake.wait_for_dm(world.member, lambda m: "due for review" in m.content)
    assert reminder.content.startswith("📚 1 problem you missed is due for review.")
    for _ in range(6):  # every 5 minutes for half an hour: still the same day
        clock.advance(300)
        await checked(fake, bot, clock)
    assert len(reminders_sent()) == 1
    clock.advance(DAY)
    await checked(fake, bot, clock)
    await fake.wait_for(lambda: True if len(reminders_sent()) == 2 else None)


async def test_closed_dms_turn_reminders_off_and_review_says_so(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World, clock: FakeClock
) -> None:
    """Carol (DMs closed) asks for reminders; the DM fails, reminders stop, and her next
    `!review` says why and how to turn them back on (once), beside how to open her DMs
    (her review cannot be played there)."""
    fake = fake_discord
    await ask(fake, world, world.closed_dms, "!review remind on")
    await miss_first_problem(fake, world, world.closed_dms)
    clock.advance(FIRST)
    await checked(fake, bot, clock)
    stored = await bot.services.db.review_reminder(world.closed_dms.id)
    assert stored is not None
    assert (stored.enabled, stored.dms_closed_at) == (False, clock())
    reply = await ask(fake, world, world.closed_dms, "!review")
    notice, how_to_open = reply.content.split("\n")
    assert notice.startswith("⚠️ I couldn't DM you your review reminder")
    assert "`!review remind on` turns them back on" in notice
    assert how_to_open.startswith("I can't DM you: your direct messages are closed")
    again = await ask(fake, world, world.closed_dms, "!review")
    assert again.content.startswith("I can't DM you")  # the notice is told once


async def test_review_is_a_slash_command_with_action_choices_and_works_in_dms(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`/review` is offered in DMs too, its `action` option choosing reminders on or off or
    stop; `!review` in a DM answers there, and a typo after it gets every spelling."""
    synced = fake_discord.state.commands[None]["review"]
    assert synced.get("dm_permission", True) is True
    [action] = synced["options"]
    assert (action["name"], action["required"]) == ("action", False)
    assert [c["value"] for c in action["choices"]] == ["remind on", "remind off", "stop"]
    await fake_discord.user_sends_dm(world.member, "!review")
    reply = await fake_discord.wait_for_dm(world.member)
    assert reply.content.startswith("Nothing to review")
    await fake_discord.user_sends_dm(world.member, "!review remind maybe")
    refused = await fake_discord.wait_for_dm(world.member)
    assert "`!review remind on` (or `off`)" in refused.content


async def test_slash_review_remind_on_turns_reminders_on(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World
) -> None:
    """`/review action:remind on` stores the choice and answers privately."""
    interaction = await fake_discord.user_uses_slash_command(
        world.guild.id, world.general.id, world.member, "review", {"action": "remind on"}
    )
    answered = await fake_discord.wait_for_interaction_message(interaction.id)
    assert answered.content.startswith("Review reminders are on")
    stored = await bot.services.db.review_reminder(world.member.id)
    assert stored is not None
    assert stored.enabled


async def test_review_again_reposts_the_open_one_and_stop_ends_it(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World, clock: FakeClock
) -> None:
    """`!review` during a review posts its problem again (no new run); `!review stop` ends
    it with its summary in DMs, and the unanswered problem stays due."""
    fake, bob = fake_discord, world.member
    await miss_first_problem(fake, world, bob)
    clock.advance(FIRST)
    await fake.user_sends_message(world.general.id, bob, "!review")
    await fake.wait_for_message(world.general.id, lambda m: "Check your DMs" in m.content)
    first = await dm_problem(fake, bob, 1)
    again = await ask(fake, world, bob, "!review")
    assert again.content.startswith(
        "📬 **Review: what you missed** goes on in your DMs: problem 1/1 is posted there again."
    )
    reposted = await dm_problem(fake, bob, 1)
    assert reposted.id != first.id
    await fake.user_sends_message(world.general.id, bob, "!review stop")
    stopped = await fake.wait_for_message(world.general.id, lambda m: "Stopped" in m.content)
    assert stopped.content == "Stopped **Review: what you missed**: your summary is in your DMs."
    await fake.wait_for_dm(bob, title_starts("🏁 Review: what you missed: 0/0 right"))
    assert [e.problem_id for e in (await bot.services.db.review_queue(bob.id, clock())).due] == [
        "first"
    ]


async def test_profile_shows_the_review_queue(
    bot: AnnealBot, fake_discord: FakeDiscord, world: World, clock: FakeClock
) -> None:
    """After a miss, `!profile` has a Review line: one in review, due once its time comes."""
    fake, bob = fake_discord, world.member
    await miss_first_problem(fake, world, bob)

    async def review_field() -> str:
        await fake.user_sends_message(world.general.id, bob, "!profile")
        card = await fake.wait_for_message(world.general.id, title_starts("📇"))
        return next(str(f["value"]) for f in card.embeds[0]["fields"] if f["name"] == "🔁 Review")

    assert await review_field() == "1 in review, 0 due · `!review`"
    clock.advance(FIRST)
    assert await review_field() == "1 in review, 1 due · `!review`"


async def test_the_review_steps_setting_reaches_the_bot(
    fake_discord: FakeDiscord, world: World, tmp_path: Path, content: Path, clock: FakeClock
) -> None:
    """With ANNEAL_REVIEW_STEPS=1m,1h a miss is due a minute later, and `!review` says so."""
    async with running_anneal(
        fake_discord,
        tmp_path / "anneal.db",
        content_dir=content,
        clock=clock,
        sleep=clock.sleep,
        double_tap=0.0,
        ANNEAL_REVIEW_STEPS="1m,1h",
    ):
        empty = await ask(fake_discord, world, world.member, "!review")
        assert "comes back here 1 minute later" in empty.content
        missed_at = clock()
        await miss_first_problem(fake_discord, world, world.member)
        reply = await ask(fake_discord, world, world.member, "!review")
        assert f"next <t:{round(missed_at + 60)}:R>; 1 queued" in reply.content
