"""Discord API payload factories and shape checks for the fake Discord server.

Every object the fake server sends to discord.py is built here, with the keys the Discord API
documents (and discord.py reads).  discord.py drops a gateway event silently when a key it
indexes is missing, so ``check_event`` verifies the required keys of each dispatched event and
raises :class:`MalformedPayload` instead of letting the bot ignore it.

Ids are strings and timestamps ISO 8601 strings, as on the wire.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

DISCORD_EPOCH_MS = 1420070400000

# -- permission bits (https://discord.com/developers/docs/topics/permissions) -------------------
CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CHANGE_NICKNAME = 1 << 26
USE_APPLICATION_COMMANDS = 1 << 31
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 51) - 1

EVERYONE_PERMISSIONS = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)
ADMIN_ROLE_PERMISSIONS = MANAGE_GUILD | MANAGE_MESSAGES | MANAGE_CHANNELS | MENTION_EVERYONE
BOT_ROLE_PERMISSIONS = EVERYONE_PERMISSIONS | MANAGE_MESSAGES | MENTION_EVERYONE

# -- gateway intents (https://discord.com/developers/docs/topics/gateway#gateway-intents) -------
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# application flags matching the privileged intents switched on in the developer portal
APP_FLAG_GATEWAY_PRESENCE_LIMITED = 1 << 13
APP_FLAG_GATEWAY_GUILD_MEMBERS_LIMITED = 1 << 15
APP_FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED = 1 << 19

# -- message flags / types / interaction enums ---------------------------------------------------
FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12
FLAG_IS_COMPONENTS_V2 = 1 << 15

MESSAGE_DEFAULT = 0
MESSAGE_REPLY = 19
MESSAGE_CHAT_INPUT_COMMAND = 20

INTERACTION_PING = 1
INTERACTION_APPLICATION_COMMAND = 2
INTERACTION_MESSAGE_COMPONENT = 3
INTERACTION_AUTOCOMPLETE = 4
INTERACTION_MODAL_SUBMIT = 5

CALLBACK_PONG = 1
CALLBACK_CHANNEL_MESSAGE = 4
CALLBACK_DEFERRED_CHANNEL_MESSAGE = 5
CALLBACK_DEFERRED_UPDATE_MESSAGE = 6
CALLBACK_UPDATE_MESSAGE = 7
CALLBACK_AUTOCOMPLETE_RESULT = 8
CALLBACK_MODAL = 9

OPTION_SUB_COMMAND = 1
OPTION_SUB_COMMAND_GROUP = 2
OPTION_STRING = 3
OPTION_INTEGER = 4
OPTION_BOOLEAN = 5
OPTION_USER = 6
OPTION_CHANNEL = 7
OPTION_ROLE = 8
OPTION_MENTIONABLE = 9
OPTION_NUMBER = 10
OPTION_ATTACHMENT = 11

CHANNEL_GUILD_TEXT = 0
CHANNEL_DM = 1

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


class MalformedPayload(AssertionError):
    """A payload misses keys that discord.py (or the Discord API) requires."""


# -- snowflakes and timestamps --------------------------------------------------------------------


class SnowflakeGenerator:
    """Snowflakes with a real timestamp part that strictly increase across the process."""

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
            if candidate <= self._last:
                candidate = self._last + 1
            self._last = candidate
            return candidate


snowflakes = SnowflakeGenerator()


def snowflake_time(snowflake: int | str) -> dt.datetime:
    ms = (int(snowflake) >> 22) + DISCORD_EPOCH_MS
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def iso(moment: dt.datetime | None = None) -> str:
    return (moment or dt.datetime.now(dt.UTC)).isoformat()


def _sid(value: int | str | None) -> str | None:
    return None if value is None else str(value)


# -- users, members, roles ------------------------------------------------------------------------


def user(
    user_id: int,
    username: str,
    *,
    bot: bool = False,
    global_name: str | None = None,
    avatar: str | None = None,
) -> dict[str, Any]:
    """A user object (https://discord.com/developers/docs/resources/user#user-object)."""
    data: dict[str, Any] = {
        "id": str(user_id),
        "username": username,
        "discriminator": "0",
        "global_name": global_name if global_name is not None else (None if bot else username),
        "avatar": avatar,
        "banner": None,
        "accent_color": None,
        "public_flags": 0,
        "avatar_decoration_data": None,
        "primary_guild": None,
        "collectibles": None,
    }
    if bot:
        data["bot"] = True
    return data


def current_user(bot_user: Mapping[str, Any]) -> dict[str, Any]:
    """``GET /users/@me`` for a bot: the user object plus the private fields."""
    data = dict(bot_user)
    data.update({"verified": True, "mfa_enabled": False, "locale": "en-US", "flags": 0, "email": None})
    return data


def member(
    user_payload: Mapping[str, Any],
    *,
    roles: Iterable[int | str] = (),
    joined_at: str | None = None,
    nick: str | None = None,
    flags: int = 0,
    permissions: int | None = None,
) -> dict[str, Any]:
    """A guild member object with its ``user``; ``permissions`` only inside interactions."""
    data: dict[str, Any] = {
        "user": dict(user_payload),
        "nick": nick,
        "avatar": None,
        "banner": None,
        "roles": [str(r) for r in roles],
        "joined_at": joined_at or iso(),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": flags,
        "pending": False,
        "communication_disabled_until": None,
        "avatar_decoration_data": None,
    }
    if permissions is not None:
        data["permissions"] = str(permissions)
    return data


def partial_member(member_payload: Mapping[str, Any]) -> dict[str, Any]:
    """The member object attached to messages and mentions: no ``user``, no ``permissions``."""
    return {k: copy.deepcopy(v) for k, v in member_payload.items() if k not in ("user", "permissions")}


def role(
    role_id: int,
    name: str,
    *,
    permissions: int,
    position: int = 0,
    color: int = 0,
    hoist: bool = False,
    managed: bool = False,
    mentionable: bool = False,
    tags: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(role_id),
        "name": name,
        "color": color,
        "colors": {"primary_color": color, "secondary_color": None, "tertiary_color": None},
        "hoist": hoist,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": str(permissions),
        "managed": managed,
        "mentionable": mentionable,
        "flags": 0,
    }
    if tags is not None:
        data["tags"] = dict(tags)
    return data


# -- channels and guilds --------------------------------------------------------------------------


def text_channel(
    channel_id: int,
    guild_id: int,
    name: str,
    *,
    position: int = 0,
    topic: str | None = None,
    parent_id: int | None = None,
    last_message_id: int | None = None,
    nsfw: bool = False,
) -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": CHANNEL_GUILD_TEXT,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "topic": topic,
        "nsfw": nsfw,
        "last_message_id": _sid(last_message_id),
        "rate_limit_per_user": 0,
        "parent_id": _sid(parent_id),
        "last_pin_timestamp": None,
        "default_auto_archive_duration": 1440,
        "flags": 0,
    }


