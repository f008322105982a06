"""The fake Discord, proven with a real discord.py 2.7 bot defined here."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.e2e.fake_discord import BOT_PERMISSIONS, FakeDiscord, P, World, running_client

CHOICES = ["🇦", "🇧", "🇨", "🇩", "💡"]


def make_png(width: int = 3, height: int = 2) -> bytes:
    """A real (tiny) PNG, so the fake can read its size from the IHDR chunk."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\xff\x80\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = make_png()


def bot_intents(*, message_content: bool = True) -> discord.Intents:
    """The intents Anneal asks for, with MESSAGE_CONTENT optional."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.guild_reactions = True
    intents.dm_messages = True
    intents.message_content = message_content
    return intents


class ProbeBot(commands.Bot):
    """A minimal bot shaped like Anneal: hybrid commands, reactions, edits and DMs."""

    def __init__(self, *, message_content: bool = True) -> None:
        super().__init__(
            command_prefix="!",
            intents=bot_intents(message_content=message_content),
            guild_ready_timeout=0.1,
            help_command=None,
        )
        self.ready_guilds: list[discord.Guild] = []
        self.quiz_messages: set[int] = set()
        self.answers: dict[int, int] = {}
        self.dm_failures: list[discord.Forbidden] = []
        self.remove_failures: list[discord.Forbidden] = []
        self.command_failures: list[Exception] = []
        self.seen_contents: list[str] = []
        self._add_commands()

    def _add_commands(self) -> None:
        @self.hybrid_command(name="ping", description="Reply pong with a chart")
        async def ping(ctx: commands.Context[ProbeBot]) -> None:
            embed = discord.Embed(title="pong", description="a chart")
            embed.set_image(url="attachment://chart.png")
            chart = discord.File(io.BytesIO(PNG), filename="chart.png")
            await ctx.reply("pong", embed=embed, file=chart)

        @self.command(name="quiz")
        async def quiz(ctx: commands.Context[ProbeBot]) -> None:
            embed = discord.Embed(title="Question 1", description="Which scheduler restarts?")
            message = await ctx.send(embed=embed)
            self.quiz_messages.add(message.id)
            for emoji in CHOICES:
                await message.add_reaction(emoji)

        @self.hybrid_command(name="slow", description="Think, then answer")
        async def slow(ctx: commands.Context[ProbeBot]) -> None:
            await ctx.defer()
            await ctx.send("done thinking")

        # mypy 2.4 cannot solve discord.py's Concatenate-based decorator types for a
        # callback with parameters after ctx (hybrid commands only; plain ones are fine).
        @self.hybrid_command(name="config", description="Set the level (Manage Server)")  # type: ignore[arg-type]
        @commands.has_permissions(manage_guild=True)
        async def config(ctx: commands.Context[ProbeBot], level: str) -> None:
            await ctx.send(f"level set to {level}")

        @config.autocomplete("level")
        async def level_choices(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            levels = [lv for lv in ("easy", "medium", "hard") if lv.startswith(current)]
            return [app_commands.Choice(name=lv, value=lv) for lv in levels]

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every non-initial IDENTIFY; tests need not."""

    async def on_ready(self) -> None:
        """Remember the guilds seen at READY."""
        self.ready_guilds = list(self.guilds)

    async def on_message(self, message: discord.Message) -> None:
        """Remember what users wrote (to check MESSAGE_CONTENT), then run commands."""
        if message.author != self.user:
            self.seen_contents.append(message.content)
        await self.process_commands(message)

    async def on_command_error(
        self, ctx: commands.Context[Any], error: commands.CommandError, /
    ) -> None:
        """Record the error; answer a missing permission politely."""
        self.command_failures.append(error)
        if isinstance(error, commands.MissingPermissions):
            await ctx.send("You need Manage Server for that.", ephemeral=True)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        """A quiz answer: remove the reaction, count it in an edit, DM the user."""
        if self.user is None or payload.user_id == self.user.id:
            return
        if payload.message_id not in self.quiz_messages:
            return
        channel = self.get_partial_messageable(payload.channel_id, guild_id=payload.guild_id)
        message = channel.get_partial_message(payload.message_id)
        try:
            await message.remove_reaction(payload.emoji, discord.Object(payload.user_id))
        except discord.Forbidden as exc:
            self.remove_failures.append(exc)
        count = self.answers[payload.message_id] = self.answers.get(payload.message_id, 0) + 1
        await message.edit(content=f"answers: {count}")
        user = payload.member or await self.fetch_user(payload.user_id)
        try:
            await user.send(f"You answered {payload.emoji}.")
        except discord.Forbidden as exc:
            self.dm_failures.append(exc)


