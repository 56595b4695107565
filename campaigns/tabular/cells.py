"""A spreadsheet cell as the text a person would type for it."""

from datetime import date, datetime, time
from decimal import Decimal


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a person would type for it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(round(value, 6))), "f")
    return str(value).strip()
