"""Characters no person types: NUL, control characters other than tab and line breaks, C1
controls and lone surrogates. PostgreSQL cannot store some of them; none belongs in our data."""

import re
from typing import Any

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def has_forbidden(value: Any) -> bool:
    """Whether a value, or any string inside it (keys included), holds a forbidden character."""
    if isinstance(value, str):
        return FORBIDDEN.search(value) is not None
    if isinstance(value, dict):
        return any(has_forbidden(k) or has_forbidden(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_forbidden(item) for item in value)
    return False


def strip_forbidden(text: str) -> str:
    """The text without forbidden characters (for what a provider relays from the outside)."""
    return FORBIDDEN.sub("", text)
