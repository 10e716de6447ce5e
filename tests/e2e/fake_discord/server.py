"""A loopback stand-in for Discord's HTTP API and gateway, for end-to-end tests with discord.py.

``FakeDiscord`` serves ``/api/v10/...`` and a websocket gateway on 127.0.0.1.  A real
``discord.Client``/``commands.Bot`` connects to it once ``discord.http.Route.BASE`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` point at it (see ``patch_discord``).
Tests drive it like Discord users would (slash commands, button clicks, modal submits, typed
messages) and assert on what the bot sent back, which the server records.

It mirrors the Discord behaviour a bot can trip over: request limits (400 Invalid Form Body),
the 3-second interaction deadline, "already acknowledged" callbacks, nonce de-duplication,
message-content intent blanking, ``allowed_mentions`` deciding who is pinged, the first
follow-up after a deferral editing the "thinking" message, RESUME after a dropped socket.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import copy
import itertools
import json
import logging
import re
import secrets
import socket
import time
import zlib
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

from aiohttp import WSMsgType, web

from . import limits
from . import payloads as P
from .records import (
    BotMessage,
    CallbackRecord,
    HeartbeatRecord,
    InteractionRecord,
    ParserError,
    RejectedRequest,
    RequestRecord,
    SyncRecord,
    UnhandledRequest,
)

T = TypeVar("T")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_log = logging.getLogger(__name__)

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
_CALLBACK_FLAGS = P.FLAG_EPHEMERAL | P.FLAG_SUPPRESS_EMBEDS | P.FLAG_SUPPRESS_NOTIFICATIONS | P.FLAG_IS_COMPONENTS_V2
_VALID_CALLBACKS = {
    P.INTERACTION_APPLICATION_COMMAND: {
        P.CALLBACK_CHANNEL_MESSAGE,
        P.CALLBACK_DEFERRED_CHANNEL_MESSAGE,
        P.CALLBACK_MODAL,
    },
    P.INTERACTION_MESSAGE_COMPONENT: {
        P.CALLBACK_CHANNEL_MESSAGE,
        P.CALLBACK_DEFERRED_CHANNEL_MESSAGE,
        P.CALLBACK_DEFERRED_UPDATE_MESSAGE,
        P.CALLBACK_UPDATE_MESSAGE,
        P.CALLBACK_MODAL,
    },
    P.INTERACTION_AUTOCOMPLETE: {P.CALLBACK_AUTOCOMPLETE_RESULT},
    P.INTERACTION_MODAL_SUBMIT: {
        P.CALLBACK_CHANNEL_MESSAGE,
        P.CALLBACK_DEFERRED_CHANNEL_MESSAGE,
        P.CALLBACK_DEFERRED_UPDATE_MESSAGE,
        P.CALLBACK_UPDATE_MESSAGE,
    },
}


class _Connection:
    """One gateway websocket."""

    _ids = itertools.count(1)

    def __init__(self, ws: web.WebSocketResponse, *, compress: bool, query: Mapping[str, str]) -> None:
        self.id = next(self._ids)
        self.ws = ws
        self.query = dict(query)
        self._zlib = zlib.compressobj() if compress else None
        self._lock = asyncio.Lock()
        self.session: _Session | None = None
        self.closed = False
        self.server_closed = False
        self.close_code: int | None = None
        self.server_close_code: int | None = None
        self.last_heartbeat = time.perf_counter()

    async def send(self, frame: Mapping[str, Any]) -> bool:
        raw = json.dumps(frame, separators=(",", ":"))
        async with self._lock:
            if self.ws.closed:
                return False
            try:
                if self._zlib is not None:
                    data = self._zlib.compress(raw.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(raw)
            except (ConnectionError, RuntimeError) as exc:
                _log.debug("gateway connection %s: send failed: %r", self.id, exc)
                return False
        return True


class _Session:
    """A gateway session; survives a dropped socket so the client can RESUME."""

    def __init__(self, session_id: str, token: str | None, intents: int, shard: list[int]) -> None:
        self.id = session_id
        self.token = token
        self.intents = intents
        self.shard = shard
        self.seq = 0
        self.frames: deque[dict[str, Any]] = deque(maxlen=5000)
        self.connection: _Connection | None = None
        self.alive = True
        self.resumes = 0
        self._lock = asyncio.Lock()

    def holds(self, guild_id: int) -> bool:
        """Discord's rule: a server's events go to shard (guild_id >> 22) % shard count."""
        shard_id, count = self.shard
        return (guild_id >> 22) % count == shard_id

    async def dispatch(self, event: str, data: Any) -> None:
        async with self._lock:
            await self._dispatch_locked(event, data)

    async def _dispatch_locked(self, event: str, data: Any) -> None:
        self.seq += 1
        frame = {"op": 0, "t": event, "s": self.seq, "d": data}
        self.frames.append(frame)
        conn = self.connection
        if conn is not None and not conn.closed:
            await conn.send(frame)

    async def resume(self, conn: _Connection, seq: int | None) -> int:
        async with self._lock:
            self.connection = conn
            conn.session = self
            replay = [f for f in self.frames if seq is None or f["s"] > seq]
            for frame in replay:
                await conn.send(frame)
            self.resumes += 1
            await self._dispatch_locked("RESUMED", {"_trace": ["fake-discord"]})
            return len(replay)


class FakeDiscord:
    """Loopback Discord: one guild, one bot application, any number of (fake) members.

    Create it, ``await start()``, point discord.py at it with ``patch_discord(fake)``, run a
    bot with ``async with fake.run_bot(bot): ...``, and ``await stop()`` at the end.  State
    (messages, synced commands, interactions) lives on this object, so a bot can be stopped
    and a new one started against the same server.
    """

    def __init__(
        self,
        *,
        guild_name: str = "Study Group",
        bot_name: str = "StudyBot",
        channel_names: Sequence[str] = ("general", "study"),
        heartbeat_interval_ms: int = 41250,
        interaction_deadline: float = 3.0,
        token: str | None = None,
        gateway_compression: bool = True,
        privileged_intents: int = P.PRIVILEGED_INTENTS,
        nonce_window: float = 300.0,
        interaction_token_ttl: float = 900.0,
        send_limit: int = 5,
        send_window: float = 5.0,
        global_limit: int = 50,
        strict: bool = True,
    ) -> None:
        #: HELLO's heartbeat_interval in ms; set before the bot connects.
        self.heartbeat_interval_ms = heartbeat_interval_ms
        #: Seconds a bot has for the first interaction callback (Discord: 3 s).
        self.interaction_deadline = interaction_deadline
        #: If set, REST calls and IDENTIFY with another token fail (401 / close 4004).
        self.token = token
        self.gateway_compression = gateway_compression
        #: Privileged intents "enabled in the developer portal"; others close with 4014.
        self.privileged_intents = privileged_intents
        self.nonce_window = nonce_window
        #: Seconds an interaction token works for follow-ups and edits (Discord: 15 minutes), then 401 50027.
        self.interaction_token_ttl = interaction_token_ttl
        #: Discord's per-channel rate limit on message sends: `send_limit` a `send_window` seconds, then 429
        #: with retry_after and the X-RateLimit-* headers; each refusal is kept in `rate_limited`.
        self.send_limit = send_limit
        self.send_window = send_window
        self._send_buckets: dict[int, collections.deque[float]] = {}
        #: Discord's global limit: `global_limit` requests a second for the whole bot (counted here on sends).
        self.global_limit = global_limit
        self._global_bucket: collections.deque[float] = collections.deque()
        self.rate_limited: list[RejectedRequest] = []
        #: Whether the ``fake_discord`` fixture calls ``assert_clean()`` at teardown.
        self.strict = strict
        #: Fail ``wait_for`` / ``assert_clean`` when discord.py logged an ERROR (unhandled
        #: exception in a command, view or event handler).
        self.fail_on_bot_errors = True
        #: Answer heartbeats; switch off to simulate a zombie connection.
        self.ack_heartbeats = True
        #: As Discord, close a connection that sent no heartbeat for this many intervals (the bot must then
        #: resume); the ids of connections closed so are kept in `missed_heartbeat_closes`.
        self.heartbeat_grace = 2.0
        self.missed_heartbeat_closes: list[int] = []
        #: ``wait_for`` re-checks its predicate at least this often (seconds).
        self.poll_interval = 0.01
        #: ``GET /gateway/bot``'s recommended shard count (what AutoShardedBot uses without a count).
        self.recommended_shards = 1

        self.host = "127.0.0.1"
        self.port: int | None = None
        self._runner: web.AppRunner | None = None

        # ---- world ----
        self.bot_user_id = P.snowflakes.next()
        self.application_id = self.bot_user_id  # Discord uses the bot user id for the app id
        self.bot_user = P.user(self.bot_user_id, bot_name, bot=True)
        self.guild_id = P.snowflakes.next()
        self.guild_name = guild_name
        self.guild_joined_at = P.iso()
        self.admin_role_id = P.snowflakes.next()
        self.bot_role_id = P.snowflakes.next()
        self.roles: dict[int, dict[str, Any]] = {
            self.guild_id: P.role(self.guild_id, "@everyone", permissions=P.EVERYONE_PERMISSIONS),
            self.admin_role_id: P.role(
                self.admin_role_id, "Admin", permissions=P.ADMIN_ROLE_PERMISSIONS, position=1, hoist=True
            ),
            self.bot_role_id: P.role(
                self.bot_role_id,
                bot_name,
                permissions=P.BOT_ROLE_PERMISSIONS,
                position=2,
                managed=True,
                tags={"bot_id": str(self.bot_user_id)},
            ),
        }
        self.users: dict[int, dict[str, Any]] = {self.bot_user_id: self.bot_user}
        self.members: dict[int, dict[str, Any]] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.dm_channels: dict[int, dict[str, Any]] = {}  # channel id -> DM channel
        self.bot_member = self._add_member(self.bot_user, roles=[self.bot_role_id], joined_at=self.guild_joined_at)
        self.owner = self.make_member(name="owner", admin=True)
        self.owner_id = int(self.owner["user"]["id"])
        for name in channel_names:
            self.add_text_channel(name)
        #: The default channel (the first one) for messages and interactions.
        self.channel_id = int(next(iter(self.channels)))

        # ---- records ----
        self.messages: dict[int, dict[str, Any]] = {}  # every live message, by id
        self._history: dict[int, list[int]] = {}  # channel id -> message ids, oldest first
        self.bot_messages: list[BotMessage] = []
        self._bot_message_by_id: dict[int, BotMessage] = {}
        self.deleted_message_ids: list[int] = []
        self.callbacks: list[CallbackRecord] = []
        self.followups: list[BotMessage] = []
        self.interactions: dict[int, InteractionRecord] = {}
        self._interactions_by_token: dict[str, InteractionRecord] = {}
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.command_syncs: list[SyncRecord] = []
        self.heartbeats: list[HeartbeatRecord] = []
        self.identifies: list[dict[str, Any]] = []
        self.presence_updates: list[dict[str, Any]] = []
        self.requests: list[RequestRecord] = []
        self.unhandled: list[UnhandledRequest] = []
        self.rejected: list[RejectedRequest] = []
        self.parser_errors: list[ParserError] = []
        self.bot_logs: list[logging.LogRecord] = []
        self.reactions: list[dict[str, Any]] = []
        self.typing: list[int] = []
        self.nonce_hits: list[dict[str, Any]] = []
        self.gateway_connects: list[dict[str, Any]] = []
        self.gateway_closes: list[dict[str, Any]] = []
        self._nonces: dict[tuple[int, str], tuple[int, float]] = {}
        self._attachment_blobs: dict[int, tuple[bytes, str | None]] = {}
        self._sessions: dict[str, _Session] = {}
        self._connections: dict[int, _Connection] = {}
        self._change = asyncio.Event()
        self._bot_tasks: list[asyncio.Task[Any]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._inflight = 0
        self._last_request_done = 0.0

    # ================================================================ lifecycle / addresses

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("FakeDiscord is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return f"{self.url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Value for ``DiscordWebSocket.DEFAULT_GATEWAY`` (discord.py appends the query)."""
        return f"ws://{self.host}:{self.port}/"

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        self._add_routes(app.router)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        # Discord's edge takes any number of new connections; aiohttp's default backlog of 128 made 200 bot
        # connections opened at once (two processes' first burst of clicks) lose SYNs and retry after 1 s
        # (TcpExtListenOverflows), a 1 s tail that was the harness's, not the bot's.
        await web.SockSite(self._runner, sock, backlog=1024).start()

    async def stop(self) -> None:
        for conn in list(self._connections.values()):
            await self._close_connection(conn, 1001, "server stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def run_bot(self, bot: Any, token: str | None = None, **kwargs: Any):
        """``async with fake.run_bot(bot): ...`` -- see :func:`running_bot`."""
        from .runner import DEFAULT_TOKEN, running_bot

        return running_bot(bot, token or self.token or DEFAULT_TOKEN, fake=self, **kwargs)

    # ================================================================ world building

    def _add_member(
        self,
        user_payload: dict[str, Any],
        *,
        roles: Iterable[int],
        joined_at: str | None = None,
        nick: str | None = None,
    ) -> dict[str, Any]:
        uid = int(user_payload["id"])
        self.users[uid] = user_payload
        member = P.member(user_payload, roles=roles, joined_at=joined_at, nick=nick)
        self.members[uid] = member
        return member

    def make_member(
        self,
        user_id: int | None = None,
        name: str = "member",
        admin: bool = False,
        *,
        roles: Iterable[int] = (),
        nick: str | None = None,
        bot: bool = False,
    ) -> dict[str, Any]:
        """Add a guild member and return its member payload (with ``user``).

        ``admin=True`` gives the Admin role (Manage Guild, Manage Messages, Manage Channels).
        Pass the returned dict (or the user id) as ``user=``/``author=`` to the actions.
        """
        uid = user_id if user_id is not None else P.snowflakes.next()
        role_ids = list(roles) + ([self.admin_role_id] if admin else [])
        return self._add_member(P.user(uid, name, bot=bot), roles=role_ids, nick=nick)

    def add_role(self, name: str, permissions: int = 0, **kwargs: Any) -> dict[str, Any]:
        rid = P.snowflakes.next()
        self.roles[rid] = P.role(rid, name, permissions=permissions, position=len(self.roles), **kwargs)
        return self.roles[rid]

    def add_text_channel(self, name: str, *, topic: str | None = None) -> dict[str, Any]:
        cid = P.snowflakes.next()
        self.channels[cid] = P.text_channel(cid, self.guild_id, name, position=len(self.channels), topic=topic)
        return self.channels[cid]

    def channel_by_name(self, name: str) -> dict[str, Any]:
        for channel in self.channels.values():
            if channel["name"] == name:
                return channel
        raise KeyError(f"no channel named {name!r}; have {[c['name'] for c in self.channels.values()]}")

    def open_dm(self, user: Any) -> dict[str, Any]:
        """The DM channel between the bot and ``user`` (created on first use)."""
        uid = self._user_id(user)
        for channel in self.dm_channels.values():
            if int(channel["recipients"][0]["id"]) == uid:
                return channel
        cid = P.snowflakes.next()
        self.dm_channels[cid] = P.dm_channel(cid, self.users[uid])
        return self.dm_channels[cid]

    def member_permissions(self, member: Mapping[str, Any]) -> int:
        """Guild-level permissions of a member (owner and Administrator get everything)."""
        if int(member["user"]["id"]) == self.owner_id:
            return P.ALL_PERMISSIONS
        perms = int(self.roles[self.guild_id]["permissions"])
        for rid in member.get("roles", []):
            role = self.roles.get(int(rid))
            if role is not None:
                perms |= int(role["permissions"])
        return P.ALL_PERMISSIONS if perms & P.ADMINISTRATOR else perms

    def channel_permissions(self, member: Mapping[str, Any], channel: Mapping[str, Any]) -> int:
        """A member's permissions in a guild channel: its guild permissions with the channel's overwrites
        applied in Discord's order (@everyone, then all its roles together, then the member)."""
        perms = self.member_permissions(member)
        if perms & P.ADMINISTRATOR:  # the owner and Administrator ignore overwrites
            return perms
        overwrites = {int(o["id"]): o for o in channel.get("permission_overwrites", [])}

        def apply(perms: int, allow: int, deny: int) -> int:
            return (perms & ~deny) | allow

        everyone = overwrites.get(self.guild_id)
        if everyone is not None:
            perms = apply(perms, int(everyone["allow"]), int(everyone["deny"]))
        roles = [overwrites[int(r)] for r in member.get("roles", []) if int(r) in overwrites]
        allow = deny = 0
        for o in roles:
            allow |= int(o["allow"])
            deny |= int(o["deny"])
        perms = apply(perms, allow, deny)
        mine = overwrites.get(int(member["user"]["id"]))
        if mine is not None and mine.get("type") == P.OVERWRITE_MEMBER:
            perms = apply(perms, int(mine["allow"]), int(mine["deny"]))
        return perms

    async def set_overwrites(self, channel_id: int, overwrites: list[dict[str, Any]]) -> None:
        """Replace a channel's permission overwrites (see :func:`P.overwrite`) and send CHANNEL_UPDATE."""
        channel = self.channels[channel_id]
        channel["permission_overwrites"] = copy.deepcopy(overwrites)
        await self.dispatch("CHANNEL_UPDATE", channel)

    @property
    def application_flags(self) -> int:
        flags = 0
        if self.privileged_intents & P.INTENT_MESSAGE_CONTENT:
            flags |= P.APP_FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED
        if self.privileged_intents & P.INTENT_GUILD_MEMBERS:
            flags |= P.APP_FLAG_GATEWAY_GUILD_MEMBERS_LIMITED
        if self.privileged_intents & P.INTENT_GUILD_PRESENCES:
            flags |= P.APP_FLAG_GATEWAY_PRESENCE_LIMITED
        return flags

    def guild_payload(self, intents: int = 0) -> dict[str, Any]:
        """GUILD_CREATE as Discord sends it for these intents (all members only with GUILD_MEMBERS)."""
        members = list(self.members.values()) if intents & P.INTENT_GUILD_MEMBERS else [self.bot_member]
        return P.guild(
            self.guild_id,
            self.guild_name,
            owner_id=self.owner_id,
            roles=list(self.roles.values()),
            channels=list(self.channels.values()),
            members=members,
            member_count=len(self.members),
            joined_at=self.guild_joined_at,
            system_channel_id=self.channel_id if hasattr(self, "channel_id") else None,
        )

    # ================================================================ waiting / checking

    def _notify(self) -> None:
        event, self._change = self._change, asyncio.Event()
        event.set()

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0, *, description: str | None = None) -> T:
        """Wait until ``predicate()`` returns something truthy and return it.

        Re-evaluated whenever the server records something.  Fails at once if discord.py
        failed to parse an event or (with ``fail_on_bot_errors``) logged an error.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            change = self._change
            self.check_bot_health()
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                what = description or getattr(predicate, "__qualname__", repr(predicate))
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}\n{self.summary()}")
            # also poll: predicates may look at bot-side state the server is not told about
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(change.wait(), min(remaining, self.poll_interval))

    async def wait_for_bot_message(
        self,
        predicate: Callable[[BotMessage], Any] | None = None,
        *,
        channel_id: int | None = None,
        since: int = 0,
        timeout: float = 5.0,
    ) -> BotMessage:
        """First bot message (index >= ``since`` in ``bot_messages``) matching the filters."""

        def find() -> BotMessage | None:
            for bm in self.bot_messages[since:]:
                if channel_id is not None and bm.channel_id != channel_id:
                    continue
                if predicate is None or predicate(bm):
                    return bm
            return None

        return await self.wait_for(find, timeout, description="a bot message matching the filter")

    async def wait_for_callback(self, interaction: InteractionRecord, timeout: float = 5.0) -> CallbackRecord:
        return await interaction.wait_response(timeout)

    async def wait_for_followup(
        self, interaction: InteractionRecord, count: int = 1, timeout: float = 5.0
    ) -> BotMessage:
        return await interaction.wait_followup(count, timeout)

    async def wait_for_heartbeats(self, count: int, timeout: float = 10.0) -> list[HeartbeatRecord]:
        await self.wait_for(lambda: len(self.heartbeats) >= count, timeout, description=f"{count} heartbeats")
        return self.heartbeats[:count]

    async def wait_for_session(self, timeout: float = 5.0) -> str:
        """Wait for an identified (or resumed) live gateway connection; returns the session id."""

        def live() -> str | None:
            return next(
                (s.id for s in self._sessions.values() if s.alive and s.connection and not s.connection.closed),
                None,
            )

        return await self.wait_for(live, timeout, description="a connected gateway session")

    @property
    def bot_errors(self) -> list[str]:
        """ERROR-level log lines from the ``discord`` loggers (unhandled bot exceptions)."""
        out = []
        for record in self.bot_logs:
            if record.levelno >= logging.ERROR:
                text = f"{record.name}: {record.getMessage()}"
                if record.exc_info and record.exc_info[1] is not None:
                    text += f"\n    {type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
                out.append(text)
        return out

    @property
    def bot_warnings(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()}" for r in self.bot_logs if r.levelno == logging.WARNING]

    async def settle(self, quiet: float = 0.05, timeout: float = 2.0) -> bool:
        """Wait until no bot HTTP request is in flight and none finished for ``quiet`` seconds.

        Used before stopping a bot so handlers still answering (e.g. an ``on_message`` reply
        to the last event) are not cut off.  Returns False if it timed out.
        """
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            now = time.perf_counter()
            if self._inflight == 0 and now - self._last_request_done >= quiet:
                return True
            await asyncio.sleep(min(quiet / 2, 0.01))
        return False

    def watch_bot_task(self, task: asyncio.Task[Any]) -> None:
        """Have ``wait_for`` fail if this task (a bot's ``connect()``) dies with an exception."""
        self._bot_tasks.append(task)
        task.add_done_callback(lambda _: self._notify())

    def check_bot_health(self) -> None:
        """Raise if discord.py dropped an event (parser error), its gateway loop died, or it
        logged an unhandled error."""
        if self.parser_errors:
            err = self.parser_errors[0]
            raise AssertionError(
                f"discord.py failed to parse {err.event}: {type(err.error).__name__}: {err.error} "
                f"(the event was dropped; the payload is malformed)"
            ) from err.error
        for task in self._bot_tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                exc = task.exception()
                raise AssertionError(f"the bot's gateway task died: {type(exc).__name__}: {exc}") from exc
        if self.fail_on_bot_errors and self.bot_errors:
            raise AssertionError("the bot logged errors:\n" + "\n".join(self.bot_errors))

    def assert_clean(self) -> None:
        """No unknown routes were hit, every event parsed, and no unhandled bot errors."""
        problems = []
        if self.unhandled:
            problems.append("unhandled requests: " + ", ".join(f"{u.method} {u.path}" for u in self.unhandled))
        if self.parser_errors:
            problems += [f"parser error in {e.event}: {e.error!r}" for e in self.parser_errors]
        if self.fail_on_bot_errors and self.bot_errors:
            problems += self.bot_errors
        if problems:
            raise AssertionError("fake Discord saw problems:\n" + "\n".join(problems))

    def summary(self) -> str:
        lines = [f"bot messages: {len(self.bot_messages)}"]
        for bm in self.bot_messages[-3:]:
            lines.append(f"  [{bm.source}] #{bm.channel_id}: {bm.text[:80]!r}")
        lines.append(
            f"interactions: {len(self.interactions)}, callbacks: {len(self.callbacks)}, "
            f"followups: {len(self.followups)}"
        )
        lines.append(
            "sessions: "
            + ", ".join(
                f"{s.id[:8]}(alive={s.alive}, connected={bool(s.connection and not s.connection.closed)})"
                for s in self._sessions.values()
            )
        )
        if self.rejected:
            lines.append(
                "rejected: "
                + "; ".join(f"{r.method} {r.path} -> {r.status} {r.message} {r.errors}" for r in self.rejected[-3:])
            )
        if self.unhandled:
            lines.append("unhandled: " + ", ".join(f"{u.method} {u.path}" for u in self.unhandled))
        if self.bot_warnings:
            lines.append("bot warnings: " + "; ".join(self.bot_warnings[-3:]))
        return "\n".join(lines)

    def record_parser_error(self, event: str, data: Any, error: BaseException) -> None:
        self.parser_errors.append(ParserError(event, data, error))
        self._notify()

    def record_bot_log(self, record: logging.LogRecord) -> None:
        # may be called from discord.py's keep-alive thread
        self.bot_logs.append(record)
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._notify()
        else:
            loop.call_soon_threadsafe(self._notify)

    # ================================================================ queries for tests

    def channel_history(self, channel_id: int | None = None) -> list[dict[str, Any]]:
        """Messages in a channel, oldest first."""
        return [self.messages[i] for i in self._history.get(channel_id or self.channel_id, [])]

    def find_command(self, name: str, command_type: int = 1) -> tuple[dict[str, Any] | None, int | None]:
        """(synced command, guild id or None for global) -- guild commands win, like Discord."""
        for cmd in self.guild_commands.get(self.guild_id, []):
            if cmd["name"] == name and cmd.get("type", 1) == command_type:
                return cmd, self.guild_id
        for cmd in self.global_commands:
            if cmd["name"] == name and cmd.get("type", 1) == command_type:
                return cmd, None
        return None, None

    def command_names(self, guild_id: int | None = None) -> set[str]:
        commands = self.global_commands if guild_id is None else self.guild_commands.get(guild_id, [])
        return {c["name"] for c in commands}

    @property
    def synced_commands(self) -> list[dict[str, Any]]:
        """All synced commands: global ones, then this guild's."""
        return list(self.global_commands) + list(self.guild_commands.get(self.guild_id, []))

    def heartbeat_gaps(self, connection_id: int | None = None) -> list[float]:
        """Seconds between consecutive heartbeats on each connection."""
        by_conn: dict[int, list[HeartbeatRecord]] = {}
        for hb in self.heartbeats:
            if connection_id is None or hb.connection_id == connection_id:
                by_conn.setdefault(hb.connection_id, []).append(hb)
        gaps = []
        for beats in by_conn.values():
            gaps += [b.at - a.at for a, b in itertools.pairwise(beats)]
        return gaps

    def max_heartbeat_lateness(self, connection_id: int | None = None, since: float | None = None,
                               until: float | None = None) -> float:
        """Largest (gap between heartbeats - heartbeat interval), in seconds; with `since`/`until`
        (perf_counter times), only the gaps that overlap that window."""
        by_conn: dict[int, list[HeartbeatRecord]] = {}
        for hb in self.heartbeats:
            if connection_id is None or hb.connection_id == connection_id:
                by_conn.setdefault(hb.connection_id, []).append(hb)
        lateness = [b.at - a.at - b.interval for beats in by_conn.values() for a, b in itertools.pairwise(beats)
                    if (since is None or b.at >= since) and (until is None or a.at <= until)]
        if not lateness:
            raise ValueError(f"need two heartbeats on one connection, have {len(self.heartbeats)}")
        return max(lateness)

    @property
    def connected(self) -> bool:
        return any(s.alive and s.connection and not s.connection.closed for s in self._sessions.values())

    # ================================================================ gateway control

    async def dispatch(self, event: str, data: Mapping[str, Any], *, validate: bool = True) -> int:
        """Send a DISPATCH to every live session (buffered for disconnected ones, for RESUME).

        Validates the payload shape first (``MalformedPayload``); returns how many sessions got it.
        """
        if validate:
            P.check_event(event, data)
        sent = 0
        guild = data.get("guild_id") if isinstance(data, Mapping) else None
        for session in list(self._sessions.values()):
            if not session.alive or (guild is not None and not session.holds(int(guild))):
                continue  # a server's events reach only the shard that holds it
            prepared = self._prepare_for_session(session, event, data)
            if prepared is None:
                continue
            await session.dispatch(event, prepared)
            sent += 1
        self._notify()
        return sent

    def _prepare_for_session(self, session: _Session, event: str, data: Mapping[str, Any]) -> Any:
        if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE"):
            is_dm = "guild_id" not in data
            needed = P.INTENT_DIRECT_MESSAGES if is_dm else P.INTENT_GUILD_MESSAGES
            if not session.intents & needed:
                return None
            if event != "MESSAGE_DELETE" and not is_dm and not session.intents & P.INTENT_MESSAGE_CONTENT:
                from_bot = data["author"]["id"] == str(self.bot_user_id)
                mentions_bot = any(m["id"] == str(self.bot_user_id) for m in data.get("mentions", []))
                if not from_bot and not mentions_bot:
                    blank = dict(data, content="", embeds=[], attachments=[], components=[])
                    blank.pop("poll", None)
                    return blank
        return data

    async def disconnect(self, code: int = 4000, reason: str = "fake disconnect") -> None:
        """Close every gateway socket from the server side; sessions stay resumable."""
        for conn in list(self._connections.values()):
            await self._close_connection(conn, code, reason)

    async def send_reconnect(self) -> None:
        """Send op 7 RECONNECT; discord.py closes and RESUMEs."""
        for conn in list(self._connections.values()):
            await conn.send({"op": 7, "d": None, "s": None, "t": None})

    async def invalidate_sessions(self) -> None:
        """Send op 9 INVALID_SESSION (not resumable); discord.py re-IDENTIFYs."""
        for session in self._sessions.values():
            session.alive = False
        for conn in list(self._connections.values()):
            await conn.send({"op": 9, "d": False, "s": None, "t": None})

    async def _close_connection(self, conn: _Connection, code: int, reason: str) -> None:
        if not conn.server_closed:
            conn.server_close_code = code
        conn.server_closed = True
        with contextlib.suppress(TimeoutError, ConnectionError, RuntimeError):
            await asyncio.wait_for(conn.ws.close(code=code, message=reason.encode()), 5)

    # ================================================================ user actions

    def _user_id(self, user: Any) -> int:
        if isinstance(user, Mapping):
            return int(user["user"]["id"]) if "user" in user else int(user["id"])
        if hasattr(user, "id"):
            return int(user.id)
        return int(user)

    def _member(self, user: Any) -> dict[str, Any]:
        uid = self._user_id(user)
        member = self.members.get(uid)
        if member is None:
            raise KeyError(f"unknown member {uid}; create it with make_member()")
        return member

    def _channel(self, channel_id: int | str | None) -> dict[str, Any]:
        cid = int(channel_id) if channel_id is not None else self.channel_id
        channel = self.channels.get(cid) or self.dm_channels.get(cid)
        if channel is None:
            raise KeyError(f"unknown channel {cid}")
        return channel

    def _resolve_message(self, message: Any) -> dict[str, Any]:
        if isinstance(message, BotMessage):
            mid = message.id
        elif isinstance(message, Mapping):
            mid = int(message["id"])
        else:
            mid = int(getattr(message, "id", message))
        stored = self.messages.get(mid)
        if stored is None:
            raise KeyError(f"unknown (or deleted) message {mid}")
        return stored

    async def post_message(
        self,
        content: str,
        *,
        author: Any,
        channel_id: int | None = None,
        mentions: Iterable[Any] = (),
        mention_everyone: bool = False,
        mention_roles: Iterable[int] = (),
        reference_message_id: int | None = None,
        mention_replied_author: bool = True,
        embeds: Sequence[Mapping[str, Any]] = (),
        attachments: Sequence[tuple[str, bytes]] = (),
    ) -> dict[str, Any]:
        """A member types a message: store it and dispatch MESSAGE_CREATE. Returns the payload.

        ``<@id>`` / ``<@&id>`` in ``content`` count as mentions like on Discord, in addition to
        ``mentions`` (members, users or ids).  A reply pings its author unless
        ``mention_replied_author=False``.
        """
        channel = self._channel(channel_id)
        in_guild = channel["type"] != P.CHANNEL_DM
        uid = self._user_id(author)
        author_user = self.users[uid]
        member = self._member(uid) if in_guild else None
        cid = int(channel["id"])

        mention_ids = [self._user_id(m) for m in mentions]
        mention_ids += [int(x) for x in _USER_MENTION.findall(content)]
        referenced = None
        if reference_message_id is not None:
            referenced = self._resolve_message(reference_message_id)
            if mention_replied_author:
                mention_ids.append(int(referenced["author"]["id"]))
        mention_objs = [
            P.mention(self.users[i], self.members.get(i) if in_guild else None)
            for i in dict.fromkeys(mention_ids)
            if i in self.users
        ]
        role_ids = [int(r) for r in mention_roles] + [int(x) for x in _ROLE_MENTION.findall(content)]
        role_ids = [r for r in dict.fromkeys(role_ids) if r in self.roles]

        mid = P.snowflakes.next()
        atts = [self._store_attachment(cid, name, data, None) for name, data in attachments]
        msg = P.message(
            mid,
            cid,
            author_user,
            content,
            guild_id=self.guild_id if in_guild else None,
            member=member,
            embeds=[self._normalize_embed(e) for e in embeds],
            attachments=atts,
            mentions=mention_objs,
            mention_roles=role_ids,
            mention_everyone=mention_everyone,
            message_reference=self._reference(referenced) if referenced else None,
            referenced_message=referenced,
            type=P.MESSAGE_REPLY if referenced else P.MESSAGE_DEFAULT,
        )
        self._store_message(msg)
        await self.dispatch("MESSAGE_CREATE", msg)
        return copy.deepcopy(msg)

    def _require_bot_connected(self) -> None:
        if not self.connected:
            raise RuntimeError("no bot is connected to the fake gateway (start one with fake.run_bot(bot))")

    async def _dispatch_interaction(
        self,
        *,
        itype: int,
        data: dict[str, Any],
        user: Any,
        channel_id: int | None,
        permissions: int | str | None = None,
        message: Mapping[str, Any] | None = None,
        name: str | None = None,
        locale: str = "en-US",
        guild_id: int | None = None,
    ) -> InteractionRecord:
        self._require_bot_connected()
        channel = self._channel(channel_id)
        in_guild = channel["type"] != P.CHANNEL_DM
        uid = self._user_id(user)
        iid = P.snowflakes.next()
        token = "fake-" + secrets.token_urlsafe(24)
        common = dict(
            interaction_id=iid,
            application_id=self.application_id,
            type=itype,
            token=token,
            channel=channel,
            app_permissions=self.member_permissions(self.bot_member),
            data=data,
            message=message,
            locale=locale,
        )
        if in_guild:
            member = copy.deepcopy(self._member(uid))
            perms = self.member_permissions(member) if permissions is None else int(permissions)
            member["permissions"] = str(perms)
            payload = P.interaction(guild_id=guild_id or self.guild_id, member=member, **common)
        else:
            payload = P.interaction(user=self.users[uid], **common)
        P.check_event("INTERACTION_CREATE", payload)
        rec = InteractionRecord(
            id=iid,
            token=token,
            type=itype,
            payload=payload,
            user_id=uid,
            channel_id=int(channel["id"]),
            name=name,
            _fake=self,
            component_message_id=int(message["id"]) if message else None,
        )
        self.interactions[iid] = rec
        self._interactions_by_token[token] = rec
        rec.dispatched_at = time.perf_counter()
        await self.dispatch("INTERACTION_CREATE", payload, validate=False)
        return rec

    async def send_slash_command(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: Any,
        channel_id: int | None = None,
        subcommand: str | Sequence[str] | None = None,
        permissions: int | str | None = None,
        locale: str = "en-US",
    ) -> InteractionRecord:
        """A member runs ``/name [subcommand] option:value...``. Returns the interaction record.

        When the bot synced commands, the command must exist (guild commands first, then
        global), option types come from the synced definition and unknown/missing-required
        options raise like the Discord client would refuse them.  Without any sync the option
        types are inferred from the Python values.  ``permissions`` overrides the member's
        computed permission bits (``member.permissions`` in the payload).
        """
        definition, scope = self.find_command(name)
        if definition is None and (self.global_commands or any(self.guild_commands.values())):
            raise LookupError(
                f"/{name} is not a synced command; synced: {sorted(self.command_names()) or []} "
                f"global, {sorted(self.command_names(self.guild_id))} guild"
            )
        path = subcommand.split() if isinstance(subcommand, str) else list(subcommand or [])
        resolved: dict[str, Any] = {}
        defs = definition.get("options", []) if definition else None
        path_types: list[int] = []
        for i, part in enumerate(path):
            if defs is None:
                path_types.append(P.OPTION_SUB_COMMAND if i == len(path) - 1 else P.OPTION_SUB_COMMAND_GROUP)
                continue
            found = next((o for o in defs if o["name"] == part and o["type"] in (1, 2)), None)
            if found is None:
                raise LookupError(f"/{name}: no subcommand {part!r}; have {[o['name'] for o in defs]}")
            path_types.append(found["type"])
            defs = found.get("options", [])
        if defs is not None and any(o["type"] in (1, 2) for o in defs):
            raise ValueError(f"/{name} {' '.join(path)} needs a subcommand: {[o['name'] for o in defs]}")
        opts = self._build_options(defs, options or {}, resolved, f"/{' '.join([name, *path])}")
        for part, ptype in zip(reversed(path), reversed(path_types), strict=True):
            opts = [P.command_option(part, ptype, options=opts)]
        data = P.application_command_data(
            int(definition["id"]) if definition else P.snowflakes.next(),
            name,
            opts,
            guild_id=scope,
            resolved=resolved,
        )
        return await self._dispatch_interaction(
            itype=P.INTERACTION_APPLICATION_COMMAND,
            data=data,
            user=user,
            channel_id=channel_id,
            permissions=permissions,
            name=name,
            locale=locale,
        )

    async def send_autocomplete(
        self,
        name: str,
        focused: str,
        value: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: Any,
        channel_id: int | None = None,
        subcommand: str | Sequence[str] | None = None,
    ) -> InteractionRecord:
        """A member types ``value`` into option ``focused`` of ``/name`` (autocomplete, type 4)."""
        definition, scope = self.find_command(name)
        defs = definition.get("options", []) if definition else None
        path = subcommand.split() if isinstance(subcommand, str) else list(subcommand or [])
        path_types = []
        for part in path:
            found = next((o for o in defs or [] if o["name"] == part), None)
            path_types.append(found["type"] if found else P.OPTION_SUB_COMMAND)
            defs = found.get("options", []) if found else None
        resolved: dict[str, Any] = {}
        # while typing, other required options may still be empty
        opts = self._build_options(defs, options or {}, resolved, f"/{name}", check_required=False)
        ftype = next((o["type"] for o in defs or [] if o["name"] == focused), P.OPTION_STRING)
        opts.append(P.command_option(focused, ftype, value, focused=True))
        for part, ptype in zip(reversed(path), reversed(path_types), strict=True):
            opts = [P.command_option(part, ptype, options=opts)]
        data = P.application_command_data(
            int(definition["id"]) if definition else P.snowflakes.next(),
            name,
            opts,
            guild_id=scope,
            resolved=resolved,
        )
        return await self._dispatch_interaction(
            itype=P.INTERACTION_AUTOCOMPLETE, data=data, user=user, channel_id=channel_id, name=name
        )

    def _build_options(
        self,
        defs: list[dict[str, Any]] | None,
        values: Mapping[str, Any],
        resolved: dict[str, Any],
        where: str,
        *,
        check_required: bool = True,
    ) -> list[dict[str, Any]]:
        by_name = {o["name"]: o for o in defs} if defs is not None else None
        out = []
        for key, value in values.items():
            if by_name is not None:
                spec = by_name.get(key)
                if spec is None or spec["type"] in (1, 2):
                    raise ValueError(f"{where} has no option {key!r}; options: {sorted(by_name)}")
                otype = spec["type"]
                choices = spec.get("choices")
                if choices and value not in [c["value"] for c in choices]:
                    raise ValueError(
                        f"{where} {key}={value!r} is not one of the choices {[c['value'] for c in choices]}"
                    )
                self._check_bounds(spec, value, f"{where} {key}={value!r}")
            else:
                otype = self._infer_option_type(value)
            out.append(self._option_payload(key, otype, value, resolved))
        if by_name is not None and check_required:
            missing = [n for n, o in by_name.items() if o.get("required") and n not in values]
            if missing:
                raise ValueError(f"{where} is missing required options {missing}")
        return out

    @staticmethod
    def _check_bounds(spec: Mapping[str, Any], value: Any, what: str) -> None:
        checks = {
            "min_value": lambda b: value >= b,
            "max_value": lambda b: value <= b,
            "min_length": lambda b: len(value) >= b,
            "max_length": lambda b: len(value) <= b,
        }
        for bound, ok in checks.items():
            if spec.get(bound) is not None and not ok(spec[bound]):
                raise ValueError(f"{what} violates {bound}={spec[bound]}")

    @staticmethod
    def _infer_option_type(value: Any) -> int:
        if isinstance(value, bool):
            return P.OPTION_BOOLEAN
        if isinstance(value, int):
            return P.OPTION_INTEGER
        if isinstance(value, float):
            return P.OPTION_NUMBER
        if isinstance(value, str):
            return P.OPTION_STRING
        if isinstance(value, Mapping) and ("user" in value or "username" in value):
            return P.OPTION_USER
        raise TypeError(f"cannot infer the option type of {value!r}; sync the command first")

    def _option_payload(self, name: str, otype: int, value: Any, resolved: dict[str, Any]) -> dict[str, Any]:
        if otype == P.OPTION_STRING:
            if not isinstance(value, str):
                raise TypeError(f"option {name!r} is a string option, got {value!r}")
            return P.command_option(name, otype, value)
        if otype == P.OPTION_INTEGER:
            return P.command_option(name, otype, int(value))
        if otype == P.OPTION_BOOLEAN:
            return P.command_option(name, otype, bool(value))
        if otype == P.OPTION_NUMBER:
            return P.command_option(name, otype, float(value))
        if otype == P.OPTION_USER or (otype == P.OPTION_MENTIONABLE and not self._is_role(value)):
            uid = self._user_id(value)
            resolved.setdefault("users", {})[str(uid)] = copy.deepcopy(self.users[uid])
            if uid in self.members:
                m = P.partial_member(self.members[uid])
                m["permissions"] = str(self.member_permissions(self.members[uid]))
                resolved.setdefault("members", {})[str(uid)] = m
            return P.command_option(name, otype, str(uid))
        if otype in (P.OPTION_ROLE, P.OPTION_MENTIONABLE):
            rid = int(value["id"]) if isinstance(value, Mapping) else int(value)
            resolved.setdefault("roles", {})[str(rid)] = copy.deepcopy(self.roles[rid])
            return P.command_option(name, otype, str(rid))
        if otype == P.OPTION_CHANNEL:
            cid = int(value["id"]) if isinstance(value, Mapping) else int(value)
            ch = copy.deepcopy(self._channel(cid))
            ch["permissions"] = str(self.member_permissions(self.bot_member))
            resolved.setdefault("channels", {})[str(cid)] = ch
            return P.command_option(name, otype, str(cid))
        raise NotImplementedError(f"option type {otype} ({name!r}) is not supported by the fake")

    def _is_role(self, value: Any) -> bool:
        if isinstance(value, Mapping):
            return "permissions" in value and "user" not in value and "username" not in value
        return int(getattr(value, "id", value)) in self.roles

    async def click_button(
        self, message: Any, custom_id: str, *, user: Any, permissions: int | str | None = None,
        guild_id: int | None = None,
    ) -> InteractionRecord:
        """A member clicks the button ``custom_id`` on ``message`` (BotMessage, payload or id).

        ``guild_id``: the click comes from that server id instead of the fake's one real server, so it reaches
        the shard holding that id (the drills of sharded tests are posted for such ids, in a real channel).
        """
        msg = self._resolve_message(message)
        component = self._find_component(msg, custom_id)
        if component.get("type") != 2:
            raise TypeError(f"{custom_id!r} is a type {component.get('type')} component, not a button")
        if component.get("disabled"):
            raise ValueError(f"button {custom_id!r} is disabled; Discord clients cannot click it")
        return await self._dispatch_interaction(
            itype=P.INTERACTION_MESSAGE_COMPONENT,
            data=P.component_data(custom_id, 2),
            user=user,
            channel_id=int(msg["channel_id"]),
            message=msg,
            name=custom_id,
            permissions=permissions,
            guild_id=guild_id,
        )

    async def choose_select(
        self,
        message: Any,
        custom_id: str,
        values: Sequence[str],
        *,
        user: Any,
        permissions: int | str | None = None,
    ) -> InteractionRecord:
        """A member picks ``values`` in the string select ``custom_id`` on ``message``."""
        msg = self._resolve_message(message)
        component = self._find_component(msg, custom_id)
        if component.get("type") != 3:
            raise TypeError(f"{custom_id!r} is not a string select (type {component.get('type')})")
        allowed = [o["value"] for o in component.get("options", [])]
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise ValueError(f"select {custom_id!r} has no options {unknown}; options: {allowed}")
        lo, hi = component.get("min_values", 1), component.get("max_values", 1)
        if not lo <= len(values) <= hi:
            raise ValueError(f"select {custom_id!r} takes {lo}..{hi} values, got {len(values)}")
        return await self._dispatch_interaction(
            itype=P.INTERACTION_MESSAGE_COMPONENT,
            data=P.component_data(custom_id, 3, values),
            user=user,
            channel_id=int(msg["channel_id"]),
            message=msg,
            name=custom_id,
            permissions=permissions,
        )

    @staticmethod
    def _find_component(msg: Mapping[str, Any], custom_id: str) -> dict[str, Any]:
        found = [c for c in limits.iter_components(msg.get("components") or []) if c.get("custom_id") == custom_id]
        if not found:
            have = [
                c.get("custom_id") for c in limits.iter_components(msg.get("components") or []) if c.get("custom_id")
            ]
            raise LookupError(f"message {msg['id']} has no component {custom_id!r}; it has {have}")
        return found[0]

    def opened_modals(self) -> list[CallbackRecord]:
        return [c for c in self.callbacks if c.accepted and c.type == P.CALLBACK_MODAL]

    async def submit_modal(
        self,
        custom_id: str,
        values: Mapping[str, Any],
        *,
        user: Any,
        channel_id: int | None = None,
        permissions: int | str | None = None,
    ) -> InteractionRecord:
        """A member submits the modal ``custom_id`` the bot opened, with ``values`` by input custom_id.

        The submitted components mirror the modal the bot sent (action rows or labels); unknown
        inputs, missing required inputs or values outside min/max length raise ValueError/KeyError.
        """
        uid = self._user_id(user)
        candidates = [c for c in self.opened_modals() if c.data.get("custom_id") == custom_id]
        mine = [c for c in candidates if self.interactions[c.interaction_id].user_id == uid]
        chosen = (mine or candidates or [None])[-1]
        if chosen is None:
            opened = [c.data.get("custom_id") for c in self.opened_modals()]
            raise LookupError(f"the bot never opened a modal {custom_id!r}; opened: {opened}")
        origin = self.interactions[chosen.interaction_id]
        components = self._modal_submit_components(chosen.data.get("components") or [], values)
        message = self.messages.get(origin.component_message_id) if origin.component_message_id else None
        rec = await self._dispatch_interaction(
            itype=P.INTERACTION_MODAL_SUBMIT,
            data=P.modal_submit_data(custom_id, components),
            user=user,
            channel_id=channel_id or origin.channel_id,
            message=message,
            name=custom_id,
            permissions=permissions,
        )
        return rec

    @staticmethod
    def _modal_submit_components(
        components: Sequence[Mapping[str, Any]], values: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        remaining = dict(values)
        inputs: list[str] = []

        def with_id(src: Mapping[str, Any], out: dict[str, Any]) -> dict[str, Any]:
            if src.get("id") is not None:
                out["id"] = src["id"]
            return out

        def submit(c: Mapping[str, Any]) -> dict[str, Any] | None:
            ctype = c.get("type")
            if ctype == 1:
                children = [x for x in (submit(i) for i in c.get("components") or []) if x]
                return with_id(c, {"type": 1, "components": children})
            if ctype == 18:
                inner = submit(c["component"])
                return with_id(c, {"type": 18, "component": inner}) if inner else None
            cid = c.get("custom_id")
            if cid is None:
                return None
            inputs.append(cid)
            if ctype == 4:
                value = remaining.pop(cid, c.get("value") or "")
                if not isinstance(value, str):
                    raise TypeError(f"text input {cid!r} takes a string, got {value!r}")
                if c.get("required", True) and not value:
                    raise ValueError(f"text input {cid!r} is required")
                if value and c.get("min_length") is not None and len(value) < c["min_length"]:
                    raise ValueError(f"text input {cid!r} needs at least {c['min_length']} characters")
                if c.get("max_length") is not None and len(value) > c["max_length"]:
                    raise ValueError(f"text input {cid!r} allows at most {c['max_length']} characters")
                return with_id(c, {"type": 4, "custom_id": cid, "value": value})
            if ctype in (3, 5, 6, 7, 8):
                chosen = remaining.pop(cid, [])
                return with_id(c, {"type": ctype, "custom_id": cid, "values": list(chosen)})
            return None

        out = [x for x in (submit(c) for c in components) if x]
        if remaining:
            raise KeyError(f"the modal has no inputs {sorted(remaining)}; inputs: {inputs}")
        return out

    # ================================================================ HTTP plumbing

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        api = "/api/v10"
        bot = self._bot_auth
        routes: list[tuple[str, str, Handler]] = [
            ("GET", "/gateway", self._get_gateway),
            ("GET", "/gateway/bot", bot(self._get_gateway_bot)),
            ("GET", "/users/@me", bot(self._get_me)),
            ("POST", "/users/@me/channels", bot(self._create_dm)),
            ("GET", "/users/{user_id}", bot(self._get_user)),
            ("GET", "/oauth2/applications/@me", bot(self._get_application)),
            ("GET", "/applications/{app_id}/commands", bot(self._get_commands)),
            ("PUT", "/applications/{app_id}/commands", bot(self._put_commands)),
            ("POST", "/applications/{app_id}/commands", bot(self._post_command)),
            ("GET", "/applications/{app_id}/guilds/{guild_id}/commands", bot(self._get_commands)),
            ("PUT", "/applications/{app_id}/guilds/{guild_id}/commands", bot(self._put_commands)),
            ("POST", "/applications/{app_id}/guilds/{guild_id}/commands", bot(self._post_command)),
            ("GET", "/channels/{channel_id}", bot(self._get_channel)),
            ("GET", "/channels/{channel_id}/messages", bot(self._get_messages)),
            ("POST", "/channels/{channel_id}/messages", bot(self._post_message)),
            ("GET", "/channels/{channel_id}/messages/{message_id}", bot(self._get_message)),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", bot(self._patch_message)),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", bot(self._delete_message)),
            ("POST", "/channels/{channel_id}/typing", bot(self._typing)),
            ("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", bot(self._react)),
            (
                "DELETE",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
                bot(self._react),
            ),
            ("GET", "/guilds/{guild_id}", bot(self._get_guild)),
            ("GET", "/guilds/{guild_id}/channels", bot(self._get_guild_channels)),
            ("GET", "/guilds/{guild_id}/roles", bot(self._get_roles)),
            ("GET", "/guilds/{guild_id}/members/{user_id}", bot(self._get_member)),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self._interaction_callback),
            ("POST", "/webhooks/{app_id}/{token}", self._webhook_execute),
            ("GET", "/webhooks/{app_id}/{token}/messages/{message_id}", self._webhook_get),
            ("PATCH", "/webhooks/{app_id}/{token}/messages/{message_id}", self._webhook_patch),
            ("DELETE", "/webhooks/{app_id}/{token}/messages/{message_id}", self._webhook_delete),
        ]
        for method, path, handler in routes:
            router.add_route(method, api + path, handler)
        router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._get_attachment)
        router.add_get("/", self._gateway)
        router.add_get("/gateway", self._gateway)

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in ("/", "/gateway"):  # websocket: lives as long as the connection
            return await handler(request)
        record = RequestRecord(request.method, request.path, dict(request.query), time.perf_counter())
        self.requests.append(record)
        self._inflight += 1
        try:
            try:
                response = await handler(request)
            except web.HTTPException as exc:
                if exc.status not in (404, 405) or request.match_info.http_exception is None:
                    raise
                body = await request.text() if request.can_read_body else ""
                self.unhandled.append(UnhandledRequest(request.method, request.path, dict(request.query), body))
                _log.warning("fake Discord: unhandled %s %s", request.method, request.path)
                self._notify()
                response = self._json({"message": "404: Not Found", "code": 0}, 404)
        finally:
            self._inflight -= 1
            self._last_request_done = time.perf_counter()
        record.status = response.status
        return response

    def _bot_auth(self, handler: Handler) -> Handler:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            auth = request.headers.get("Authorization", "")
            if not auth.startswith("Bot ") or (self.token is not None and auth[4:] != self.token):
                return self._error(request, 401, 0, "401: Unauthorized")
            return await handler(request)

        wrapped.__name__ = getattr(handler, "__name__", "handler")
        return wrapped

    @staticmethod
    def _json(data: Any, status: int = 200) -> web.Response:
        # discord.py only parses JSON when Content-Type is exactly "application/json"
        return web.Response(status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json"})

    def _error(
        self, request: web.Request, status: int, code: int, message: str, errors: Sequence[str] = ()
    ) -> web.Response:
        self.rejected.append(RejectedRequest(request.method, request.path, status, code, message, list(errors)))
        self._notify()
        body: dict[str, Any] = {"message": message, "code": code}
        if errors:
            body["errors"] = {"_errors": [{"code": "BASE_TYPE_INVALID", "message": e} for e in errors]}
        return self._json(body, status)

    def _invalid_body(self, request: web.Request, errors: Sequence[str]) -> web.Response:
        return self._error(request, 400, 50035, "Invalid Form Body", errors)

    @staticmethod
    async def _read_body(request: web.Request) -> tuple[Any, list[tuple[str, str, bytes, str | None]]]:
        """(JSON body or payload_json, [(field, filename, bytes, content type)])."""
        if request.content_type.startswith("multipart/"):
            payload: Any = {}
            files = []
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":
                    payload = json.loads(await part.text())
                else:
                    data = bytes(await part.read(decode=False))
                    files.append((part.name or "", part.filename or "file", data, part.headers.get("Content-Type")))
            return payload, files
        raw = await request.read()
        return (json.loads(raw) if raw else None), []

    # ---------------------------------------------------------------- gateway + users + app

    async def _get_gateway(self, request: web.Request) -> web.Response:
        return self._json({"url": self.gateway_url.rstrip("/")})

    async def _get_gateway_bot(self, request: web.Request) -> web.Response:
        return self._json(
            {
                "url": self.gateway_url.rstrip("/"),
                "shards": self.recommended_shards,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        )

    async def _get_me(self, request: web.Request) -> web.Response:
        return self._json(P.current_user(self.bot_user))

    async def _get_user(self, request: web.Request) -> web.Response:
        user = self.users.get(int(request.match_info["user_id"]))
        if user is None:
            return self._error(request, 404, 10013, "Unknown User")
        return self._json(user)

    async def _create_dm(self, request: web.Request) -> web.Response:
        body = await request.json()
        uid = int(body.get("recipient_id", 0))
        if uid not in self.users:
            return self._error(request, 400, 50035, "Invalid Form Body", ["recipient_id: unknown user"])
        return self._json(self.open_dm(uid))

    async def _get_application(self, request: web.Request) -> web.Response:
        return self._json(
            P.application(
                self.application_id,
                self.bot_user["username"],
                self.owner["user"],
                flags=self.application_flags,
                bot_user=self.bot_user,
            )
        )

    # ---------------------------------------------------------------- application commands

    def _command_scope(self, request: web.Request) -> tuple[int | None, web.Response | None]:
        if int(request.match_info["app_id"]) != self.application_id:
            return None, self._error(request, 403, 50001, "Missing Access")
        gid = request.match_info.get("guild_id")
        if gid is not None and int(gid) != self.guild_id:
            return None, self._error(request, 403, 50001, "Missing Access")
        return (int(gid) if gid is not None else None), None

    def _full_command(
        self,
        command: Mapping[str, Any],
        guild_id: int | None,
        previous: Mapping[tuple[int, str], Mapping[str, Any]],
    ) -> dict[str, Any]:
        ctype = command.get("type", 1)
        old = previous.get((ctype, command.get("name")))
        full = {
            "id": old["id"] if old else str(P.snowflakes.next()),
            "application_id": str(self.application_id),
            "version": str(P.snowflakes.next()),
            "type": ctype,
            "name": command.get("name"),
            "name_localizations": command.get("name_localizations"),
            "description": command.get("description", ""),
            "description_localizations": command.get("description_localizations"),
            "options": copy.deepcopy(command.get("options", [])),
            "default_member_permissions": command.get("default_member_permissions"),
            "dm_permission": command.get("dm_permission", True),
            "contexts": command.get("contexts"),
            "integration_types": command.get("integration_types", [0]),
            "nsfw": command.get("nsfw", False),
        }
        if guild_id is not None:
            full["guild_id"] = str(guild_id)
        return full

    def _commands_for(self, guild_id: int | None) -> list[dict[str, Any]]:
        return self.global_commands if guild_id is None else self.guild_commands.setdefault(guild_id, [])

    async def _get_commands(self, request: web.Request) -> web.Response:
        guild_id, err = self._command_scope(request)
        return err or self._json(self._commands_for(guild_id))

    async def _put_commands(self, request: web.Request) -> web.Response:
        guild_id, err = self._command_scope(request)
        if err:
            return err
        body = await request.json()
        errors = limits.commands_errors(body)
        if errors:
            return self._invalid_body(request, errors)
        previous = {(c["type"], c["name"]): c for c in self._commands_for(guild_id)}
        stored = [self._full_command(c, guild_id, previous) for c in body]
        if guild_id is None:
            self.global_commands = stored
        else:
            self.guild_commands[guild_id] = stored
        self.command_syncs.append(SyncRecord(guild_id, copy.deepcopy(stored), time.perf_counter()))
        self._notify()
        return self._json(stored)

    async def _post_command(self, request: web.Request) -> web.Response:
        guild_id, err = self._command_scope(request)
        if err:
            return err
        body = await request.json()
        errors = limits.commands_errors([body])
        if errors:
            return self._invalid_body(request, errors)
        current = self._commands_for(guild_id)
        previous = {(c["type"], c["name"]): c for c in current}
        full = self._full_command(body, guild_id, previous)
        current[:] = [c for c in current if (c["type"], c["name"]) != (full["type"], full["name"])] + [full]
        self.command_syncs.append(SyncRecord(guild_id, [copy.deepcopy(full)], time.perf_counter()))
        self._notify()
        return self._json(full, 200 if previous.get((full["type"], full["name"])) else 201)

    # ---------------------------------------------------------------- guild reads

    def _guild_or_404(self, request: web.Request) -> web.Response | None:
        if int(request.match_info["guild_id"]) != self.guild_id:
            return self._error(request, 404, 10004, "Unknown Guild")
        return None

    async def _get_guild(self, request: web.Request) -> web.Response:
        return self._guild_or_404(request) or self._json(P.rest_guild(self.guild_payload()))

    async def _get_guild_channels(self, request: web.Request) -> web.Response:
        return self._guild_or_404(request) or self._json(list(self.channels.values()))

    async def _get_roles(self, request: web.Request) -> web.Response:
        return self._guild_or_404(request) or self._json(list(self.roles.values()))

    async def _get_member(self, request: web.Request) -> web.Response:
        err = self._guild_or_404(request)
        if err:
            return err
        member = self.members.get(int(request.match_info["user_id"]))
        if member is None:
            return self._error(request, 404, 10007, "Unknown Member")
        return self._json(member)

    # ---------------------------------------------------------------- messages

    def _channel_for(self, request: web.Request) -> dict[str, Any] | None:
        cid = int(request.match_info["channel_id"])
        return self.channels.get(cid) or self.dm_channels.get(cid)

    def _store_message(self, msg: dict[str, Any], *, in_history: bool = True) -> None:
        mid, cid = int(msg["id"]), int(msg["channel_id"])
        self.messages[mid] = msg
        if in_history:
            self._history.setdefault(cid, []).append(mid)
            channel = self.channels.get(cid) or self.dm_channels.get(cid)
            if channel is not None:
                channel["last_message_id"] = str(mid)
        self._notify()

    def _register_bot_message(self, bm: BotMessage) -> None:
        self.bot_messages.append(bm)
        self._bot_message_by_id[bm.id] = bm
        self._notify()

    def bot_message(self, message_id: int) -> BotMessage:
        return self._bot_message_by_id[int(message_id)]

    @staticmethod
    def _normalize_embed(embed: Mapping[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(dict(embed))
        out.setdefault("type", "rich")
        return out

    def _reference(self, referenced: Mapping[str, Any]) -> dict[str, Any]:
        ref = {"type": 0, "message_id": referenced["id"], "channel_id": referenced["channel_id"]}
        if "guild_id" in referenced:
            ref["guild_id"] = referenced["guild_id"]
        return ref

    def _store_attachment(self, channel_id: int, filename: str, data: bytes, content_type: str | None):
        aid = P.snowflakes.next()
        self._attachment_blobs[aid] = (data, content_type)
        url = f"{self.url}/attachments/{channel_id}/{aid}/{quote(filename)}"
        return P.attachment(aid, filename, len(data), url, content_type=content_type)

    def _attachments_from(
        self, channel_id: int, body: Mapping[str, Any], files: Sequence[tuple[str, str, bytes, str | None]]
    ) -> list[dict[str, Any]]:
        described = {str(a.get("id")): a for a in body.get("attachments") or []}
        out = []
        for index, (field, filename, data, ctype) in enumerate(files):
            m = re.fullmatch(r"files\[(\d+)\]", field)
            desc = described.get(m.group(1) if m else str(index), {})
            att = self._store_attachment(channel_id, desc.get("filename") or filename, data, ctype)
            if desc.get("description"):
                att["description"] = desc["description"]
            out.append(att)
        return out

    def _mentions_for(
        self,
        content: str,
        allowed: Mapping[str, Any] | None,
        referenced: Mapping[str, Any] | None,
        in_guild: bool,
    ):
        """(mention objects, role ids, mention_everyone) the way Discord applies allowed_mentions."""
        if allowed is None:
            parse, users, roles, replied = {"users", "roles", "everyone"}, set(), set(), True
        else:
            parse = set(allowed.get("parse") or [])
            users = {int(u) for u in allowed.get("users") or []}
            roles = {int(r) for r in allowed.get("roles") or []}
            replied = bool(allowed.get("replied_user", False))
        user_ids = [int(x) for x in _USER_MENTION.findall(content)]
        pinged = [u for u in user_ids if ("users" in parse or u in users) and u in self.users]
        if referenced is not None and replied:
            pinged.append(int(referenced["author"]["id"]))
        role_ids = [int(x) for x in _ROLE_MENTION.findall(content)]
        pinged_roles = [r for r in dict.fromkeys(role_ids) if ("roles" in parse or r in roles) and r in self.roles]
        everyone = ("@everyone" in content or "@here" in content) and "everyone" in parse
        objs = [P.mention(self.users[u], self.members.get(u) if in_guild else None) for u in dict.fromkeys(pinged)]
        return objs, pinged_roles, everyone

    def _bot_message_payload(
        self,
        channel: Mapping[str, Any],
        body: Mapping[str, Any],
        attachments: list[dict[str, Any]],
        *,
        flags: int,
        interaction: InteractionRecord | None = None,
        msg_type: int | None = None,
    ) -> dict[str, Any]:
        in_guild = channel["type"] != P.CHANNEL_DM
        ref_body = body.get("message_reference")
        referenced = self.messages.get(int(ref_body["message_id"])) if ref_body else None
        content = body.get("content") or ""
        mentions, roles, everyone = self._mentions_for(content, body.get("allowed_mentions"), referenced, in_guild)
        if msg_type is None:
            msg_type = P.MESSAGE_REPLY if referenced else P.MESSAGE_DEFAULT
        metadata = None
        if interaction is not None:
            metadata = P.interaction_metadata(
                interaction.id,
                interaction.type,
                self.users[interaction.user_id],
                guild_id=self.guild_id if in_guild else None,
                name=interaction.name if interaction.type == 2 else None,
            )
        return P.message(
            P.snowflakes.next(),
            int(channel["id"]),
            self.bot_user,
            content,
            guild_id=self.guild_id if in_guild else None,
            member=self.bot_member if in_guild and interaction is None else None,
            embeds=[self._normalize_embed(e) for e in body.get("embeds") or []],
            components=body.get("components") or [],
            attachments=attachments,
            mentions=mentions,
            mention_roles=roles,
            mention_everyone=everyone,
            nonce=body.get("nonce"),
            message_reference=self._reference(referenced) if referenced else None,
            referenced_message=referenced,
            webhook_id=self.application_id if interaction else None,
            application_id=self.application_id if interaction else None,
            interaction_metadata=metadata,
            flags=flags,
            type=msg_type,
            tts=bool(body.get("tts", False)),
            poll=body.get("poll"),
        )

    def _apply_edit(
        self,
        msg: dict[str, Any],
        body: Mapping[str, Any],
        files: Sequence[tuple[str, str, bytes, str | None]],
        *,
        allowed_default: Any = None,
    ) -> None:
        for key, empty in (("content", ""), ("embeds", []), ("components", [])):
            if key in body:
                value = body[key] if body[key] is not None else empty
                msg[key] = [self._normalize_embed(e) for e in value] if key == "embeds" else copy.deepcopy(value)
        if body.get("flags") is not None:
            msg["flags"] = (msg.get("flags", 0) & ~P.FLAG_SUPPRESS_EMBEDS) | (body["flags"] & P.FLAG_SUPPRESS_EMBEDS)
        cid = int(msg["channel_id"])
        if "attachments" in body and body["attachments"] is not None:
            keep = {str(a.get("id")) for a in body["attachments"]}
            msg["attachments"] = [a for a in msg.get("attachments", []) if a["id"] in keep]
        if files:
            msg["attachments"] = msg.get("attachments", []) + self._attachments_from(cid, body, files)
        if "content" in body or "allowed_mentions" in body:
            referenced = msg.get("referenced_message")
            allowed = body.get("allowed_mentions", allowed_default)
            mentions, roles, everyone = self._mentions_for(
                msg.get("content") or "", allowed, referenced, "guild_id" in msg
            )
            msg.update(mentions=mentions, mention_roles=[str(r) for r in roles], mention_everyone=everyone)
        msg["edited_timestamp"] = P.iso()

    async def _post_message(self, request: web.Request) -> web.Response:
        channel = self._channel_for(request)
        if channel is None:
            return self._error(request, 404, 10003, "Unknown Channel")
        if int(channel["id"]) in self.channels:
            perms = self.channel_permissions(self.bot_member, channel)
            if not perms & P.VIEW_CHANNEL:
                return self._error(request, 403, 50001, "Missing Access")
            if not perms & P.SEND_MESSAGES:
                return self._error(request, 403, 50013, "Missing Permissions")
        limited = self._take_send_slot(request, int(channel["id"]))
        if limited is not None:
            return limited
        body, files = await self._read_body(request)
        body = body or {}
        refused = limits.refusal(body, file_count=len(files))
        if refused:
            return self._error(request, 400, *refused)
        ref = body.get("message_reference")
        if (ref and int(channel["id"]) in self.channels
                and not self.channel_permissions(self.bot_member, channel) & P.READ_MESSAGE_HISTORY):
            return self._error(request, 403, 50013, "Missing Permissions")  # a reply needs Read Message History
        if ref and int(ref.get("message_id", 0)) not in self.messages and ref.get("fail_if_not_exists", True):
            return self._invalid_body(request, ["message_reference: Unknown message"])

        nonce = body.get("nonce")
        key = (self.bot_user_id, str(nonce))
        now = time.monotonic()
        if nonce is not None and body.get("enforce_nonce"):
            hit = self._nonces.get(key)
            if hit and now - hit[1] <= self.nonce_window and hit[0] in self.messages:
                self.nonce_hits.append({"nonce": nonce, "message_id": hit[0], "channel_id": int(channel["id"])})
                self._notify()
                return self._with_rate_headers(self._json(self.messages[hit[0]]), int(channel["id"]))

        flags = (body.get("flags") or 0) & (
            P.FLAG_SUPPRESS_EMBEDS | P.FLAG_SUPPRESS_NOTIFICATIONS | P.FLAG_IS_COMPONENTS_V2
        )
        attachments = self._attachments_from(int(channel["id"]), body, files)
        msg = self._bot_message_payload(channel, body, attachments, flags=flags)
        self._store_message(msg)
        if nonce is not None:
            self._nonces[key] = (int(msg["id"]), now)
        self._register_bot_message(
            BotMessage(payload=msg, request=copy.deepcopy(body), source="channel", files={f[1]: f[2] for f in files})
        )
        await self.dispatch("MESSAGE_CREATE", msg)
        return self._with_rate_headers(self._json(msg), int(channel["id"]))

    def _send_bucket(self, channel_id: int) -> collections.deque[float]:
        bucket = self._send_buckets.setdefault(channel_id, collections.deque())
        now = time.perf_counter()
        while bucket and now - bucket[0] >= self.send_window:
            bucket.popleft()
        return bucket

    def _take_send_slot(self, request: web.Request, channel_id: int) -> web.Response | None:
        """Discord's per-channel bucket on message sends: at most `send_limit` a `send_window`, else 429;
        and the global one: at most `global_limit` a second for the whole bot."""
        now = time.perf_counter()
        while self._global_bucket and now - self._global_bucket[0] >= 1.0:
            self._global_bucket.popleft()
        if len(self._global_bucket) >= self.global_limit:
            retry = max(0.001, 1.0 - (now - self._global_bucket[0]))
            self.rate_limited.append(RejectedRequest(request.method, request.path, 429, 0, "global rate limit", []))
            self._notify()
            response = self._json({"message": "You are being rate limited.", "retry_after": round(retry, 3),
                                   "global": True}, 429)
            response.headers.update({"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global",
                                     "Retry-After": str(max(1, int(retry + 0.999))), "Via": "1.1 google"})
            return response
        bucket = self._send_bucket(channel_id)
        if len(bucket) < self.send_limit:
            bucket.append(now)
            self._global_bucket.append(now)
            return None
        retry = max(0.001, self.send_window - (time.perf_counter() - bucket[0]))
        self.rate_limited.append(RejectedRequest(request.method, request.path, 429, 0, "rate limited", []))
        self._notify()
        response = self._json({"message": "You are being rate limited.", "retry_after": round(retry, 3),
                               "global": False}, 429)
        response.headers.update(self._rate_headers(channel_id, remaining=0, reset_after=retry))
        response.headers["Retry-After"] = str(max(1, int(retry + 0.999)))
        response.headers["X-RateLimit-Scope"] = "user"
        response.headers["Via"] = "1.1 google"  # Discord's 429s pass its proxy; without it discord.py sees a ban
        return response

    def _rate_headers(self, channel_id: int, *, remaining: int, reset_after: float) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.send_limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": f"channel-messages-{channel_id}",
        }

    def _with_rate_headers(self, response: web.Response, channel_id: int) -> web.Response:
        bucket = self._send_bucket(channel_id)
        reset_after = self.send_window - (time.perf_counter() - bucket[0]) if bucket else self.send_window
        response.headers.update(self._rate_headers(channel_id, remaining=max(0, self.send_limit - len(bucket)),
                                                   reset_after=max(0.0, reset_after)))
        return response

    def _message_in_channel(self, request: web.Request) -> dict[str, Any] | None:
        msg = self.messages.get(int(request.match_info["message_id"]))
        if msg is None or msg["channel_id"] != request.match_info["channel_id"]:
            return None
        if msg.get("flags", 0) & P.FLAG_EPHEMERAL:
            return None  # as on Discord: an ephemeral message exists only for its interaction's webhook
        return msg

    async def _get_message(self, request: web.Request) -> web.Response:
        if self._channel_for(request) is None:
            return self._error(request, 404, 10003, "Unknown Channel")
        msg = self._message_in_channel(request)
        return self._json(msg) if msg else self._error(request, 404, 10008, "Unknown Message")

    async def _get_messages(self, request: web.Request) -> web.Response:
        channel = self._channel_for(request)
        if channel is None:
            return self._error(request, 404, 10003, "Unknown Channel")
        if int(channel["id"]) in self.channels:
            perms = self.channel_permissions(self.bot_member, channel)
            if not perms & P.VIEW_CHANNEL:
                return self._error(request, 403, 50001, "Missing Access")
            if not perms & P.READ_MESSAGE_HISTORY:
                return self._json([])  # as Discord: no history without Read Message History, and no error
        ids = self._history.get(int(channel["id"]), [])
        q = request.query
        limit = max(1, min(100, int(q.get("limit", 50))))
        if "around" in q:
            around = int(q["around"])
            older = [i for i in ids if i < around]
            newer = [i for i in ids if i >= around]
            selected = older[-(limit // 2) :] if limit // 2 else []
            selected += newer[: limit - len(selected)]
        elif "after" in q:
            selected = [i for i in ids if i > int(q["after"])][:limit]
        elif "before" in q:
            selected = [i for i in ids if i < int(q["before"])][-limit:]
        else:
            selected = ids[-limit:]
        return self._json([self.messages[i] for i in reversed(selected)])

    async def _patch_message(self, request: web.Request) -> web.Response:
        if self._channel_for(request) is None:
            return self._error(request, 404, 10003, "Unknown Channel")
        msg = self._message_in_channel(request)
        if msg is None:
            return self._error(request, 404, 10008, "Unknown Message")
        body, files = await self._read_body(request)
        body = body or {}
        if msg["author"]["id"] != str(self.bot_user_id) and set(body) - {"flags"}:
            return self._error(request, 403, 50005, "Cannot edit a message authored by another user")
        refused = limits.refusal(body, file_count=len(files), partial=True)
        if refused:
            return self._error(request, 400, *refused)
        bm = self._bot_message_by_id.get(int(msg["id"]))
        candidate = copy.deepcopy(msg)
        self._apply_edit(candidate, body, files, allowed_default=bm.allowed_mentions if bm else None)
        if limits.is_empty_message(candidate, file_count=len(candidate.get("attachments", []))):
            return self._error(request, 400, 50006, "Cannot send an empty message")
        msg.clear()
        msg.update(candidate)
        if bm is not None:
            bm.edits.append(copy.deepcopy(body))
        await self.dispatch("MESSAGE_UPDATE", msg)
        return self._json(msg)

    async def _remove_message(self, msg: Mapping[str, Any], *, dispatch: bool = True) -> None:
        mid, cid = int(msg["id"]), int(msg["channel_id"])
        self.messages.pop(mid, None)
        if mid in self._history.get(cid, []):
            self._history[cid].remove(mid)
        self.deleted_message_ids.append(mid)
        bm = self._bot_message_by_id.get(mid)
        if bm is not None:
            bm.deleted = True
        if dispatch:
            data = {"id": str(mid), "channel_id": str(cid)}
            if "guild_id" in msg:
                data["guild_id"] = msg["guild_id"]
            await self.dispatch("MESSAGE_DELETE", data)
        self._notify()

    async def _delete_message(self, request: web.Request) -> web.Response:
        if self._channel_for(request) is None:
            return self._error(request, 404, 10003, "Unknown Channel")
        msg = self._message_in_channel(request)
        if msg is None:
            return self._error(request, 404, 10008, "Unknown Message")
        await self._remove_message(msg)
        return web.Response(status=204)

    async def _get_channel(self, request: web.Request) -> web.Response:
        channel = self._channel_for(request)
        return self._json(channel) if channel else self._error(request, 404, 10003, "Unknown Channel")

    async def _typing(self, request: web.Request) -> web.Response:
        channel = self._channel_for(request)
        if channel is None:
            return self._error(request, 404, 10003, "Unknown Channel")
        self.typing.append(int(channel["id"]))
        return web.Response(status=204)

    async def _react(self, request: web.Request) -> web.Response:
        msg = self._message_in_channel(request)
        if msg is None:
            return self._error(request, 404, 10008, "Unknown Message")
        self.reactions.append(
            {
                "message_id": int(msg["id"]),
                "emoji": request.match_info["emoji"],
                "added": request.method == "PUT",
            }
        )
        self._notify()
        return web.Response(status=204)

    async def _get_attachment(self, request: web.Request) -> web.Response:
        blob = self._attachment_blobs.get(int(request.match_info["attachment_id"]))
        if blob is None:
            return web.Response(status=404)
        return web.Response(body=blob[0], content_type=blob[1] or "application/octet-stream")

    # ---------------------------------------------------------------- interactions

    async def _interaction_callback(self, request: web.Request) -> web.Response:
        received = time.perf_counter()
        rec = self.interactions.get(int(request.match_info["interaction_id"]))
        if rec is None or rec.token != request.match_info["token"]:
            return self._error(request, 404, 10062, "Unknown interaction")
        body, files = await self._read_body(request)
        body = body or {}
        cb = CallbackRecord(
            interaction_id=rec.id,
            interaction_type=rec.type,
            type=int(body.get("type", 0)),
            data=copy.deepcopy(body.get("data") or {}),
            received_at=received,
            latency=received - rec.dispatched_at,
            timestamp=time.time(),
        )

        def reject(status: int, code: int, message: str, errors: Sequence[str] = ()) -> web.Response:
            cb.accepted, cb.status, cb.error = False, status, f"{code} {message} {list(errors) or ''}".strip()
            rec.callbacks.append(cb)
            self.callbacks.append(cb)
            return self._error(request, status, code, message, errors)

        if rec.response is not None:
            return reject(400, 40060, "Interaction has already been acknowledged.")
        if cb.latency > self.interaction_deadline:
            return reject(404, 10062, "Unknown interaction")
        if cb.type not in _VALID_CALLBACKS.get(rec.type, set()):
            return reject(
                400,
                50035,
                "Invalid Form Body",
                [f"type: callback type {cb.type} is not valid for interaction type {rec.type}"],
            )
        if cb.type in (P.CALLBACK_UPDATE_MESSAGE, P.CALLBACK_DEFERRED_UPDATE_MESSAGE) and (
            rec.component_message_id is None or rec.component_message_id not in self.messages
        ):
            return reject(400, 50035, "Invalid Form Body", ["type: no message to update"])

        data = body.get("data") or {}
        channel = self._channel(rec.channel_id)
        message: dict[str, Any] | None = None
        loading = False
        if cb.type == P.CALLBACK_CHANNEL_MESSAGE:
            refused = limits.refusal(data, file_count=len(files))
            if refused:
                return reject(400, *refused)
            attachments = self._attachments_from(rec.channel_id, data, files)
            message = self._bot_message_payload(
                channel,
                data,
                attachments,
                flags=(data.get("flags") or 0) & _CALLBACK_FLAGS,
                interaction=rec,
                msg_type=P.MESSAGE_CHAT_INPUT_COMMAND if rec.type == P.INTERACTION_APPLICATION_COMMAND else None,
            )
            rec.original = BotMessage(
                payload=message,
                request=copy.deepcopy(data),
                source="interaction",
                interaction_id=rec.id,
                files={f[1]: f[2] for f in files},
            )
        elif cb.type == P.CALLBACK_DEFERRED_CHANNEL_MESSAGE:
            loading = True
            flags = P.FLAG_LOADING | ((data.get("flags") or 0) & P.FLAG_EPHEMERAL)
            message = self._bot_message_payload(
                channel,
                {},
                [],
                flags=flags,
                interaction=rec,
                msg_type=P.MESSAGE_CHAT_INPUT_COMMAND if rec.type == P.INTERACTION_APPLICATION_COMMAND else None,
            )
            rec.original = BotMessage(
                payload=message, request=copy.deepcopy(data), source="interaction", interaction_id=rec.id
            )
        elif cb.type == P.CALLBACK_UPDATE_MESSAGE:
            target = self.messages[rec.component_message_id]  # type: ignore[index]
            refused = limits.refusal(data, file_count=len(files), partial=True)
            if refused:
                return reject(400, *refused)
            self._apply_edit(target, data, files)
            bm = self._bot_message_by_id.get(int(target["id"]))
            if bm is not None:
                bm.edits.append(copy.deepcopy(data))
            message = target
        elif cb.type == P.CALLBACK_MODAL:
            errors = limits.modal_errors(data)
            if errors:
                return reject(400, 50035, "Invalid Form Body", errors)
        elif cb.type == P.CALLBACK_AUTOCOMPLETE_RESULT:
            errors = limits.autocomplete_errors(data)
            if errors:
                return reject(400, 50035, "Invalid Form Body", errors)

        ephemeral = bool(message and message.get("flags", 0) & P.FLAG_EPHEMERAL)
        if cb.type in (P.CALLBACK_CHANNEL_MESSAGE, P.CALLBACK_DEFERRED_CHANNEL_MESSAGE):
            assert message is not None and rec.original is not None
            self._store_message(message, in_history=not ephemeral)
            self._register_bot_message(rec.original)
            cb.message = rec.original
        elif cb.type == P.CALLBACK_UPDATE_MESSAGE and message is not None:
            cb.message = self._bot_message_by_id.get(int(message["id"]))
        rec.callbacks.append(cb)
        self.callbacks.append(cb)
        self._notify()

        if message is not None and not ephemeral:
            event = "MESSAGE_UPDATE" if cb.type == P.CALLBACK_UPDATE_MESSAGE else "MESSAGE_CREATE"
            await self.dispatch(event, message)

        if request.query.get("with_response", "").lower() not in ("1", "true"):
            return web.Response(status=204)
        return self._json(
            P.callback_response(
                interaction_id=rec.id,
                interaction_type=rec.type,
                callback_type=cb.type,
                message=message,
                loading=loading,
                ephemeral=ephemeral,
            )
        )

    def _webhook_interaction(self, request: web.Request) -> InteractionRecord | None:
        rec = self._interactions_by_token.get(request.match_info["token"])
        if rec is None or int(request.match_info["app_id"]) != self.application_id or rec.response is None:
            return None
        return rec

    def _webhook_target(self, rec: InteractionRecord, message_id: str) -> dict[str, Any] | None:
        if message_id == "@original":
            if rec.original is not None and not rec.original.deleted:
                return rec.original.payload
            if rec.component_message_id is not None and rec.response and rec.response.type in (6, 7):
                return self.messages.get(rec.component_message_id)
            return None
        mid = int(message_id)
        candidates = ([rec.original] if rec.original else []) + rec.followups
        for bm in candidates:
            if bm.id == mid and not bm.deleted:
                return bm.payload
        if mid == rec.component_message_id:
            return self.messages.get(mid)
        return None

    async def _webhook_execute(self, request: web.Request) -> web.Response:
        rec = self._webhook_interaction(request)
        if rec is None:
            return self._error(request, 404, 10015, "Unknown Webhook")
        if time.perf_counter() - rec.dispatched_at > self.interaction_token_ttl:
            return self._error(request, 401, 50027, "Invalid Webhook Token")
        body, files = await self._read_body(request)
        body = body or {}
        refused = limits.refusal(body, file_count=len(files))
        if refused:
            return self._error(request, 400, *refused)
        original = rec.original
        if original is not None and original.loading and not original.deleted and not rec.followups:
            # Discord: the first follow-up after a deferred response edits the "thinking" message
            # (and keeps the ephemeral state chosen at defer time).
            msg = original.payload
            self._apply_edit(msg, body, files)
            msg["flags"] = msg.get("flags", 0) & ~P.FLAG_LOADING
            original.request = copy.deepcopy(body)
            original.files.update({f[1]: f[2] for f in files})
            bm, event = original, "MESSAGE_UPDATE"
        else:
            channel = self._channel(rec.channel_id)
            attachments = self._attachments_from(rec.channel_id, body, files)
            msg = self._bot_message_payload(
                channel, body, attachments, flags=(body.get("flags") or 0) & _CALLBACK_FLAGS, interaction=rec
            )
            bm = BotMessage(
                payload=msg,
                request=copy.deepcopy(body),
                source="followup",
                interaction_id=rec.id,
                files={f[1]: f[2] for f in files},
            )
            self._store_message(msg, in_history=not bm.ephemeral)
            self._register_bot_message(bm)
            event = "MESSAGE_CREATE"
        rec.followups.append(bm)
        self.followups.append(bm)
        self._notify()
        if not bm.ephemeral:
            await self.dispatch(event, msg)
        if request.query.get("wait", "").lower() in ("1", "true"):
            return self._json(msg)
        return web.Response(status=204)

    async def _webhook_get(self, request: web.Request) -> web.Response:
        rec = self._webhook_interaction(request)
        if rec is None:
            return self._error(request, 404, 10015, "Unknown Webhook")
        if time.perf_counter() - rec.dispatched_at > self.interaction_token_ttl:
            return self._error(request, 401, 50027, "Invalid Webhook Token")
        msg = self._webhook_target(rec, request.match_info["message_id"])
        return self._json(msg) if msg else self._error(request, 404, 10008, "Unknown Message")

    async def _webhook_patch(self, request: web.Request) -> web.Response:
        rec = self._webhook_interaction(request)
        if rec is None:
            return self._error(request, 404, 10015, "Unknown Webhook")
        if time.perf_counter() - rec.dispatched_at > self.interaction_token_ttl:
            return self._error(request, 401, 50027, "Invalid Webhook Token")
        msg = self._webhook_target(rec, request.match_info["message_id"])
        if msg is None:
            return self._error(request, 404, 10008, "Unknown Message")
        body, files = await self._read_body(request)
        body = body or {}
        refused = limits.refusal(body, file_count=len(files), partial=True)
        if refused:
            return self._error(request, 400, *refused)
        bm = self._bot_message_by_id.get(int(msg["id"]))
        candidate = copy.deepcopy(msg)
        self._apply_edit(candidate, body, files, allowed_default=bm.allowed_mentions if bm else None)
        candidate["flags"] = candidate.get("flags", 0) & ~P.FLAG_LOADING
        if limits.is_empty_message(candidate, file_count=len(candidate.get("attachments", []))):
            return self._error(request, 400, 50006, "Cannot send an empty message")
        msg.clear()
        msg.update(candidate)
        if bm is not None:
            bm.edits.append(copy.deepcopy(body))
        self._notify()
        if not msg.get("flags", 0) & P.FLAG_EPHEMERAL:
            await self.dispatch("MESSAGE_UPDATE", msg)
        return self._json(msg)

    async def _webhook_delete(self, request: web.Request) -> web.Response:
        rec = self._webhook_interaction(request)
        if rec is None:
            return self._error(request, 404, 10015, "Unknown Webhook")
        if time.perf_counter() - rec.dispatched_at > self.interaction_token_ttl:
            return self._error(request, 401, 50027, "Invalid Webhook Token")
        msg = self._webhook_target(rec, request.match_info["message_id"])
        if msg is None:
            return self._error(request, 404, 10008, "Unknown Message")
        await self._remove_message(msg, dispatch=not msg.get("flags", 0) & P.FLAG_EPHEMERAL)
        return web.Response(status=204)

    # ---------------------------------------------------------------- gateway websocket

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        if not ws.can_prepare(request).ok:
            return self._json({"message": "expected a websocket upgrade", "code": 0}, 400)
        await ws.prepare(request)
        compress = self.gateway_compression and request.query.get("compress") == "zlib-stream"
        conn = _Connection(ws, compress=compress, query=request.query)
        self._connections[conn.id] = conn
        watchdog = asyncio.create_task(self._heartbeat_watchdog(conn))
        self.gateway_connects.append(
            {"connection_id": conn.id, "path": request.path, "query": conn.query, "compressed": compress}
        )
        try:
            await conn.send(
                {
                    "op": 10,
                    "d": {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["fake-discord"]},
                    "s": None,
                    "t": None,
                }
            )
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    try:
                        frame = json.loads(msg.data)
                    except ValueError:
                        await self._close_connection(conn, 4002, "Error while decoding payload.")
                        break
                    await self._on_gateway_frame(conn, frame)
                elif msg.type == WSMsgType.BINARY:
                    await self._close_connection(conn, 4002, "Error while decoding payload.")
                    break
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            watchdog.cancel()
            conn.closed = True
            conn.close_code = ws.close_code
            session = conn.session
            if session is not None and session.connection is conn:
                session.connection = None
                if not conn.server_closed and ws.close_code in (1000, 1001):
                    session.alive = False  # a clean client close ends the session on Discord
            self.gateway_closes.append(
                {
                    "connection_id": conn.id,
                    # who closed first decides the code that matters
                    "code": conn.server_close_code if conn.server_closed else ws.close_code,
                    "by_server": conn.server_closed,
                }
            )
            self._connections.pop(conn.id, None)
            self._notify()
        return ws

    async def _heartbeat_watchdog(self, conn: _Connection) -> None:
        conn.last_heartbeat = time.perf_counter()
        while not conn.closed:
            interval = self.heartbeat_interval_ms / 1000
            await asyncio.sleep(min(interval / 4, 1.0))
            if not conn.closed and time.perf_counter() - conn.last_heartbeat > interval * self.heartbeat_grace:
                self.missed_heartbeat_closes.append(conn.id)
                await self._close_connection(conn, 4000, "Heartbeat missed")
                return

    async def _on_gateway_frame(self, conn: _Connection, frame: Mapping[str, Any]) -> None:
        op, d = frame.get("op"), frame.get("d")
        if op == 1:
            conn.last_heartbeat = time.perf_counter()
            self.heartbeats.append(
                HeartbeatRecord(
                    conn.id,
                    conn.session.id if conn.session else None,
                    time.perf_counter(),
                    d,
                    self.heartbeat_interval_ms / 1000,
                )
            )
            self._notify()
            if self.ack_heartbeats:
                await conn.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(conn, d or {})
        elif op == 6:
            await self._resume(conn, d or {})
        elif op == 3:
            self.presence_updates.append(d)
            self._notify()
        elif op == 8:
            await self._request_members(conn, d or {})
        elif op == 4:
            pass  # voice state update: no voice in the fake
        else:
            self.unhandled.append(UnhandledRequest("GATEWAY", f"op {op}", {}, json.dumps(frame)))
            self._notify()

    async def _identify(self, conn: _Connection, d: Mapping[str, Any]) -> None:
        self.identifies.append(copy.deepcopy(dict(d)))
        self._notify()
        if conn.session is not None:
            await self._close_connection(conn, 4005, "Already authenticated.")
            return
        if self.token is not None and d.get("token") != self.token:
            await self._close_connection(conn, 4004, "Authentication failed.")
            return
        intents = d.get("intents")
        if not isinstance(intents, int):
            await self._close_connection(conn, 4013, "Invalid intent(s).")
            return
        if intents & P.PRIVILEGED_INTENTS & ~self.privileged_intents:
            await self._close_connection(conn, 4014, "Disallowed intent(s).")
            return
        shard = d.get("shard") or [0, 1]
        if (not isinstance(shard, list) or len(shard) != 2 or not all(isinstance(x, int) for x in shard)
                or not 0 <= shard[0] < shard[1]):
            await self._close_connection(conn, 4010, "Invalid shard.")
            return
        session = _Session(secrets.token_hex(16), d.get("token"), intents, list(shard))
        self._sessions[session.id] = session
        session.connection = conn
        conn.session = session
        ready = P.ready(
            bot_user=self.bot_user,
            session_id=session.id,
            resume_gateway_url=self.gateway_url.rstrip("/"),
            application_id=self.application_id,
            application_flags=self.application_flags,
            guild_ids=[self.guild_id] if session.holds(self.guild_id) else [],
            shard=session.shard,
        )
        P.check_event("READY", ready)
        await session.dispatch("READY", ready)
        if intents & P.INTENT_GUILDS and session.holds(self.guild_id):
            guild = self.guild_payload(intents)
            P.check_event("GUILD_CREATE", guild)
            await session.dispatch("GUILD_CREATE", guild)
        self._notify()

    async def _resume(self, conn: _Connection, d: Mapping[str, Any]) -> None:
        session = self._sessions.get(d.get("session_id") or "")
        if session is None or not session.alive or (self.token is not None and d.get("token") != self.token):
            await conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        old = session.connection
        if old is not None and old is not conn and not old.closed:
            await self._close_connection(old, 4000, "session resumed elsewhere")
        await session.resume(conn, d.get("seq"))
        self._notify()

    async def _request_members(self, conn: _Connection, d: Mapping[str, Any]) -> None:
        if conn.session is None:
            return
        members = list(self.members.values())
        if d.get("user_ids"):
            wanted = {int(u) for u in (d["user_ids"] if isinstance(d["user_ids"], list) else [d["user_ids"]])}
            members = [m for m in members if int(m["user"]["id"]) in wanted]
        elif d.get("query"):
            members = [m for m in members if m["user"]["username"].lower().startswith(d["query"].lower())]
        if d.get("limit"):
            members = members[: d["limit"]]
        chunk = {
            "guild_id": str(self.guild_id),
            "members": copy.deepcopy(members),
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
            "nonce": d.get("nonce"),
        }
        P.check_event("GUILD_MEMBERS_CHUNK", chunk)
        await conn.session.dispatch("GUILD_MEMBERS_CHUNK", chunk)
