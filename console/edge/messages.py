"""Checks on what an agent's console sends over its websocket, before any handler sees it."""

import json
from typing import Any

from campaigns.errors import Invalid
from campaigns.i18n import _
from campaigns.settings import get_settings
from console.edge.text import has_forbidden, refused_text


class MessageTooLarge(Invalid):
    """A websocket message or a draft past its size limit."""


def check_message_size(text: str) -> None:
    """Refuse a message past the websocket limit before it is parsed."""
    limit = get_settings().ws_message_max_bytes
    if len(text.encode("utf-8", "surrogatepass")) > limit:
        raise MessageTooLarge(
            _("The message is too large (limit {kb} KB); shorten the text."), kb=limit // 1000
        )


def check_agent_message(message: dict[str, Any]) -> None:
    """Refuse forbidden characters anywhere in the message, and drafts past their limit."""
    if has_forbidden(message):
        raise refused_text()
    if message.get("type") == "draft":
        limit = get_settings().draft_max_bytes
        if len(json.dumps(message.get("form"), ensure_ascii=False)) > limit:
            raise MessageTooLarge(
                _("The draft is too large (limit {kb} KB); shorten the notes."), kb=limit // 1000
            )