async def post_quiz(server: FakeDiscord, world: World) -> int:
    """Have a member run ``!quiz``; return the quiz message id once all choices are on it."""
    await server.user_sends_message(world.challenges.id, world.member, "!quiz")
    quiz = await server.wait_for_message(world.challenges.id, lambda m: bool(m.embeds))
    await server.wait_for_reactions(quiz.id, CHOICES)
    return quiz.id


async def test_bot_connects_and_on_ready_sees_the_guild(discord_at_fake: FakeDiscord) -> None:
    """READY + GUILD_CREATE give on_ready the guild, its channels and the bot's permissions."""
    server = discord_at_fake
    assert server.world is not None
    async with running_client(ProbeBot(), server) as bot:
        assert [g.id for g in bot.ready_guilds] == [server.world.guild.id]
        guild = bot.ready_guilds[0]
        assert {c.name for c in guild.text_channels} == {"general", "challenges"}
        assert guild.me is not None
        assert guild.me.guild_permissions.manage_messages
        assert not guild.default_role.permissions.manage_messages
        assert bot.user is not None
        assert bot.user.id == server.bot_user.id
        assert bot.application_id == server.application_id
    assert [r.path for r in server.requests[:2]] == ["/users/@me", "/oauth2/applications/@me"]
    assert server.gateway.identify_count == 1


async def test_prefix_ping_reply_keeps_embed_and_png(discord_at_fake: FakeDiscord) -> None:
    """``!ping`` replies with content, an embed and a PNG attachment, all preserved."""
    server = discord_at_fake
    world = server.world
    assert world is not None
    async with running_client(ProbeBot(), server) as bot:
        command = await server.user_sends_message(world.general.id, world.member, "!ping")
        reply = await server.wait_for_message(world.general.id)
        assert reply.content == "pong"
        assert reply.message_reference is not None
        assert reply.message_reference["message_id"] == str(command.id)
        assert reply.embeds[0]["title"] == "pong"
        assert reply.attachments[0].filename == "chart.png"
        assert reply.attachments[0].data == PNG
        assert (reply.attachments[0].width, reply.attachments[0].height) == (3, 2)
        assert reply.embeds[0]["image"]["url"] == reply.attachments[0].url
        sent = server.requests_matching("POST", rf"/channels/{world.general.id}/messages")[0]
        assert sent.is_multipart
        assert sent.json["content"] == "pong"
        assert [f.field for f in sent.files] == ["files[0]"]
        # The echoed MESSAGE_CREATE filled the cache; the URL serves the bytes.
        cached = discord.utils.get(bot.cached_messages, id=reply.id)
        assert cached is not None
        assert cached.embeds[0].title == "pong"
        assert await cached.attachments[0].read() == PNG


async def test_reaction_is_removed_counted_and_answered_by_dm(
    discord_at_fake: FakeDiscord,
) -> None:
    """A reaction reaches on_raw_reaction_add; the bot removes it, edits the message, DMs."""
    server = discord_at_fake
    world = server.world
    assert world is not None
    async with running_client(ProbeBot(), server):
        quiz_id = await post_quiz(server, world)
        await server.user_adds_reaction(world.challenges.id, quiz_id, world.member, "🇧")
        path = rf"/channels/{world.challenges.id}/messages/{quiz_id}/reactions/🇧/{world.member.id}"
        removed = await server.wait_for_request("DELETE", path)
        assert removed.status == 204
        await server.wait_for_reaction_removed(quiz_id, "🇧", world.member)
        edited = await server.wait_for_edit(quiz_id)
        assert edited.content == "answers: 1"
        assert edited.embeds[0]["title"] == "Question 1"
        dm = await server.wait_for_dm(world.member)
        assert dm.content == "You answered 🇧."
        assert server.bot_user.id in server.state.message(quiz_id).reactors("🇧")


