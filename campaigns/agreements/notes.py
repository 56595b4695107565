"""No payment card number is ever stored or broadcast (PCI DSS: no card data at rest).

Free text (agents' notes, drafts, dispute reasons, debtors' replies) is scanned character by
character after Unicode NFKC normalisation: invisible characters (zero-width spaces, joiners,
soft hyphens) are ignored, and any run of separators (spaces of any kind, newlines, dots, commas,
slashes, dashes, underscores) between two digits keeps them in one number. A number of 13 to 19
digits that passes the Luhn check is a card number. Each stretch of adjacent groups (as written
apart) with 13 to 19 digits is checked too, so digits added before or after a card
("99 4111 1111 1111 1111 00") do not hide it.

The price: two numbers written side by side with only separators between them ("5512345678,
12/12/2026") read as one, and one time in ten such a pair passes the Luhn check and is refused;
with a word between them they are always accepted.
"""

import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from campaigns.agreements.errors import CardNumberInNotes
from campaigns.i18n import _

MIN_DIGITS, MAX_DIGITS = 13, 19
_SEPARATOR_CATEGORIES = ("Zs", "Zl", "Zp", "Cc", "Pd", "Pc")
_SEPARATOR_CHARS = frozenset("./,\\·'")


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


@dataclass
class _Run:
    """Digits written together, with where each group starts in the text and where it ends."""

    groups: list[str]
    start: int
    end: int


def _classify(char: str) -> str:
    """'d' + the digit, 's' separator, 'i' invisible, 'x' anything else (after NFKC)."""
    normal = unicodedata.normalize("NFKC", char)
    if len(normal) == 1:
        digit = unicodedata.decimal(normal, None)
        if digit is not None:
            return f"d{digit}"
    if not normal or all(unicodedata.category(c) == "Cf" for c in normal):
        return "i"
    if all(
        c in _SEPARATOR_CHARS or unicodedata.category(c) in _SEPARATOR_CATEGORIES for c in normal
    ):
        return "s"
    return "x"


def _runs(text: str) -> Iterator[_Run]:
    run: _Run | None = None
    split = False
    for position, char in enumerate(text):
        kind = _classify(char)
        if kind[0] == "d":
            if run is None:
                run = _Run([kind[1]], position, position + 1)
            elif split:
                run.groups.append(kind[1])
            else:
                run.groups[-1] += kind[1]
            run.end = position + 1
            split = False
        elif kind == "s":
            split = run is not None
        elif kind == "x":
            if run is not None:
                yield run
            run, split = None, False
    if run is not None:
        yield run


def _card_in(groups: Sequence[str]) -> bool:
    digits = "".join(groups)
    if len(digits) < MIN_DIGITS:
        return False
    if len(digits) <= MAX_DIGITS and luhn_valid(digits):
        return True
    for first in range(len(groups)):
        stretch = ""
        for group in groups[first:]:
            stretch += group
            if len(stretch) > MAX_DIGITS:
                break
            if len(stretch) >= MIN_DIGITS and luhn_valid(stretch):
                return True
    return False


def contains_card_number(text: str) -> bool:
    """Whether the text holds a Luhn-valid number of 13 to 19 digits, however it is written."""
    return any(_card_in(run.groups) for run in _runs(text))


def redact_card_numbers(text: str) -> str:
    """The text with every card-like number replaced by its last four digits behind asterisks."""
    pieces: list[str] = []
    cursor = 0
    for run in _runs(text):
        if _card_in(run.groups):
            pieces += [text[cursor : run.start], "****" + "".join(run.groups)[-4:]]
            cursor = run.end
    return "".join(pieces) + text[cursor:]


def _refused() -> CardNumberInNotes:
    return CardNumberInNotes(
        _(
            "The notes contain what looks like a payment card number; remove the card "
            "number and save again (card data is never stored)."
        )
    )


def check_notes(text: str) -> str:
    """The notes, stripped; refused (422) when they contain a card number."""
    if contains_card_number(text):
        raise _refused()
    return text.strip()


def check_free_text(value: object) -> None:
    """Refuse (422) a card number in any string inside a form (dicts and lists walked)."""
    if isinstance(value, str):
        if contains_card_number(value):
            raise _refused()
    elif isinstance(value, Mapping):
        for key, item in value.items():
            check_free_text(key)
            check_free_text(item)
    elif isinstance(value, list | tuple):
        for item in value:
            check_free_text(item)
