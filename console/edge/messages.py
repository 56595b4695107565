"""Checks on what an agent's console sends over its websocket, before any handler sees it."""

import json
from typing import Any

from campaigns.errors import Invalid
from campaigns.i18n import _
from campaigns.safe_text import has_forbidden
from campaigns.settings import get_settings
from console.deps import INT32_MAX
from console.edge.text import refused_text


class MessageTooLarge(Invalid):
    """A websocket message or a draft past its size limit."""


def check_message_size(text: str) -> None:
    """Refuse a message past the websocket limit before it is parsed."""
    limit = get_settings().ws_message_max_bytes
    if len(text.encode("utf-8", "surrogatepass")) > limit:
        raise MessageTooLarge(
            _("The message is too large (limit {kb} KB); shorten the text."), kb=limit // 1000
        )


def _is_row_id(value: Any) -> bool:
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= INT32_MAX


def _bad_ids(value: Any, path: str = "") -> list[str]:
    """Fields named `*_id` anywhere in the message that are not a row id (1 .. 2^31-1)."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if str(key).endswith("_id") and item is not None:
                if not _is_row_id(item):
                    found.append(where)
            else:
                found.extend(_bad_ids(item, where))
    elif isinstance(value, list):
        for item in value:
            found.extend(_bad_ids(item, path))
    return found


def check_agent_message(message: dict[str, Any]) -> None:
    """Refuse forbidden characters anywhere in the message, ids that are not row ids, and
    drafts past their limit."""
    if has_forbidden(message):
        raise refused_text()
    bad = _bad_ids(message)
    if bad:
        raise Invalid(
            _("Check these values and try again: {fields}."), fields=", ".join(sorted(set(bad)))
        )
    if message.get("type") == "draft":
        limit = get_settings().draft_max_bytes
        if len(json.dumps(message.get("form"), ensure_ascii=False)) > limit:
            raise MessageTooLarge(
                _("The draft is too large (limit {kb} KB); shorten the notes."), kb=limit // 1000
            )
