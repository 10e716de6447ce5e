"""What the fake Discord server records, for tests to assert on."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .limits import iter_components
from .payloads import FLAG_EPHEMERAL, FLAG_LOADING

if TYPE_CHECKING:
    from .server import FakeDiscord


@dataclass(eq=False)
class BotMessage:
    """A message the bot created (channel send, interaction response or follow-up).

    ``payload`` is the live stored Discord message object: edits update it in place, so
    ``content``/``embeds``/``components`` always show the current state.  ``request`` is the
    body the bot sent when it created the message; later edit bodies are in ``edits``.
    """

    payload: dict[str, Any]
    request: dict[str, Any]
    source: str  # "channel" | "interaction" | "followup"
    created_at: float = field(default_factory=time.perf_counter)
    interaction_id: int | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    edits: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def channel_id(self) -> int:
        return int(self.payload["channel_id"])

    @property
    def content(self) -> str:
        return self.payload.get("content") or ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.payload.get("embeds") or []

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.payload.get("components") or []

    @property
    def flags(self) -> int:
        return self.payload.get("flags") or 0

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & FLAG_EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.flags & FLAG_LOADING)

    @property
    def allowed_mentions(self) -> dict[str, Any] | None:
        """``allowed_mentions`` of the creating request (``None`` when the bot sent none)."""
        return self.request.get("allowed_mentions")

    @property
    def nonce(self) -> str | int | None:
        return self.request.get("nonce")

    @property
    def mentions(self) -> list[int]:
        """Ids of the users this message actually pings (after ``allowed_mentions``)."""
        return [int(m["id"]) for m in self.payload.get("mentions", [])]

    @property
    def mention_everyone(self) -> bool:
        return bool(self.payload.get("mention_everyone"))

    @property
    def reference_id(self) -> int | None:
        ref = self.payload.get("message_reference")
        return int(ref["message_id"]) if ref and ref.get("message_id") else None

    @property
    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in iter_components(self.components) if "custom_id" in c]

    @property
    def text(self) -> str:
        """Content plus embed titles/descriptions/fields, for loose "does it say X" checks."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title") or "", embed.get("description") or ""]
            for f in embed.get("fields") or []:
                parts += [f.get("name") or "", f.get("value") or ""]
            parts.append((embed.get("footer") or {}).get("text") or "")
        return "\n".join(p for p in parts if p)


@dataclass(eq=False)
class CallbackRecord:
    """One ``POST /interactions/{id}/{token}/callback``."""

    interaction_id: int
    interaction_type: int
    type: int  # the callback type: 4 message, 5 deferred, 6 deferred update, 7 update, 8 autocomplete, 9 modal
    data: dict[str, Any]
    received_at: float  # time.perf_counter()
    latency: float  # seconds from sending INTERACTION_CREATE to this request arriving
    timestamp: float  # time.time()
    accepted: bool = True
    status: int = 200
    error: str | None = None
    message: BotMessage | None = None


@dataclass(eq=False)
class InteractionRecord:
    """An interaction the fake dispatched, with everything the bot did in response."""

    id: int
    token: str
    type: int
    payload: dict[str, Any]
    user_id: int
    channel_id: int
    name: str | None = None  # command name or custom_id
    dispatched_at: float = 0.0
    callbacks: list[CallbackRecord] = field(default_factory=list)
    followups: list[BotMessage] = field(default_factory=list)
    original: BotMessage | None = None
    component_message_id: int | None = None
    _fake: FakeDiscord | None = field(default=None, repr=False)

    @property
    def response(self) -> CallbackRecord | None:
        """The accepted callback, if the bot answered in time."""
        return next((c for c in self.callbacks if c.accepted), None)

    @property
    def latency(self) -> float | None:
        """Seconds from INTERACTION_CREATE to the first callback request (accepted or not)."""
        return self.callbacks[0].latency if self.callbacks else None

    async def wait_response(self, timeout: float = 5.0) -> CallbackRecord:
        """Wait for the first callback; raises if it was rejected (late/duplicate)."""
        assert self._fake is not None
        cb = await self._fake.wait_for(
            lambda: self.callbacks[0] if self.callbacks else None,
            timeout,
            description=f"a callback for interaction {self.name!r}",
        )
        if not cb.accepted:
            raise AssertionError(f"callback for {self.name!r} was rejected: {cb.status} {cb.error}")
        return cb

    async def wait_followup(self, count: int = 1, timeout: float = 5.0) -> BotMessage:
        """Wait until ``count`` follow-ups exist and return the ``count``-th."""
        assert self._fake is not None
        return await self._fake.wait_for(
            lambda: self.followups[count - 1] if len(self.followups) >= count else None,
            timeout,
            description=f"follow-up #{count} for interaction {self.name!r}",
        )


@dataclass
class HeartbeatRecord:
    connection_id: int
    session_id: str | None
    at: float  # time.perf_counter()
    seq: int | None
    interval: float  # seconds, the heartbeat_interval sent in HELLO


@dataclass
class SyncRecord:
    guild_id: int | None  # None for global commands
    commands: list[dict[str, Any]]
    at: float


@dataclass
class RequestRecord:
    method: str
    path: str
    query: dict[str, str]
    at: float
    status: int | None = None


@dataclass
class UnhandledRequest:
    method: str
    path: str
    query: dict[str, str]
    body: str


@dataclass
class RejectedRequest:
    """A request the fake answered with a Discord error (validation, unknown interaction...)."""

    method: str
    path: str
    status: int
    code: int
    message: str
    errors: list[str]


@dataclass
class ParserError:
    event: str
    data: Any
    error: BaseException
