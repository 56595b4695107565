"""A fast path for the common phone shapes: a plain national number (or one written after the
region's own country code), with its line type cached by the leading digits that decide it.

phonenumbers decides a number's type by matching every type's pattern against the whole number,
about 60 us a phone, and parsing costs as much again. In many regions (Mexico among them) every
pattern is a fixed-width prefix followed by `\\d{k}`: then the type depends only on those leading
digits, and one answer per prefix is exact for every number that shares it. That is checked on
the region's own metadata, not assumed; any other shape, or a region whose patterns are not of
that form, returns None and takes phonenumbers' full path.
"""

import re
import re._parser as sre_parse  # the stdlib regex parser: measures a pattern's fixed width
from functools import cache

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneNumber, PhoneNumberType
from phonenumbers.phonemetadata import PhoneMetadata

_PLAIN = re.compile(r"\+?[\d\s().\-]+")
_NOT_DIGIT = re.compile(r"\D")
_DESCS = (
    "general_desc",
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "personal_number",
    "voip",
    "pager",
    "uan",
    "voicemail",
)


def fast_number_type(text: str, region: str) -> tuple[str, int] | None:
    """(E.164, type) of a plain phone, exact; None when the full parser must decide."""
    if not _PLAIN.fullmatch(text):
        return None
    shape = _region_shape(region)
    if shape is None:
        return None
    country_code, lengths, prefix_width = shape
    digits = _NOT_DIGIT.sub("", text)
    if text.startswith("+"):
        code = str(country_code)
        if not digits.startswith(code):
            return None
        digits = digits[len(code) :]
    if len(digits) not in lengths or digits[0] == "0":
        return None
    number_type = _type_by_prefix(region, country_code, digits[:prefix_width], digits)
    if number_type == PhoneNumberType.UNKNOWN:
        return None
    return f"+{country_code}{digits}", number_type


def decisive_prefix(e164: str, *, digits: int) -> str | None:
    """A key shared by exactly the numbers that agree with `e164` on their type and on their
    first `digits` digits (and length), or None when no such key is known for its region.

    Anything phonenumbers derives from a number's type and leading digits, such as its time
    zones, can be cached under this key.
    """
    code = country_code(e164)
    regions = phonenumbers.region_codes_for_country_code(int(code)) if code else ()
    if len(regions) != 1:
        return None
    shape = _region_shape(regions[0])
    national = e164[1 + len(code) :]
    if shape is None or shape[0] != int(code) or len(national) not in shape[1]:
        return None
    if national[:1] == "0" or not national.isdigit():
        return None
    keep = max(digits, len(code) + shape[2])
    return f"{e164[: 1 + keep]}/{len(e164)}"


def country_code(e164: str) -> str:
    """The country code an E.164 number starts with ("" when none does); country codes are
    prefix-free, so at most one of its first 1-3 digits is one."""
    for length in (1, 2, 3):
        code = e164[1 : 1 + length]
        if code.isdigit() and int(code) in COUNTRY_CODE_TO_REGION_CODE:
            return code
    return ""


@cache
def _region_shape(region: str) -> tuple[int, frozenset[int], int] | None:
    """(country code, national lengths, digits that decide the type) or None: not prefix-shaped.

    Only regions without a national prefix to strip and whose country code is theirs alone
    qualify, so a plain run of digits means the same to phonenumbers as to this path.
    """
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.national_prefix or metadata.national_prefix_for_parsing:
        return None
    country_code = metadata.country_code
    if country_code is None or metadata.general_desc is None:
        return None
    if phonenumbers.region_codes_for_country_code(country_code) != (region,):
        return None
    lengths = frozenset(int(n) for n in metadata.general_desc.possible_length or ())
    widths: set[int] = set()
    for name in _DESCS:
        desc = getattr(metadata, name)
        if desc is None or desc.national_number_pattern is None:
            continue
        width = _prefix_width(desc.national_number_pattern)
        if width is None:
            return None
        widths.add(width)
    if not lengths or not widths:
        return None
    return country_code, lengths, max(widths)


def _prefix_width(pattern: str) -> int | None:
    """The width of a pattern's fixed-width head when it reads `head\\d{k}`, else None."""
    parsed = sre_parse.parse(pattern)
    items = list(parsed)
    if not items:
        return None
    op, value = items[-1]
    if op is not sre_parse.MAX_REPEAT:
        return None
    low, high, body = value
    digit = [(sre_parse.IN, [(sre_parse.CATEGORY, sre_parse.CATEGORY_DIGIT)])]
    if low != high or list(body) != digit:
        return None
    head = sre_parse.SubPattern(parsed.state, items[:-1])
    head_low, head_high = head.getwidth()
    return int(head_low) if head_low == head_high else None


_TYPES: dict[tuple[str, int, str], int] = {}


def _type_by_prefix(region: str, country_code: int, prefix: str, digits: str) -> int:
    """The type of every number as long as `digits` that starts with `prefix`, cached."""
    key = (region, len(digits), prefix)
    found = _TYPES.get(key)
    if found is None:
        number = PhoneNumber(country_code=country_code, national_number=int(digits))
        found = _TYPES[key] = phonenumbers.number_type(number)
    return found