async def test_closed_dms_raise_forbidden(discord_at_fake: FakeDiscord) -> None:
    """Sending a DM to a user with closed DMs gives discord.Forbidden (403, code 50007)."""
    server = discord_at_fake
    world = server.world
    assert world is not None
    async with running_client(ProbeBot(), server) as bot:
        quiz_id = await post_quiz(server, world)
        await server.user_adds_reaction(world.challenges.id, quiz_id, world.closed_dms, "🇦")
        failed = await server.wait_for_request(
            "POST", r"/channels/\d+/messages", predicate=lambda r: r.status == 403
        )
        assert failed.json["content"] == "You answered 🇦."
        await server.wait_for(lambda: bot.dm_failures or None)
        assert bot.dm_failures[0].code == 50007
        assert server.messages_in(server.dm_channel(world.closed_dms).id) == []


async def test_removing_reactions_without_manage_messages_is_forbidden(
    discord_at_fake: FakeDiscord,
) -> None:
    """Without Manage Messages (role changed live) removing a reaction gives 403 / 50013."""
    server = discord_at_fake
    world = server.world
    assert world is not None
    async with running_client(ProbeBot(), server) as bot:
        quiz_id = await post_quiz(server, world)
        reduced = BOT_PERMISSIONS & ~P.MANAGE_MESSAGES
        await server.set_role_permissions(world.guild.id, world.bot_role.id, reduced)
        await server.user_adds_reaction(world.challenges.id, quiz_id, world.member, "🇨")
        await server.wait_for(lambda: bot.remove_failures or None)
        assert bot.remove_failures[0].code == 50013
        await server.wait_for_dm(world.member)  # the handler carries on after the failure
        assert world.member.id in server.state.message(quiz_id).reactors("🇨")
        guild = bot.get_guild(world.guild.id)
        assert guild is not None
        assert guild.me is not None
        assert not guild.me.guild_permissions.manage_messages


async def test_tree_sync_is_recorded(discord_at_fake: FakeDiscord) -> None:
    """tree.sync() globally and to a guild PUTs the commands, which the fake stores."""
    server = discord_at_fake
    world = server.world
    assert world is not None
    async with running_client(ProbeBot(), server) as bot:
        synced = await bot.tree.sync()
        assert {c.name for c in synced} == {"ping", "slow", "config"}
        bot.tree.copy_global_to(guild=discord.Object(world.guild.id))
        guild_synced = await bot.tree.sync(guild=discord.Object(world.guild.id))
        assert {c.guild_id for c in guild_synced} == {world.guild.id}
    app = server.application_id
    put = server.requests_matching("PUT", rf"/applications/{app}/guilds/{world.guild.id}/commands")
    assert len(put) == 1
    assert {c["name"] for c in put[0].json} == {"ping", "slow", "config"}
    assert len(server.requests_matching("PUT", rf"/applications/{app}/commands")) == 1
    assert set(server.state.commands[world.guild.id]) == {"ping", "slow", "config"}


async def test_slash_ping_answers_with_embed_and_file(discord_at_fake: FakeDiscord) -> None:
    """A slash command arrives as INTERACTION_CREATE; the type 4 answer keeps embed and PNG."""
    server = discord_at_fake
    world = server.world
    assert world is not None
    async with running_client(ProbeBot(), server) as bot:
        bot.tree.copy_global_to(guild=discord.Object(world.guild.id))
        await bot.tree.sync(guild=discord.Object(world.guild.id))
        interaction = await server.user_uses_slash_command(
            world.guild.id, world.general.id, world.member, "ping"
        )
        answered = await server.interaction_response(interaction.id)
        assert answered.response_type == 4
        assert answered.response_data is not None
        assert answered.response_data["content"] == "pong"
        assert answered.response_files[0].data == PNG
        message = await server.wait_for_interaction_message(interaction.id)
        assert message.embeds[0]["title"] == "pong"
        assert message.interaction_metadata is not None
        assert message.interaction_metadata["name"] == "ping"
        callback = server.requests_matching("POST", rf"/interactions/{interaction.id}/.+/callback")
        assert callback[0].is_multipart
        assert callback[0].query == {"with_response": "1"}


async def test_slash_deferred_then_followup_fills_original(discord_at_fake: FakeDiscord) -> None:
    """A deferred answer (type 5) is completed by the first followup, as on Discord."""
    server = discord_at_fake
    world = server.world
    assert world is not None
    async with running_client(ProbeBot(), server):
        interaction = await server.user_uses_slash_command(
            world.guild.id, world.general.id, world.admin, "slow"
        )
        assert (await server.interaction_response(interaction.id)).response_type == 5
        message = await server.wait_for_interaction_message(interaction.id)
        assert message.content == "done thinking"
        assert interaction.followup_ids == []


