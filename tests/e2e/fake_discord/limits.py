"""Checks of request bodies against Discord's documented limits.

The real API answers a body that breaks a limit with ``400 {"code": 50035, "message":
"Invalid Form Body", "errors": ...}`` (or 50006 for an empty message); discord.py turns that
into ``discord.HTTPException``.  The fake server does the same so that a bot which would fail
on Discord also fails against the fake.  Each function returns a list of ``"path: problem"``
strings; empty means the body is acceptable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .payloads import FLAG_IS_COMPONENTS_V2

MESSAGE_CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
_EMBED_LIMITS = {"title": 256, "description": 4096}
EMBED_FIELDS_MAX = 25
NONCE_MAX = 25
CUSTOM_ID_MAX = 100
ACTION_ROWS_MAX = 5
BUTTONS_PER_ROW_MAX = 5
BUTTON_LABEL_MAX = 80
SELECT_OPTIONS_MAX = 25
MODAL_TITLE_MAX = 45
TEXT_INPUT_LABEL_MAX = 45
TEXT_INPUT_VALUE_MAX = 4000
AUTOCOMPLETE_CHOICES_MAX = 25
COMMANDS_MAX = 100
COMMAND_OPTIONS_MAX = 25
COMMAND_NAME_RE = re.compile(r"^[-_'\w]{1,32}$")

ALLOWED_MENTION_TYPES = {"users", "roles", "everyone"}


def _len(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def message_errors(body: Mapping[str, Any], *, file_count: int = 0, partial: bool = False) -> list[str]:
    """Problems with a create (or, with ``partial=True``, edit) message body."""
    errors: list[str] = []
    content = body.get("content")
    if content is not None and not isinstance(content, str):
        errors.append("content: must be a string")
    elif _len(content) > MESSAGE_CONTENT_MAX:
        errors.append(f"content: Must be {MESSAGE_CONTENT_MAX} or fewer in length (got {len(content)})")

    flags = body.get("flags") or 0
    embeds = body.get("embeds") or []
    if flags & FLAG_IS_COMPONENTS_V2 and (content or embeds):
        errors.append("flags: IS_COMPONENTS_V2 messages cannot have content or embeds")
    errors += embed_errors(embeds)
    errors += components_errors(body.get("components") or [], v2=bool(flags & FLAG_IS_COMPONENTS_V2))
    errors += allowed_mentions_errors(body.get("allowed_mentions"))

    nonce = body.get("nonce")
    if nonce is not None:
        if isinstance(nonce, str):
            if len(nonce) > NONCE_MAX:
                errors.append(f"nonce: Must be {NONCE_MAX} or fewer in length")
        elif not isinstance(nonce, int) or isinstance(nonce, bool):
            errors.append("nonce: must be an integer or a string")
    return errors


def is_empty_message(body: Mapping[str, Any], *, file_count: int = 0) -> bool:
    return not (
        body.get("content")
        or body.get("embeds")
        or body.get("components")
        or body.get("sticker_ids")
        or body.get("poll")
        or file_count
    )


def embed_errors(embeds: Sequence[Mapping[str, Any]]) -> list[str]:
    errors: list[str] = []
    if len(embeds) > EMBEDS_MAX:
        errors.append(f"embeds: Must be {EMBEDS_MAX} or fewer in length")
    total = 0
    for i, embed in enumerate(embeds):
        where = f"embeds[{i}]"
        for key, limit in _EMBED_LIMITS.items():
            n = _len(embed.get(key))
            total += n
            if n > limit:
                errors.append(f"{where}.{key}: Must be {limit} or fewer in length (got {n})")
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS_MAX:
            errors.append(f"{where}.fields: Must be {EMBED_FIELDS_MAX} or fewer in length")
        for j, field in enumerate(fields):
            name, value = field.get("name"), field.get("value")
            if not name:
                errors.append(f"{where}.fields[{j}].name: This field is required")
            if not value:
                errors.append(f"{where}.fields[{j}].value: This field is required")
            if _len(name) > 256:
                errors.append(f"{where}.fields[{j}].name: Must be 256 or fewer in length")
            if _len(value) > 1024:
                errors.append(f"{where}.fields[{j}].value: Must be 1024 or fewer in length")
            total += _len(name) + _len(value)
        footer = (embed.get("footer") or {}).get("text")
        author = (embed.get("author") or {}).get("name")
        if _len(footer) > 2048:
            errors.append(f"{where}.footer.text: Must be 2048 or fewer in length")
        if _len(author) > 256:
            errors.append(f"{where}.author.name: Must be 256 or fewer in length")
        total += _len(footer) + _len(author)
    if total > EMBED_TOTAL_MAX:
        errors.append(f"embeds: Embed size exceeds maximum size of {EMBED_TOTAL_MAX} (got {total})")
    return errors


def allowed_mentions_errors(allowed: Any) -> list[str]:
    if allowed is None:
        return []
    errors: list[str] = []
    parse = allowed.get("parse", [])
    bad = set(parse) - ALLOWED_MENTION_TYPES
    if bad:
        errors.append(f"allowed_mentions.parse: unknown values {sorted(bad)}")
    for kind in ("users", "roles"):
        if kind in parse and allowed.get(kind):
            errors.append(f"allowed_mentions: parse:[{kind}] and {kind}: [ids] are mutually exclusive")
        if len(allowed.get(kind) or []) > 100:
            errors.append(f"allowed_mentions.{kind}: Must be 100 or fewer in length")
    return errors


def iter_components(components: Sequence[Mapping[str, Any]]):
    """Yield every component, descending into action rows, containers, sections and labels."""
    for component in components:
        yield component
        yield from iter_components(component.get("components") or [])
        for key in ("accessory", "component"):
            child = component.get(key)
            if isinstance(child, Mapping):
                yield from iter_components([child])


def components_errors(components: Sequence[Mapping[str, Any]], *, v2: bool = False) -> list[str]:
    errors: list[str] = []
    if not v2 and len(components) > ACTION_ROWS_MAX:
        errors.append(f"components: Must be {ACTION_ROWS_MAX} or fewer in length")
    for i, row in enumerate(components):
        if not v2 and row.get("type") != 1:
            errors.append(
                f"components[{i}]: top-level components must be action rows (type 1) without the IS_COMPONENTS_V2 flag"
            )
        if row.get("type") == 1:
            children = row.get("components") or []
            if not children:
                errors.append(f"components[{i}].components: action row must not be empty")
            selects = [c for c in children if c.get("type") in (3, 5, 6, 7, 8)]
            if selects and len(children) > 1:
                errors.append(f"components[{i}]: a select menu must be alone in its action row")
            if len(children) > BUTTONS_PER_ROW_MAX:
                errors.append(f"components[{i}].components: Must be {BUTTONS_PER_ROW_MAX} or fewer in length")
    seen: set[str] = set()
    for component in iter_components(components):
        ctype = component.get("type")
        custom_id = component.get("custom_id")
        if custom_id is not None:
            if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= CUSTOM_ID_MAX:
                errors.append(f"custom_id {custom_id!r}: must be 1-{CUSTOM_ID_MAX} characters")
            if custom_id in seen:
                errors.append(f"custom_id {custom_id!r}: Component custom id cannot be duplicated")
            seen.add(custom_id)
        if ctype == 2:
            style = component.get("style")
            if style not in (1, 2, 3, 4, 5, 6):
                errors.append(f"button {custom_id!r}: invalid style {style!r}")
            if style == 5:
                if not component.get("url") or custom_id is not None:
                    errors.append("link button: needs a url and no custom_id")
            elif style != 6 and custom_id is None:
                errors.append("button: non-link buttons need a custom_id")
            if _len(component.get("label")) > BUTTON_LABEL_MAX:
                errors.append(f"button {custom_id!r}.label: Must be {BUTTON_LABEL_MAX} or fewer in length")
            if not component.get("label") and not component.get("emoji"):
                errors.append(f"button {custom_id!r}: needs a label or an emoji")
        elif ctype == 3:
            options = component.get("options") or []
            if not 1 <= len(options) <= SELECT_OPTIONS_MAX:
                errors.append(f"select {custom_id!r}.options: must have 1-{SELECT_OPTIONS_MAX} options")
            values = [o.get("value") for o in options]
            if len(set(values)) != len(values):
                errors.append(f"select {custom_id!r}.options: values must be unique")
            for o in options:
                if not 1 <= _len(o.get("label")) <= 100 or not 1 <= _len(o.get("value")) <= 100:
                    errors.append(f"select {custom_id!r}: option label/value must be 1-100 characters")
    return errors


def modal_errors(data: Mapping[str, Any]) -> list[str]:
    errors: list[str] = []
    title = data.get("title")
    if not isinstance(title, str) or not 1 <= len(title) <= MODAL_TITLE_MAX:
        errors.append(f"data.title: must be 1-{MODAL_TITLE_MAX} characters (got {title!r})")
    custom_id = data.get("custom_id")
    if not isinstance(custom_id, str) or not 1 <= len(custom_id) <= CUSTOM_ID_MAX:
        errors.append(f"data.custom_id: must be 1-{CUSTOM_ID_MAX} characters")
    components = data.get("components") or []
    if not 1 <= len(components) <= 5:
        errors.append("data.components: a modal needs 1-5 top-level components")
    for component in iter_components(components):
        if component.get("type") == 18 and _len(component.get("label")) > TEXT_INPUT_LABEL_MAX:
            errors.append(f"label {component.get('label')!r}: Must be {TEXT_INPUT_LABEL_MAX} or fewer in length")
        if component.get("type") == 4:
            label = component.get("label")
            if label is not None and _len(label) > TEXT_INPUT_LABEL_MAX:
                errors.append(
                    f"text input {component.get('custom_id')!r}.label: Must be "
                    f"{TEXT_INPUT_LABEL_MAX} or fewer in length"
                )
            if component.get("style") not in (1, 2):
                errors.append(f"text input {component.get('custom_id')!r}: style must be 1 or 2")
            for key in ("min_length", "max_length"):
                value = component.get(key)
                if value is not None and not 0 <= value <= TEXT_INPUT_VALUE_MAX:
                    errors.append(f"text input {component.get('custom_id')!r}.{key}: must be 0-4000")
            if _len(component.get("value")) > TEXT_INPUT_VALUE_MAX:
                errors.append(f"text input {component.get('custom_id')!r}.value: too long")
    return errors


def autocomplete_errors(data: Mapping[str, Any]) -> list[str]:
    choices = data.get("choices")
    if not isinstance(choices, list):
        return ["data.choices: This field is required"]
    if len(choices) > AUTOCOMPLETE_CHOICES_MAX:
        return [f"data.choices: Must be {AUTOCOMPLETE_CHOICES_MAX} or fewer in length"]
    return [
        f"data.choices[{i}]: needs name and value" for i, c in enumerate(choices) if "name" not in c or "value" not in c
    ]


def _option_errors(options: Sequence[Mapping[str, Any]], where: str, depth: int) -> list[str]:
    errors: list[str] = []
    if len(options) > COMMAND_OPTIONS_MAX:
        errors.append(f"{where}: Must be {COMMAND_OPTIONS_MAX} or fewer in length")
    names = [o.get("name") for o in options]
    if len(set(names)) != len(names):
        errors.append(f"{where}: option names must be unique")
    seen_optional = False
    for i, option in enumerate(options):
        here = f"{where}[{i}]({option.get('name')!r})"
        errors += _name_errors(option.get("name"), here)
        description = option.get("description")
        if not isinstance(description, str) or not 1 <= len(description) <= 100:
            errors.append(f"{here}.description: must be 1-100 characters")
        otype = option.get("type")
        if otype in (1, 2):
            if otype == 2 and depth > 0:
                errors.append(f"{here}: subcommand groups cannot be nested")
            errors += _option_errors(option.get("options") or [], f"{here}.options", depth + 1)
            continue
        if option.get("required"):
            if seen_optional:
                errors.append(f"{here}: Required options must be placed before non-required options")
        else:
            seen_optional = True
        if len(option.get("choices") or []) > 25:
            errors.append(f"{here}.choices: Must be 25 or fewer in length")
        if option.get("choices") and option.get("autocomplete"):
            errors.append(f"{here}: autocomplete cannot be used with choices")
    return errors


def _name_errors(name: Any, where: str) -> list[str]:
    if not isinstance(name, str) or not COMMAND_NAME_RE.match(name):
        return [f"{where}.name: must match {COMMAND_NAME_RE.pattern}"]
    if name != name.lower():
        return [f"{where}.name: chat input names must be lowercase"]
    return []


def commands_errors(commands: Any) -> list[str]:
    """Problems with a bulk-overwrite (PUT) list of application commands."""
    if not isinstance(commands, list):
        return ["body: must be an array of application commands"]
    errors: list[str] = []
    keys = [(c.get("type", 1), c.get("name")) for c in commands]
    for dup in {k for k in keys if keys.count(k) > 1}:
        errors.append(f"commands: duplicate command name {dup[1]!r} (type {dup[0]})")
    if sum(1 for c in commands if c.get("type", 1) == 1) > COMMANDS_MAX:
        errors.append(f"commands: Must be {COMMANDS_MAX} or fewer chat input commands")
    for i, command in enumerate(commands):
        where = f"[{i}]({command.get('name')!r})"
        ctype = command.get("type", 1)
        if ctype == 1:
            errors += _name_errors(command.get("name"), where)
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description) <= 100:
                errors.append(f"{where}.description: must be 1-100 characters")
            errors += _option_errors(command.get("options") or [], f"{where}.options", 0)
        else:
            name = command.get("name")
            if not isinstance(name, str) or not 1 <= len(name) <= 32:
                errors.append(f"{where}.name: must be 1-32 characters")
            if command.get("description"):
                errors.append(f"{where}.description: context menu commands have no description")
    return errors


def refusal(
    body: Mapping[str, Any], *, file_count: int = 0, partial: bool = False
) -> tuple[int, str, list[str]] | None:
    """Discord's 400 for a message body it refuses, as (code, message, errors), or None when it is fine.
    `partial`: an edit, which may leave content out."""
    errors = message_errors(body, file_count=file_count, partial=partial)
    if errors:
        return 50035, "Invalid Form Body", errors
    if not partial and is_empty_message(body, file_count=file_count):
        return 50006, "Cannot send an empty message", []
    return None