OVERWRITE_ROLE, OVERWRITE_MEMBER = 0, 1


def overwrite(target_id: int, *, member: bool = False, allow: int = 0, deny: int = 0) -> dict[str, Any]:
    """A channel permission overwrite for a role (the guild id is @everyone) or a member."""
    return {
        "id": str(target_id),
        "type": OVERWRITE_MEMBER if member else OVERWRITE_ROLE,
        "allow": str(allow),
        "deny": str(deny),
    }


def dm_channel(channel_id: int, recipient: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": CHANNEL_DM,
        "last_message_id": None,
        "recipients": [dict(recipient)],
        "flags": 0,
    }


def guild(
    guild_id: int,
    name: str,
    *,
    owner_id: int,
    roles: Sequence[Mapping[str, Any]],
    channels: Sequence[Mapping[str, Any]],
    members: Sequence[Mapping[str, Any]],
    member_count: int,
    joined_at: str,
    system_channel_id: int | None = None,
) -> dict[str, Any]:
    """A GUILD_CREATE payload: the guild object plus the gateway-only fields."""
    channel_list = []
    for channel in channels:
        entry = copy.deepcopy(dict(channel))
        entry.pop("guild_id", None)  # channels inside GUILD_CREATE carry no guild_id
        channel_list.append(entry)
    return {
        "id": str(guild_id),
        "name": name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "widget_enabled": False,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "premium_progress_bar_enabled": False,
        "preferred_locale": "en-US",
        "system_channel_id": _sid(system_channel_id),
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "application_id": None,
        "vanity_url_code": None,
        "max_members": 500000,
        "max_video_channel_users": 25,
        "features": [],
        "emojis": [],
        "stickers": [],
        "roles": [copy.deepcopy(dict(r)) for r in roles],
        # gateway GUILD_CREATE extras
        "joined_at": joined_at,
        "large": False,
        "unavailable": False,
        "member_count": member_count,
        "members": [copy.deepcopy(dict(m)) for m in members],
        "channels": channel_list,
        "threads": [],
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def rest_guild(guild_payload: Mapping[str, Any]) -> dict[str, Any]:
    """``GET /guilds/{id}``: the guild object without the gateway-only fields."""
    gateway_only = {
        "joined_at",
        "large",
        "unavailable",
        "member_count",
        "members",
        "channels",
        "threads",
        "presences",
        "voice_states",
        "stage_instances",
        "guild_scheduled_events",
        "soundboard_sounds",
    }
    return {k: copy.deepcopy(v) for k, v in guild_payload.items() if k not in gateway_only}


# -- application, READY ---------------------------------------------------------------------------


def application(app_id: int, name: str, owner: Mapping[str, Any], *, flags: int, bot_user: Mapping[str, Any]):
    """``GET /oauth2/applications/@me``."""
    return {
        "id": str(app_id),
        "name": name,
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "bot": dict(bot_user),
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "owner": dict(owner),
        "team": None,
        "flags": flags,
        "hook": True,
        "rpc_origins": [],
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "tags": [],
        "install_params": None,
        "integration_types_config": {"0": {}},
        "approximate_guild_count": 1,
    }


def ready(
    *,
    bot_user: Mapping[str, Any],
    session_id: str,
    resume_gateway_url: str,
    application_id: int,
    application_flags: int,
    guild_ids: Iterable[int],
    shard: Sequence[int] = (0, 1),
) -> dict[str, Any]:
    return {
        "v": 10,
        "user": current_user(bot_user),
        "guilds": [{"id": str(g), "unavailable": True} for g in guild_ids],
        "session_id": session_id,
        "session_type": "normal",
        "resume_gateway_url": resume_gateway_url,
        "shard": list(shard),
        "application": {"id": str(application_id), "flags": application_flags},
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": [],
        "user_settings": {},
        "auth": {},
        "_trace": ["fake-discord"],
    }


# -- messages -------------------------------------------------------------------------------------


def attachment(
    attachment_id: int, filename: str, size: int, url: str, *, content_type: str | None = None
) -> dict[str, Any]:
    return {
        "id": str(attachment_id),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url,
        "content_type": content_type,
        "description": None,
    }


def message(
    message_id: int,
    channel_id: int,
    author: Mapping[str, Any],
    content: str = "",
    *,
    guild_id: int | None = None,
    member: Mapping[str, Any] | None = None,
    embeds: Sequence[Mapping[str, Any]] = (),
    components: Sequence[Mapping[str, Any]] = (),
    attachments: Sequence[Mapping[str, Any]] = (),
    mentions: Sequence[Mapping[str, Any]] = (),
    mention_roles: Iterable[int | str] = (),
    mention_everyone: bool = False,
    nonce: str | int | None = None,
    message_reference: Mapping[str, Any] | None = None,
    referenced_message: Mapping[str, Any] | None = None,
    webhook_id: int | None = None,
    application_id: int | None = None,
    interaction_metadata: Mapping[str, Any] | None = None,
    flags: int = 0,
    type: int = MESSAGE_DEFAULT,  # noqa: A002 - the Discord field name
    tts: bool = False,
    poll: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A message object as in MESSAGE_CREATE (so with ``guild_id`` and ``member`` in guilds)."""
    data: dict[str, Any] = {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "author": dict(author),
        "content": content,
        "timestamp": iso(snowflake_time(message_id)),
        "edited_timestamp": None,
        "tts": tts,
        "mention_everyone": mention_everyone,
        "mentions": [copy.deepcopy(dict(m)) for m in mentions],
        "mention_roles": [str(r) for r in mention_roles],
        "attachments": [dict(a) for a in attachments],
        "embeds": [copy.deepcopy(dict(e)) for e in embeds],
        "components": [copy.deepcopy(dict(c)) for c in components],
        "reactions": [],
        "pinned": False,
        "type": type,
        "flags": flags,
        "sticker_items": [],
    }
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    if member is not None:
        data["member"] = partial_member(member)
    if nonce is not None:
        data["nonce"] = nonce
    if message_reference is not None:
        data["message_reference"] = dict(message_reference)
        data["referenced_message"] = copy.deepcopy(dict(referenced_message)) if referenced_message else None
    if webhook_id is not None:
        data["webhook_id"] = str(webhook_id)
    if application_id is not None:
        data["application_id"] = str(application_id)
    if interaction_metadata is not None:
        data["interaction_metadata"] = dict(interaction_metadata)
    if poll is not None:
        data["poll"] = dict(poll)
    return data


def mention(user_payload: Mapping[str, Any], member_payload: Mapping[str, Any] | None) -> dict[str, Any]:
    """An entry of ``message.mentions``: a user object with a partial ``member`` in guilds."""
    data = copy.deepcopy(dict(user_payload))
    if member_payload is not None:
        data["member"] = partial_member(member_payload)
    return data


def interaction_metadata(
    interaction_id: int,
    interaction_type: int,
    user_payload: Mapping[str, Any],
    *,
    guild_id: int | None,
    name: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(interaction_id),
        "type": interaction_type,
        "user": dict(user_payload),
        "authorizing_integration_owners": {"0": str(guild_id)} if guild_id else {"1": user_payload["id"]},
    }
    if name is not None:
        data["name"] = name
    return data


# -- interactions ---------------------------------------------------------------------------------


def interaction(
    *,
    interaction_id: int,
    application_id: int,
    type: int,  # noqa: A002 - the Discord field name
    token: str,
    channel: Mapping[str, Any],
    app_permissions: int,
    guild_id: int | None = None,
    member: Mapping[str, Any] | None = None,
    user: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    message: Mapping[str, Any] | None = None,
    locale: str = "en-US",
    guild_locale: str = "en-US",
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object).

    In a guild pass ``member`` (with ``user`` and a ``permissions`` string); in DMs pass ``user``.
    """
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(application_id),
        "type": type,
        "token": token,
        "version": 1,
        "channel": copy.deepcopy(dict(channel)),
        "channel_id": str(channel["id"]),
        "app_permissions": str(app_permissions),
        "locale": locale,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if guild_id is not None:
        if member is None:
            raise MalformedPayload("a guild interaction needs a member")
        payload["guild_id"] = str(guild_id)
        payload["guild"] = {"id": str(guild_id), "locale": guild_locale, "features": []}
        payload["guild_locale"] = guild_locale
        payload["member"] = copy.deepcopy(dict(member))
        payload["authorizing_integration_owners"] = {"0": str(guild_id)}
        payload["context"] = 0
    else:
        if user is None:
            raise MalformedPayload("a DM interaction needs a user")
        payload["user"] = copy.deepcopy(dict(user))
        payload["authorizing_integration_owners"] = {"0": str(user["id"])}
        payload["context"] = 1
    if data is not None:
        payload["data"] = copy.deepcopy(dict(data))
    if message is not None:
        payload["message"] = copy.deepcopy(dict(message))
    return payload


def command_option(
    name: str,
    type: int,  # noqa: A002 - the Discord field name
    value: Any = None,
    *,
    options: Sequence[Mapping[str, Any]] | None = None,
    focused: bool = False,
) -> dict[str, Any]:
    option: dict[str, Any] = {"name": name, "type": type}
    if type in (OPTION_SUB_COMMAND, OPTION_SUB_COMMAND_GROUP):
        option["options"] = [dict(o) for o in options or ()]
    else:
        option["value"] = value
    if focused:
        option["focused"] = True
    return option


def application_command_data(
    command_id: int,
    name: str,
    options: Sequence[Mapping[str, Any]] = (),
    *,
    guild_id: int | None = None,
    resolved: Mapping[str, Any] | None = None,
    command_type: int = 1,
) -> dict[str, Any]:
    data: dict[str, Any] = {"id": str(command_id), "name": name, "type": command_type}
    if options:
        data["options"] = [dict(o) for o in options]
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    if resolved:
        data["resolved"] = copy.deepcopy(dict(resolved))
    return data


def component_data(custom_id: str, component_type: int = 2, values: Sequence[str] | None = None):
    data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
    if values is not None:
        data["values"] = list(values)
    return data


def modal_submit_data(custom_id: str, components: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"custom_id": custom_id, "components": [copy.deepcopy(dict(c)) for c in components]}


def callback_response(
    *,
    interaction_id: int,
    interaction_type: int,
    callback_type: int,
    message: Mapping[str, Any] | None = None,
    loading: bool = False,
    ephemeral: bool = False,
) -> dict[str, Any]:
    """Body of ``POST /interactions/{id}/{token}/callback?with_response=true``."""
    inter: dict[str, Any] = {
        "id": str(interaction_id),
        "type": interaction_type,
        "activity_instance_id": None,
        "response_message_id": None,
        "response_message_loading": loading,
        "response_message_ephemeral": ephemeral,
    }
    resource: dict[str, Any] = {"type": callback_type}
    if message is not None:
        inter["response_message_id"] = message["id"]
        resource["message"] = copy.deepcopy(dict(message))
    return {"interaction": inter, "resource": resource}


# -- shape checks ---------------------------------------------------------------------------------

USER_KEYS = ("id", "username", "discriminator", "global_name", "avatar")
MEMBER_KEYS = ("roles", "joined_at", "deaf", "mute", "flags")
ROLE_KEYS = ("id", "name", "color", "hoist", "position", "permissions", "managed", "mentionable", "flags")
GUILD_CHANNEL_KEYS = ("id", "type", "name", "position", "permission_overwrites")
MESSAGE_KEYS = (
    "id",
    "channel_id",
    "author",
    "content",
    "timestamp",
    "edited_timestamp",
    "tts",
    "mention_everyone",
    "mentions",
    "mention_roles",
    "attachments",
    "embeds",
    "pinned",
    "type",
)
GUILD_KEYS = (
    "id",
    "name",
    "owner_id",
    "roles",
    "channels",
    "members",
    "member_count",
    "joined_at",
    "large",
    "unavailable",
    "emojis",
    "features",
)
INTERACTION_KEYS = (
    "id",
    "application_id",
    "type",
    "token",
    "version",
    "channel",
    "app_permissions",
    "locale",
    "entitlements",
    "authorizing_integration_owners",
    "attachment_size_limit",
)
READY_KEYS = ("v", "user", "guilds", "session_id", "resume_gateway_url", "shard", "application")
ATTACHMENT_KEYS = ("id", "filename", "size", "url", "proxy_url")


def require(obj: Any, keys: Iterable[str], where: str) -> None:
    if not isinstance(obj, Mapping):
        raise MalformedPayload(f"{where} must be an object, got {type(obj).__name__}: {obj!r:.200}")
    missing = [k for k in keys if k not in obj]
    if missing:
        raise MalformedPayload(f"{where} is missing {missing}; has {sorted(obj)}")


def check_user(obj: Any, where: str) -> None:
    require(obj, USER_KEYS, where)


def check_member(obj: Any, where: str, *, with_user: bool = True, with_permissions: bool = False) -> None:
    keys = MEMBER_KEYS + (("user",) if with_user else ()) + (("permissions",) if with_permissions else ())
    require(obj, keys, where)
    if with_user:
        check_user(obj["user"], f"{where}.user")
    if with_permissions:
        int(obj["permissions"])


def check_message(obj: Any, where: str = "message") -> None:
    require(obj, MESSAGE_KEYS, where)
    check_user(obj["author"], f"{where}.author")
    for i, m in enumerate(obj["mentions"]):
        check_user(m, f"{where}.mentions[{i}]")
        if "member" in m:
            check_member(m["member"], f"{where}.mentions[{i}].member", with_user=False)
    for i, a in enumerate(obj["attachments"]):
        require(a, ATTACHMENT_KEYS, f"{where}.attachments[{i}]")
    if "member" in obj:
        check_member(obj["member"], f"{where}.member", with_user=False)
    if obj.get("referenced_message"):
        check_message(obj["referenced_message"], f"{where}.referenced_message")
    if "interaction_metadata" in obj:
        require(obj["interaction_metadata"], ("id", "type", "user"), f"{where}.interaction_metadata")


def check_guild(obj: Any, where: str = "guild") -> None:
    require(obj, GUILD_KEYS, where)
    ids = {r.get("id") for r in obj["roles"]}
    if obj["id"] not in ids:
        raise MalformedPayload(f"{where}.roles lacks the @everyone role (id == guild id)")
    for i, r in enumerate(obj["roles"]):
        require(r, ROLE_KEYS, f"{where}.roles[{i}]")
    for i, c in enumerate(obj["channels"]):
        require(c, GUILD_CHANNEL_KEYS, f"{where}.channels[{i}]")
    for i, m in enumerate(obj["members"]):
        check_member(m, f"{where}.members[{i}]")


def check_interaction(obj: Any, where: str = "interaction") -> None:
    require(obj, INTERACTION_KEYS, where)
    require(obj["channel"], ("id", "type"), f"{where}.channel")
    if "guild_id" in obj:
        check_member(obj.get("member"), f"{where}.member", with_permissions=True)
    else:
        check_user(obj.get("user"), f"{where}.user")
    kind = obj["type"]
    if kind in (INTERACTION_APPLICATION_COMMAND, INTERACTION_AUTOCOMPLETE):
        require(obj.get("data"), ("id", "name", "type"), f"{where}.data")
        _check_options(obj["data"].get("options", []), f"{where}.data.options")
    elif kind == INTERACTION_MESSAGE_COMPONENT:
        require(obj.get("data"), ("custom_id", "component_type"), f"{where}.data")
        require(obj, ("message",), where)
        check_message(obj["message"], f"{where}.message")
    elif kind == INTERACTION_MODAL_SUBMIT:
        require(obj.get("data"), ("custom_id", "components"), f"{where}.data")
        for i, c in enumerate(obj["data"]["components"]):
            require(c, ("type",), f"{where}.data.components[{i}]")


def _check_options(options: Any, where: str) -> None:
    for i, option in enumerate(options):
        require(option, ("name", "type"), f"{where}[{i}]")
        if option["type"] in (OPTION_SUB_COMMAND, OPTION_SUB_COMMAND_GROUP):
            _check_options(option.get("options", []), f"{where}[{i}].options")
        else:
            require(option, ("value",), f"{where}[{i}]")


def check_event(event: str, data: Any) -> None:
    """Raise :class:`MalformedPayload` when a dispatched event lacks keys discord.py needs."""
    if event == "READY":
        require(data, READY_KEYS, "READY")
        check_user(data["user"], "READY.user")
        require(data["application"], ("id", "flags"), "READY.application")
    elif event == "GUILD_CREATE":
        check_guild(data, "GUILD_CREATE")
    elif event in ("MESSAGE_CREATE", "MESSAGE_UPDATE"):
        check_message(data, event)
    elif event == "CHANNEL_UPDATE":
        require(data, GUILD_CHANNEL_KEYS + ("guild_id",), event)
    elif event == "MESSAGE_DELETE":
        require(data, ("id", "channel_id"), event)
    elif event == "INTERACTION_CREATE":
        check_interaction(data, event)
    elif event == "GUILD_MEMBERS_CHUNK":
        require(data, ("guild_id", "members", "chunk_index", "chunk_count"), event)
        for i, m in enumerate(data["members"]):
            check_member(m, f"{event}.members[{i}]")
    elif event == "RESUMED":
        require(data, (), event)