async def test_slash_permissions_come_from_roles(discord_at_fake: FakeDiscord) -> None:
    """member.permissions in the interaction follows roles: admin passes, member is refused."""
    server = discord_at_fake
    world = server.world
    assert world is not None
    async with running_client(ProbeBot(), server):
        await server.user_uses_slash_command(
            world.guild.id, world.general.id, world.admin, "config", {"level": "hard"}
        )
        ok = await server.wait_for_message(world.general.id)
        assert ok.content == "level set to hard"
        refused = await server.user_uses_slash_command(
            world.guild.id, world.general.id, world.member, "config", {"level": "hard"}
        )
        answered = await server.interaction_response(refused.id)
        assert answered.response_data is not None
        assert answered.response_data["flags"] & 64  # ephemeral
        assert answered.response_data["content"] == "You need Manage Server for that."


async def test_autocomplete_returns_choices(discord_at_fake: FakeDiscord) -> None:
    """An autocomplete interaction (type 4) is answered with choices (callback type 8)."""
    server = discord_at_fake
    world = server.world
    assert world is not None
    async with running_client(ProbeBot(), server):
        interaction = await server.user_autocompletes(
            world.guild.id, world.general.id, world.admin, "config", {"level": "e"}, "level"
        )
        answered = await server.interaction_response(interaction.id)
        assert answered.response_type == 8
        assert answered.choices == [{"name": "easy", "value": "easy"}]


async def test_interactions_are_answered_in_time_and_once(discord_at_fake: FakeDiscord) -> None:
    """A late answer gets 404 / 10062; a second answer gets 400 / 40060."""
    server = discord_at_fake
    world = server.world
    assert world is not None
    async with running_client(ProbeBot(), server):
        server.interaction_deadline = 0.0
        late = await server.user_uses_slash_command(
            world.guild.id, world.general.id, world.member, "ping"
        )
        refused = await server.wait_for_request("POST", rf"/interactions/{late.id}/.+/callback")
        assert refused.status == 404
        assert not late.acknowledged
        server.interaction_deadline = 3.0
        first = await server.user_uses_slash_command(
            world.guild.id, world.general.id, world.member, "ping"
        )
        await server.interaction_response(first.id)
    url = f"{server.api_base}/interactions/{first.id}/{first.token}/callback"
    async with aiohttp.ClientSession() as session, session.post(url, json={"type": 1}) as resp:
        assert resp.status == 400
        assert (await resp.json())["code"] == 40060


async def test_restarted_bot_fetches_message_posted_before(discord_at_fake: FakeDiscord) -> None:
    """A new client against the same fake fetches a message the previous one posted."""
    server = discord_at_fake
    world = server.world
    assert world is not None
    async with running_client(ProbeBot(), server):
        await server.user_sends_message(world.general.id, world.member, "!ping")
        old = await server.wait_for_message(world.general.id)
    async with running_client(ProbeBot(), server) as bot:
        assert bot.get_channel(world.general.id) is not None
        assert not bot.cached_messages
        channel = await bot.fetch_channel(world.general.id)
        assert isinstance(channel, discord.TextChannel)
        fetched = await channel.fetch_message(old.id)
        assert fetched.content == "pong"
        assert fetched.embeds[0].title == "pong"
        assert fetched.attachments[0].filename == "chart.png"
        history = [m.id async for m in channel.history(limit=10)]
        assert history[0] == old.id
    assert server.gateway.identify_count == 2


@pytest.mark.parametrize("how", ["close", "abort", "op7"])
async def test_gateway_drop_resumes_and_replays_missed_events(
    discord_at_fake: FakeDiscord, how: str
) -> None:
    """After a close, a cut connection or op 7 the bot RESUMEs and gets what it missed."""
    server = discord_at_fake
    world = server.world
    assert world is not None
    async with running_client(ProbeBot(), server):
        if how == "close":
            await server.disconnect_gateway()
        elif how == "abort":
            server.drop_gateway()
        else:
            await server.request_reconnect()
        # Sent while the bot is away: buffered in its session and replayed on RESUME.
        await server.user_sends_message(world.general.id, world.member, "!ping")
        await server.wait_for_resume(1)
        reply = await server.wait_for_message(world.general.id)
        assert reply.content == "pong"
    assert server.gateway.identify_count == 1


