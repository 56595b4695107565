"""Agents' notes must never hold a payment card number (PCI DSS: no card data at rest)."""

import re

from campaigns.agreements.errors import CardNumberInNotes
from campaigns.i18n import _

# Runs of digits, allowing one space or dash between groups (4111 1111-1111 1111).
_DIGIT_RUN = re.compile(r"(?<!\d)\d(?:[ -]?\d)+(?!\d)")


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn checksum."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def contains_card_number(text: str) -> bool:
    """Whether the text has a Luhn-valid run of 13 to 19 digits."""
    for match in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            return True
    return False


def check_notes(text: str) -> str:
    """The notes, stripped; refused (422) when they contain a card number."""
    if contains_card_number(text):
        raise CardNumberInNotes(
            _(
                "The notes contain what looks like a payment card number; remove the card "
                "number and save again (card data is never stored)."
            )
        )
    return text.strip()
