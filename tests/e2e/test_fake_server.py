"""The fake Discord server, proven with a minimal real discord.py bot."""

from __future__ import annotations

import asyncio
import io
import math
import time

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from .fake_discord import FakeDiscord, MalformedPayload, payloads
from .fake_discord.runner import running_bot


class PingView(discord.ui.View):
    def __init__(self, bot: StandInBot) -> None:
        super().__init__(timeout=None)
        self.bot = bot

    @discord.ui.button(label="Again", style=discord.ButtonStyle.primary, custom_id="ping:again")
    async def again(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.bot.clicks.append(interaction.user.id)
        await interaction.response.edit_message(content=f"pong again for {interaction.user.name}")


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    topic = discord.ui.TextInput(label="Topic", custom_id="feedback:topic", max_length=50)
    details = discord.ui.TextInput(
        label="Details", custom_id="feedback:details", style=discord.TextStyle.paragraph, required=False
    )

    def __init__(self, bot: StandInBot) -> None:
        super().__init__(custom_id="feedback")
        self.bot = bot

    async def on_submit(self, interaction: discord.Interaction) -> None:
        self.bot.submissions.append((interaction.user.id, self.topic.value, self.details.value))
        await interaction.response.send_message(f"thanks for the feedback on {self.topic.value}", ephemeral=True)


TOPICS = ["cells", "cellular respiration", "genetics"]


class AnswerView(discord.ui.View):
    def __init__(self, bot: StandInBot) -> None:
        super().__init__(timeout=60)
        self.bot = bot

    @discord.ui.select(
        custom_id="quiz:answer",
        options=[discord.SelectOption(label=x, value=x) for x in "ABC"],
    )
    async def answer(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.defer()  # deferred update (type 6)
        await interaction.edit_original_response(content=f"answered {select.values[0]}", view=None)


class StandInBot(commands.Bot):
    """Just enough bot to exercise the fake: slash commands, a button view, a modal, on_message."""

    def __init__(self, *, message_content: bool = True, slow_ping: float = 0.0) -> None:
        intents = discord.Intents.default()
        intents.message_content = message_content
        super().__init__(command_prefix=commands.when_mentioned, intents=intents, help_command=None)
        self.clicks: list[int] = []
        self.submissions: list[tuple[int, str, str]] = []
        self.seen: list[discord.Message] = []
        self.slow_ping = slow_ping

        @self.tree.command(name="ping", description="Check the bot is alive")
        async def ping(interaction: discord.Interaction) -> None:
            if self.slow_ping:
                await asyncio.sleep(self.slow_ping)
            await interaction.response.send_message("pong", view=PingView(self))

        @self.tree.command(name="echo", description="Repeat some text")
        @app_commands.describe(text="what to say", times="how often")
        async def echo(interaction: discord.Interaction, text: str, times: app_commands.Range[int, 1, 3] = 1):
            await interaction.response.send_message(" ".join([text] * times))

        @self.tree.command(name="admin-only", description="Needs Manage Server")
        @app_commands.checks.has_permissions(manage_guild=True)
        async def admin_only(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("welcome, admin", ephemeral=True)

        @admin_only.error
        async def admin_only_error(interaction: discord.Interaction, error: app_commands.AppCommandError):
            await interaction.response.send_message("admins only", ephemeral=True)

        @self.tree.command(name="feedback", description="Send feedback")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(FeedbackModal(self))

        @self.tree.command(name="slowly", description="Defer, then answer")
        async def slowly(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send("done thinking")
            await interaction.followup.send("and one more thing")

        @self.tree.command(name="quiz", description="Start a quiz")
        async def quiz(interaction: discord.Interaction, topic: str) -> None:
            await interaction.response.send_message(f"quiz on {topic}", view=AnswerView(self))
            original = await interaction.original_response()
            await interaction.edit_original_response(content=f"{original.content} (started)")

        @quiz.autocomplete("topic")
        async def topic_autocomplete(interaction: discord.Interaction, current: str):
            return [app_commands.Choice(name=t, value=t) for t in TOPICS if t.startswith(current)]

    async def setup_hook(self) -> None:
        self.add_view(PingView(self))  # persistent: survives restarts

    async def on_message(self, message: discord.Message) -> None:
        self.seen.append(message)
        if message.author.id == self.user.id:
            return
        if self.user in message.mentions:
            await message.reply(
                f"hi {message.author.mention}, you said: {message.content}",
                allowed_mentions=discord.AllowedMentions(
                    everyone=False, roles=False, users=[message.author], replied_user=False
                ),
            )


@pytest.fixture
def alice(fake_discord: FakeDiscord) -> dict:
    return fake_discord.make_member(name="alice")


async def test_login_ready_and_guild_create(fake_discord: FakeDiscord) -> None:
    bot = StandInBot()
    async with fake_discord.run_bot(bot):
        assert bot.user is not None and bot.user.id == fake_discord.bot_user_id
        assert bot.application_id == fake_discord.application_id
        guild = bot.get_guild(fake_discord.guild_id)
        assert guild is not None and guild.name == "Study Group"
        assert {c.name for c in guild.text_channels} == {"general", "study"}
        assert guild.me is not None and guild.me.guild_permissions.send_messages
        assert guild.default_role.id == fake_discord.guild_id
        assert bot.get_channel(fake_discord.channel_id).name == "general"
        connect = fake_discord.gateway_connects[-1]
        assert connect["query"] == {"v": "10", "encoding": "json", "compress": "zlib-stream"}
        assert connect["compressed"]  # zlib-stream frames, as Discord sends them
        identify = fake_discord.identifies[-1]
        assert identify["intents"] == bot.intents.value
        assert identify["intents"] & payloads.INTENT_MESSAGE_CONTENT
    paths = [(r.method, r.path) for r in fake_discord.requests]
    assert ("GET", "/api/v10/users/@me") in paths
    assert ("GET", "/api/v10/oauth2/applications/@me") in paths
    assert fake_discord.unhandled == []


async def test_tree_sync_records_commands(fake_discord: FakeDiscord) -> None:
    bot = StandInBot()
    async with fake_discord.run_bot(bot):
        synced = await bot.tree.sync()
        assert {c.name for c in synced} == {"ping", "echo", "admin-only", "feedback", "slowly", "quiz"}
        assert all(c.id for c in synced)
        assert fake_discord.command_names() == {"ping", "echo", "admin-only", "feedback", "slowly", "quiz"}
        echo, _ = fake_discord.find_command("echo")
        assert [(o["name"], o["type"], o.get("required", False)) for o in echo["options"]] == [
            ("text", payloads.OPTION_STRING, True),
            ("times", payloads.OPTION_INTEGER, False),
        ]

        guild = discord.Object(fake_discord.guild_id)
        bot.tree.copy_global_to(guild=guild)
        await bot.tree.sync(guild=guild)
        assert fake_discord.command_names(fake_discord.guild_id) == fake_discord.command_names()
        # syncing again keeps the command ids, as Discord does
        again = await bot.tree.sync()
        assert {c.name: c.id for c in again} == {c.name: c.id for c in synced}
    assert [s.guild_id for s in fake_discord.command_syncs] == [None, fake_discord.guild_id, None]


async def test_slash_command_response_and_latency(fake_discord: FakeDiscord, alice: dict) -> None:
    bot = StandInBot()
    async with fake_discord.run_bot(bot):
        await bot.tree.sync()
        rec = await fake_discord.send_slash_command("ping", user=alice)
        cb = await rec.wait_response()
        assert cb.type == payloads.CALLBACK_CHANNEL_MESSAGE
        assert cb.data["content"] == "pong"
        assert cb.latency == rec.latency and 0 < cb.latency < fake_discord.interaction_deadline
        assert rec.original is not None and rec.original.custom_ids == ["ping:again"]
        # the response is a real channel message the bot itself also receives
        await fake_discord.wait_for(lambda: any(m.id == rec.original.id for m in bot.seen))

        rec = await fake_discord.send_slash_command("echo", {"text": "hey", "times": 2}, user=alice)
        assert (await rec.wait_response()).data["content"] == "hey hey"
        with pytest.raises(ValueError, match="missing required"):
            await fake_discord.send_slash_command("echo", {"times": 2}, user=alice)
        with pytest.raises(LookupError):
            await fake_discord.send_slash_command("nope", user=alice)


async def test_permissions_string_reaches_checks(fake_discord: FakeDiscord, alice: dict) -> None:
    admin = fake_discord.make_member(name="boss", admin=True)
    bot = StandInBot()
    async with fake_discord.run_bot(bot):
        await bot.tree.sync()
        denied = await fake_discord.send_slash_command("admin-only", user=alice)
        allowed = await fake_discord.send_slash_command("admin-only", user=admin)
        assert (await denied.wait_response()).data["content"] == "admins only"
        assert (await allowed.wait_response()).data["content"] == "welcome, admin"
        assert allowed.original.ephemeral
        assert int(denied.payload["member"]["permissions"]) & payloads.MANAGE_GUILD == 0
        assert int(allowed.payload["member"]["permissions"]) & payloads.MANAGE_GUILD


async def test_button_click_reaches_view(fake_discord: FakeDiscord, alice: dict) -> None:
    bot = StandInBot()
    async with fake_discord.run_bot(bot):
        rec = await fake_discord.send_slash_command("ping", user=alice)
        await rec.wait_response()
        click = await fake_discord.click_button(rec.original, "ping:again", user=alice)
        cb = await click.wait_response()
        assert bot.clicks == [int(alice["user"]["id"])]
        assert cb.type == payloads.CALLBACK_UPDATE_MESSAGE
        assert rec.original.content == "pong again for alice"  # the message was edited in place
        with pytest.raises(LookupError, match="no component"):
            await fake_discord.click_button(rec.original, "missing", user=alice)


async def test_modal_submit_reaches_on_submit(fake_discord: FakeDiscord, alice: dict) -> None:
    bot = StandInBot()
    async with fake_discord.run_bot(bot):
        opened = await fake_discord.send_slash_command("feedback", user=alice)
        cb = await opened.wait_response()
        assert cb.type == payloads.CALLBACK_MODAL and cb.data["title"] == "Feedback"
        submit = await fake_discord.submit_modal("feedback", {"feedback:topic": "glue"}, user=alice)
        answer = await submit.wait_response()
        assert bot.submissions == [(int(alice["user"]["id"]), "glue", "")]
        assert answer.message.ephemeral and "glue" in answer.message.content
        with pytest.raises(ValueError, match="at most 50"):
            await fake_discord.submit_modal("feedback", {"feedback:topic": "x" * 51}, user=alice)
        with pytest.raises(KeyError):
            await fake_discord.submit_modal("feedback", {"feedback:topic": "a", "other": "b"}, user=alice)


async def test_deferred_response_and_followups(fake_discord: FakeDiscord, alice: dict) -> None:
    bot = StandInBot()
    async with fake_discord.run_bot(bot):
        rec = await fake_discord.send_slash_command("slowly", user=alice)
        assert (await rec.wait_response()).type == payloads.CALLBACK_DEFERRED_CHANNEL_MESSAGE
        second = await rec.wait_followup(2)
        # the first follow-up after a deferral replaces the "thinking" message, like Discord
        assert rec.followups[0] is rec.original and rec.original.content == "done thinking"
        assert not rec.original.loading
        assert second.content == "and one more thing" and second.source == "followup"


async def test_mention_triggers_reply_with_allowed_mentions(fake_discord: FakeDiscord, alice: dict) -> None:
    bot = StandInBot()
    async with fake_discord.run_bot(bot):
        posted = await fake_discord.post_message(f"<@{fake_discord.bot_user_id}> what is ATP?", author=alice)
        reply = await fake_discord.wait_for_bot_message(lambda m: m.reference_id == int(posted["id"]))
        assert reply.allowed_mentions == {"parse": [], "users": [int(alice["user"]["id"])]}
        assert reply.mentions == [int(alice["user"]["id"])] and not reply.mention_everyone
        assert "what is ATP?" in reply.content
        # a message not mentioning the bot gets no reply
        before = len(fake_discord.bot_messages)
        await fake_discord.post_message("just chatting", author=alice)
        await fake_discord.wait_for(lambda: any(m.content == "just chatting" for m in bot.seen))
        await asyncio.sleep(0.05)
        assert len(fake_discord.bot_messages) == before


async def test_message_content_intent_blanks_content(fake_discord: FakeDiscord, alice: dict) -> None:
    bot = StandInBot(message_content=False)
    async with fake_discord.run_bot(bot):
        await fake_discord.post_message("secret notes", author=alice)
        await fake_discord.post_message(f"<@{fake_discord.bot_user_id}> hello", author=alice)
        await fake_discord.wait_for_bot_message(lambda m: "you said" in m.content)
        assert [m.content for m in bot.seen[:2]] == ["", f"<@{fake_discord.bot_user_id}> hello"]


async def test_same_nonce_creates_one_message(fake_discord: FakeDiscord) -> None:
    bot = StandInBot()
    async with fake_discord.run_bot(bot):
        channel = bot.get_channel(fake_discord.channel_id)
        first = await channel.send("question 1", nonce="quiz-1-q1")
        second = await channel.send("question 1", nonce="quiz-1-q1")
        third = await channel.send("question 2", nonce="quiz-1-q2")
        assert first.id == second.id != third.id
        assert [m["content"] for m in fake_discord.channel_history()] == ["question 1", "question 2"]
        assert len(fake_discord.nonce_hits) == 1
        assert [bm.nonce for bm in fake_discord.bot_messages] == ["quiz-1-q1", "quiz-1-q2"]
        history = [m.content async for m in channel.history(limit=10)]
        assert history == ["question 2", "question 1"]  # newest first, as Discord


async def test_restart_against_same_server(fake_discord: FakeDiscord, alice: dict) -> None:
    first = StandInBot()
    async with fake_discord.run_bot(first):
        await first.tree.sync()
        rec = await fake_discord.send_slash_command("ping", user=alice)
        await rec.wait_response()
    assert first.is_closed() and not fake_discord.connected
    # discord.py's close() races its own reader, which closes with 4000 first: a resumable close
    assert fake_discord.gateway_closes[-1]["code"] == 4000
    assert not fake_discord.gateway_closes[-1]["by_server"]

    second = StandInBot()
    async with fake_discord.run_bot(second):
        assert len(fake_discord.identifies) == 2
        assert second.get_guild(fake_discord.guild_id) is not None
        # the persistent view added in setup_hook handles a button on the old bot's message
        click = await fake_discord.click_button(rec.original, "ping:again", user=alice)
        await click.wait_response()
        assert second.clicks == [int(alice["user"]["id"])] and first.clicks == []
        rec2 = await fake_discord.send_slash_command("ping", user=alice)
        assert (await rec2.wait_response()).data["content"] == "pong"
    assert len(fake_discord.command_syncs) == 1  # state survived the restart


async def test_dropped_gateway_resumes(fake_discord: FakeDiscord, alice: dict) -> None:
    bot = StandInBot()
    async with fake_discord.run_bot(bot):
        await fake_discord.disconnect(code=4000)
        # sent while the bot is disconnected: buffered and replayed on RESUME
        await fake_discord.post_message(f"<@{fake_discord.bot_user_id}> are you there?", author=alice)
        reply = await fake_discord.wait_for_bot_message(lambda m: "are you there?" in m.content)
        assert reply.reference_id is not None
        assert len(fake_discord.identifies) == 1  # resumed, not re-identified
        assert any(s.resumes == 1 for s in fake_discord._sessions.values())


async def test_heartbeats_recorded_and_on_time(fake_discord: FakeDiscord) -> None:
    fake_discord.heartbeat_interval_ms = 250
    fake_discord.heartbeat_grace = 100.0  # this test measures late beats; closing for them is tested below
    bot = StandInBot()
    async with fake_discord.run_bot(bot):
        await fake_discord.wait_for_heartbeats(5, timeout=5)
        gaps = fake_discord.heartbeat_gaps()
        assert len(gaps) >= 4 and all(g > 0.2 for g in gaps)
        assert fake_discord.max_heartbeat_lateness() < 0.25  # no beat missed
        assert math.isfinite(bot.latency)  # the fake answered heartbeats with op 11

        time.sleep(0.6)  # block the event loop: the next heartbeat must show up late
        count = len(fake_discord.heartbeats)
        await fake_discord.wait_for_heartbeats(count + 2, timeout=5)
        assert fake_discord.max_heartbeat_lateness() > 0.3


async def test_late_interaction_response_is_rejected(fake_discord: FakeDiscord, alice: dict) -> None:
    fake_discord.interaction_deadline = 0.1
    fake_discord.fail_on_bot_errors = False  # the bot's command fails with NotFound, as on Discord
    bot = StandInBot(slow_ping=0.2)
    async with fake_discord.run_bot(bot):
        rec = await fake_discord.send_slash_command("ping", user=alice)
        await fake_discord.wait_for(lambda: rec.callbacks)
        assert rec.response is None and rec.callbacks[0].status == 404
        await fake_discord.wait_for(lambda: fake_discord.bot_errors)
        assert "Unknown interaction" in fake_discord.bot_errors[0]


async def test_malformed_payloads_fail_loudly(fake_discord: FakeDiscord, alice: dict) -> None:
    bot = StandInBot()
    # running_bot re-raises what killed bot.connect() when the block ends
    with pytest.raises(KeyError, match="flags"):
        async with running_bot(bot, fake=fake_discord):
            rec = await fake_discord.send_slash_command("ping", user=alice)
            await rec.wait_response()
            broken = dict(rec.payload, id=str(payloads.snowflakes.next()))
            broken["member"] = {k: v for k, v in broken["member"].items() if k != "flags"}
            with pytest.raises(MalformedPayload, match="flags"):
                await fake_discord.dispatch("INTERACTION_CREATE", broken)
            # bypassing the check: discord.py's parser raises, the event is lost and (in 2.7)
            # the exception ends bot.connect(); the fake reports it at the next wait
            await fake_discord.dispatch("INTERACTION_CREATE", broken, validate=False)
            with pytest.raises(AssertionError, match="failed to parse INTERACTION_CREATE"):
                await fake_discord.wait_for(lambda: False, timeout=2)
            assert fake_discord.parser_errors[0].event == "INTERACTION_CREATE"
    fake_discord.parser_errors.clear()  # expected; keep the fixture's teardown check quiet


async def test_invalid_bot_requests_are_rejected_like_discord(fake_discord: FakeDiscord) -> None:
    bot = StandInBot()
    async with fake_discord.run_bot(bot):
        channel = bot.get_channel(fake_discord.channel_id)
        with pytest.raises(discord.HTTPException) as too_long:
            await channel.send("x" * 2001)
        assert too_long.value.code == 50035
        with pytest.raises(discord.HTTPException) as dup:
            view = discord.ui.View()
            view.add_item(discord.ui.Button(label="a", custom_id="same"))
            view.add_item(discord.ui.Button(label="b", custom_id="same"))
            await channel.send("dup", view=view)
        assert dup.value.code == 50035
        assert fake_discord.bot_messages == []
        assert [r.status for r in fake_discord.rejected] == [400, 400]


async def test_channel_overwrites_reach_the_cache_and_refuse_sends(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    bot = StandInBot()
    async with fake.run_bot(bot):
        channel = bot.get_channel(fake.channel_id)
        assert channel.permissions_for(channel.guild.me).send_messages
        # @everyone may not speak; the bot's role is allowed to: the role wins.
        await fake.set_overwrites(fake.channel_id, [
            payloads.overwrite(fake.guild_id, deny=payloads.SEND_MESSAGES),
            payloads.overwrite(fake.bot_role_id, allow=payloads.SEND_MESSAGES),
        ])
        await fake.settle()
        assert channel.permissions_for(channel.guild.me).send_messages
        await channel.send("still allowed")
        # A member overwrite on the bot beats its roles.
        await fake.set_overwrites(fake.channel_id, [
            payloads.overwrite(fake.bot_role_id, allow=payloads.SEND_MESSAGES),
            payloads.overwrite(fake.bot_user_id, member=True, deny=payloads.SEND_MESSAGES),
        ])
        await fake.settle()
        me = channel.permissions_for(channel.guild.me)
        assert me.view_channel and not me.send_messages
        with pytest.raises(discord.Forbidden) as muted:
            await channel.send("refused")
        assert muted.value.code == 50013
        await fake.set_overwrites(fake.channel_id, [payloads.overwrite(fake.guild_id, deny=payloads.VIEW_CHANNEL)])
        await fake.settle()
        assert not channel.permissions_for(channel.guild.me).view_channel
        with pytest.raises(discord.Forbidden) as hidden:
            await channel.send("refused")
        assert hidden.value.code == 50001
    assert [m.content for m in fake.bot_messages] == ["still allowed"]


async def test_files_go_multipart_and_attachments_download(fake_discord: FakeDiscord, alice: dict) -> None:
    bot = StandInBot()
    async with fake_discord.run_bot(bot):
        channel = bot.get_channel(fake_discord.channel_id)
        sent = await channel.send("notes attached", file=discord.File(io.BytesIO(b"ATP = energy"), "notes.txt"))
        recorded = fake_discord.bot_message(sent.id)
        assert recorded.files == {"notes.txt": b"ATP = energy"}
        assert await sent.attachments[0].read() == b"ATP = energy"

        await fake_discord.post_message("my notes", author=alice, attachments=[("mine.md", b"# cells")])
        await fake_discord.wait_for(lambda: any(m.attachments for m in bot.seen if m.author.id != bot.user.id))
        theirs = next(m for m in bot.seen if m.content == "my notes")
        assert theirs.attachments[0].filename == "mine.md"
        assert await theirs.attachments[0].read() == b"# cells"


async def test_history_paging_matches_discord_order(fake_discord: FakeDiscord, alice: dict) -> None:
    bot = StandInBot()
    async with fake_discord.run_bot(bot):
        posted = [await fake_discord.post_message(f"m{i}", author=alice) for i in range(5)]
        channel = bot.get_channel(fake_discord.channel_id)
        assert [m.content async for m in channel.history(limit=3)] == ["m4", "m3", "m2"]
        before = discord.Object(int(posted[3]["id"]))
        assert [m.content async for m in channel.history(limit=2, before=before)] == ["m2", "m1"]
        after = discord.Object(int(posted[1]["id"]))
        assert [m.content async for m in channel.history(limit=10, after=after)] == ["m2", "m3", "m4"]
        fetched = await channel.fetch_message(int(posted[0]["id"]))
        assert fetched.content == "m0" and fetched.author.id == int(alice["user"]["id"])


async def test_direct_messages_and_fetches(fake_discord: FakeDiscord, alice: dict) -> None:
    bot = StandInBot()
    async with fake_discord.run_bot(bot):
        user = await bot.fetch_user(int(alice["user"]["id"]))
        dm_message = await user.send("your quiz is ready")
        dm = fake_discord.open_dm(alice)
        assert dm_message.channel.id == int(dm["id"])
        assert [m["content"] for m in fake_discord.channel_history(int(dm["id"]))] == ["your quiz is ready"]
        # a DM to the bot arrives with content even without a mention
        await fake_discord.post_message("answer: B", author=alice, channel_id=int(dm["id"]))
        await fake_discord.wait_for(lambda: any(m.content == "answer: B" for m in bot.seen))
        assert next(m for m in bot.seen if m.content == "answer: B").guild is None
        channel = await bot.fetch_channel(fake_discord.channel_id)
        assert channel.name == "general"
        member = await bot.get_guild(fake_discord.guild_id).fetch_member(int(alice["user"]["id"]))
        assert member.name == "alice"


async def test_unknown_routes_are_recorded(fake_discord: FakeDiscord) -> None:
    bot = StandInBot()
    async with fake_discord.run_bot(bot):
        channel = bot.get_channel(fake_discord.channel_id)
        with pytest.raises(discord.NotFound):
            await channel.create_invite()
    assert [(u.method, u.path) for u in fake_discord.unhandled] == [
        ("POST", f"/api/v10/channels/{fake_discord.channel_id}/invites")
    ]
    async with aiohttp.ClientSession() as session, session.get(f"{fake_discord.api_base}/nowhere") as resp:
        assert resp.status == 404 and resp.headers["Content-Type"] == "application/json"
        assert (await resp.json())["code"] == 0
    assert len(fake_discord.unhandled) == 2
    fake_discord.unhandled.clear()  # expected here; keep the fixture's teardown check quiet


async def test_disallowed_privileged_intent_closes_4014(fake_discord: FakeDiscord) -> None:
    fake_discord.privileged_intents = 0  # message content not enabled "in the developer portal"
    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with fake_discord.run_bot(StandInBot(message_content=True), ready_timeout=5):
            pass
    assert fake_discord.gateway_closes[-1] == {
        "connection_id": fake_discord.gateway_closes[-1]["connection_id"],
        "code": 4014,
        "by_server": True,
    }


async def test_autocomplete_select_and_original_edits(fake_discord: FakeDiscord, alice: dict) -> None:
    bot = StandInBot()
    async with fake_discord.run_bot(bot):
        await bot.tree.sync()
        ac = await fake_discord.send_autocomplete("quiz", "topic", "cell", user=alice)
        cb = await ac.wait_response()
        assert cb.type == payloads.CALLBACK_AUTOCOMPLETE_RESULT
        assert [c["value"] for c in cb.data["choices"]] == ["cells", "cellular respiration"]

        rec = await fake_discord.send_slash_command("quiz", {"topic": "cells"}, user=alice)
        await rec.wait_response()
        await fake_discord.wait_for(lambda: rec.original.content == "quiz on cells (started)")
        assert len(rec.original.edits) == 1 and rec.original.custom_ids == ["quiz:answer"]

        pick = await fake_discord.choose_select(rec.original, "quiz:answer", ["B"], user=alice)
        assert (await pick.wait_response()).type == payloads.CALLBACK_DEFERRED_UPDATE_MESSAGE
        await fake_discord.wait_for(lambda: rec.original.content == "answered B")
        assert rec.original.components == []  # view=None removed the select
        with pytest.raises(LookupError, match="no component"):  # the select is gone now
            await fake_discord.choose_select(rec.original, "quiz:answer", ["A"], user=alice)


async def test_edit_delete_and_gateway_reconnects(fake_discord: FakeDiscord, alice: dict) -> None:
    edits: list[tuple[str, str]] = []
    deletes: list[int] = []
    bot = StandInBot()

    async def on_message_edit(before: discord.Message, after: discord.Message) -> None:
        edits.append((before.content, after.content))

    async def on_raw_message_delete(payload: discord.RawMessageDeleteEvent) -> None:
        deletes.append(payload.message_id)

    bot.add_listener(on_message_edit)
    bot.add_listener(on_raw_message_delete)
    async with fake_discord.run_bot(bot):
        channel = bot.get_channel(fake_discord.channel_id)
        message = await channel.send("draft")
        await message.edit(content="final")
        await fake_discord.wait_for(lambda: edits == [("draft", "final")])
        assert fake_discord.bot_message(message.id).content == "final"
        await message.delete()
        await fake_discord.wait_for(lambda: deletes == [message.id])
        assert fake_discord.bot_message(message.id).deleted and message.id not in fake_discord.messages

        await fake_discord.send_reconnect()  # op 7: discord.py closes and RESUMEs
        await fake_discord.wait_for(lambda: any(s.resumes for s in fake_discord._sessions.values()))
        await fake_discord.invalidate_sessions()  # op 9 false: discord.py IDENTIFYs again
        await fake_discord.wait_for(lambda: len(fake_discord.identifies) == 2 and fake_discord.connected)
        rec = await fake_discord.send_slash_command("ping", user=alice)
        assert (await rec.wait_response()).data["content"] == "pong"


async def test_interaction_tokens_expire_like_discord(fake_discord: FakeDiscord, alice: dict) -> None:
    fake_discord.interaction_token_ttl = 0.0  # Discord: 15 minutes; the callback itself is not a webhook call
    fake_discord.fail_on_bot_errors = False  # the follow-up fails, as on Discord
    bot = StandInBot()
    async with fake_discord.run_bot(bot):
        rec = await fake_discord.send_slash_command("slowly", user=alice)
        await rec.wait_response()
        await fake_discord.wait_for(lambda: fake_discord.bot_errors)
        assert "50027" in fake_discord.bot_errors[0] or "Invalid Webhook Token" in fake_discord.bot_errors[0]


async def test_ephemeral_messages_are_not_reachable_through_channel_routes(fake_discord: FakeDiscord,
                                                                         alice: dict) -> None:
    bot = StandInBot()
    async with fake_discord.run_bot(bot):
        rec = await fake_discord.send_slash_command("admin-only", user=alice)  # refused, ephemerally
        said = (await rec.wait_response()).message
        assert said is not None and said.ephemeral
        with pytest.raises(discord.NotFound):
            await bot.get_channel(said.channel_id).fetch_message(said.id)


async def test_missed_heartbeats_close_the_connection_and_the_bot_resumes(fake_discord: FakeDiscord,
                                                                          alice: dict) -> None:
    fake_discord.heartbeat_interval_ms = 2000
    bot = StandInBot()
    async with fake_discord.run_bot(bot):
        fake_discord.heartbeat_grace = 0.05  # no heartbeat for 0.1 s counts as missed
        await fake_discord.wait_for(lambda: fake_discord.missed_heartbeat_closes, timeout=10)
        fake_discord.heartbeat_grace = 2.0
        await fake_discord.wait_for(lambda: any(s.resumes for s in fake_discord._sessions.values()), timeout=10)
        await fake_discord.wait_for(lambda: fake_discord.connected, timeout=10)
        await fake_discord.post_message(f"<@{fake_discord.bot_user_id}> still there?", author=alice)
        reply = await fake_discord.wait_for_bot_message(lambda m: "still there?" in m.content)
        assert reply.reference_id is not None
        assert len(fake_discord.identifies) == 1  # resumed, not re-identified