async def test_invalidated_session_identifies_again(discord_at_fake: FakeDiscord) -> None:
    """When RESUME is refused (op 9) the client IDENTIFYs anew and keeps working."""
    server = discord_at_fake
    world = server.world
    assert world is not None
    async with running_client(ProbeBot(), server):
        await server.disconnect_gateway(resumable=False)
        await server.wait_for_identify(2)
        await server.user_sends_message(world.general.id, world.member, "!ping")
        assert (await server.wait_for_message(world.general.id)).content == "pong"
    assert server.gateway.resume_count == 0


async def test_server_restart_keeps_state_and_bot_resumes(discord_at_fake: FakeDiscord) -> None:
    """Stopping and starting the fake keeps messages and sessions; the bot resumes."""
    server = discord_at_fake
    world = server.world
    assert world is not None
    async with running_client(ProbeBot(), server) as bot:
        await server.user_sends_message(world.general.id, world.member, "!ping")
        old = await server.wait_for_message(world.general.id)
        port = server.port
        await server.restart()
        assert server.port == port
        await server.wait_for_resume(1, timeout=10)
        fetched = await bot.get_partial_messageable(world.general.id).fetch_message(old.id)
        assert fetched.content == "pong"
        await server.user_sends_message(world.general.id, world.member, "!ping")
        assert (await server.wait_for_message(world.general.id)).content == "pong"


async def test_stopped_fake_keeps_messages_for_the_next_bot(discord_at_fake: FakeDiscord) -> None:
    """stop() then start() keeps the port and the messages; a new bot fetches them."""
    server = discord_at_fake
    world = server.world
    assert world is not None
    async with running_client(ProbeBot(), server):
        await server.user_sends_message(world.general.id, world.member, "!ping")
        old = await server.wait_for_message(world.general.id)
    port = server.port
    await server.stop()
    assert not server.running
    await server.start()
    assert server.port == port
    async with running_client(ProbeBot(), server) as bot:
        fetched = await bot.get_partial_messageable(world.general.id).fetch_message(old.id)
        assert fetched.attachments[0].size == len(PNG)


async def test_missing_route_is_a_logged_404(discord_at_fake: FakeDiscord) -> None:
    """An unknown route answers 404 JSON and is listed in ``server.unhandled``."""
    server = discord_at_fake
    async with running_client(ProbeBot(), server) as bot:
        with pytest.raises(discord.NotFound, match="no route GET /nowhere"):
            await bot.http.request(discord.http.Route("GET", "/nowhere"))
    assert [(r.method, r.path) for r in server.unhandled] == [("GET", "/nowhere")]
    server.unhandled.clear()  # expected here; the fixture fails tests that leave any


async def test_json_content_type_is_exact(discord_at_fake: FakeDiscord) -> None:
    """JSON responses say exactly ``application/json`` (discord.py compares verbatim)."""
    server = discord_at_fake
    headers = {"Authorization": f"Bot {server.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{server.api_base}/users/@me", headers=headers) as resp,
    ):
        assert resp.headers["Content-Type"] == "application/json"
        assert (await resp.json())["id"] == str(server.bot_user.id)
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{server.api_base}/users/@me") as resp,
    ):
        assert resp.status == 401


async def test_rate_limit_with_via_header_is_retried(discord_at_fake: FakeDiscord) -> None:
    """An injected 429 (with Via) is retried by discord.py and the reply still arrives."""
    server = discord_at_fake
    world = server.world
    assert world is not None
    server.inject_error("POST", r"/channels/\d+/messages", status=429, retry_after=0.01)
    async with running_client(ProbeBot(), server):
        await server.user_sends_message(world.general.id, world.member, "!ping")
        assert (await server.wait_for_message(world.general.id)).content == "pong"
    statuses = [r.status for r in server.requests_matching("POST", r"/channels/\d+/messages")]
    assert statuses == [429, 200]


async def test_message_content_needs_the_intent(discord_at_fake: FakeDiscord) -> None:
    """Without MESSAGE_CONTENT the bot sees empty content unless it is mentioned."""
    server = discord_at_fake
    world = server.world
    assert world is not None
    async with running_client(ProbeBot(message_content=False), server) as bot:
        await server.user_sends_message(world.general.id, world.member, "!ping")
        await server.user_sends_message(
            world.general.id, world.member, f"{server.bot_user.mention} hello"
        )
        await server.wait_for(lambda: True if len(bot.seen_contents) == 2 else None)
        assert bot.seen_contents == ["", f"{server.bot_user.mention} hello"]
