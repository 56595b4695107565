"""Parsing the values creditors write: amounts, dates, phones, e-mails, yes/no and regions."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import phonenumbers

from campaigns.i18n import _
from campaigns.models import LineType
from campaigns.phone_fast_path import fast_number_type
from campaigns.tabular import normalise_header

MAX_BALANCE = Decimal("999999999999.99")


class ValueProblem(Exception):
    """A value that cannot be used, with the reason in plain (translatable) words."""

    def __init__(self, message: str, /, **params: Any) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.params = params


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_WORD = re.compile(r"[A-Z][A-Z.]*")
_DOLLAR = re.compile(r"(US|MX|COL|CLP|CL|AR|U)?\$")
_SOL_SIGN = re.compile(r"\bS/\.?")
_FILLERS = frozenset({"DE"})
# Currencies written "pesos" in their country.
PESO_CURRENCIES = frozenset({"MXN", "COP", "CLP", "ARS", "UYU", "DOP", "CUP", "PHP"})
_CURRENCY_WORDS = {
    "PESO": "pesos",
    "PESOS": "pesos",
    "M.N": "local",
    "M.N.": "local",
    "MN": "local",
    "DOLAR": "USD",
    "DOLARES": "USD",
    "DOLLAR": "USD",
    "DOLLARS": "USD",
    "SOL": "PEN",
    "SOLES": "PEN",
}
_DOLLAR_PREFIXES = {"US": "USD", "U": "USD", "MX": "MXN", "COL": "COP", "CL": "CLP", "CLP": "CLP"}
_MULTIPLIERS = {"MIL": 1000, "MILLON": 1_000_000, "MILLONES": 1_000_000}


def _plain_upper(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.strip().upper())
    return "".join(c for c in folded if not unicodedata.combining(c))


def _currency_of(word: str, currency: str) -> str | None:
    """The currency a word of an amount names (None: the creditor's own), or raise."""
    meaning = _CURRENCY_WORDS.get(word)
    if meaning == "local":
        return None
    if meaning == "pesos":
        return currency if currency in PESO_CURRENCIES else "pesos"
    if meaning is not None:
        return meaning
    if re.fullmatch(r"[A-Z]{3}", word):
        return word
    raise ValueError(word)


def parse_amount(text: str, *, currency: str) -> Decimal:
    """An amount written in any common style: 1.234,56 / 1,234.56 / $ 980 / MXN 1 234,50 /
    1,5 mil / 2 mil pesos / 12 500 M.N. / US$ 20 (the currency must be the creditor's)."""
    currency = currency.upper()
    raw = _plain_upper(text)
    if not raw:
        raise ValueProblem(_("The balance is blank."))
    named: set[str] = set()
    for match in _DOLLAR.finditer(raw):
        if match.group(1):
            named.add(_DOLLAR_PREFIXES.get(match.group(1), match.group(1)))
    if _SOL_SIGN.search(raw):
        named.add("PEN")
    body = _SOL_SIGN.sub(" ", _DOLLAR.sub(" ", raw))
    multiplier = 1
    for word in _WORD.findall(body):
        if word in _FILLERS and multiplier != 1:
            continue
        if word in _MULTIPLIERS and multiplier == 1:
            multiplier = _MULTIPLIERS[word]
            continue
        try:
            found = _currency_of(word, currency)
        except ValueError:
            raise ValueProblem(_("{value} is not an amount."), value=text.strip()) from None
        if found is not None:
            named.add(found)
    if named - {currency}:
        raise ValueProblem(
            _("The amount is in {found}, but this creditor's portfolio is in {currency}."),
            found=", ".join(sorted(named - {currency})),
            currency=currency,
        )
    body = _WORD.sub(" ", body).strip()
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1].strip()
    if body.startswith("-") or body.endswith("-"):
        negative, body = True, body.strip("-").strip()
    body = _SPACES.sub(" ", body)
    if not re.fullmatch(r"\d[\d.,' ]*", body) or body[-1] in ".,' ":
        raise ValueProblem(_("{value} is not an amount."), value=text.strip())
    if multiplier != 1 and re.fullmatch(r"\d{1,3}[.,]\d{1,3}", body):
        # "1,5 mil", "2.25 millones": the separator before a multiplier is a decimal one.
        whole, cents = re.split(r"[.,]", body)
    else:
        whole, cents = _split_decimal(body, text)
    groups = re.split(r"[.,' ]", whole)
    if len(groups) > 1 and (
        not 1 <= len(groups[0]) <= 3 or any(len(group) != 3 for group in groups[1:])
    ):
        raise ValueProblem(_("{value} is not an amount."), value=text.strip())
    amount = Decimal("".join(groups) + ("." + cents if cents else "")) * multiplier
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueProblem(_("{value} has more than two decimals."), value=text.strip())
    amount = amount.quantize(Decimal("0.01")) if multiplier != 1 else amount
    return -amount if negative else amount


def _split_decimal(body: str, text: str) -> tuple[str, str]:
    last = max(body.rfind("."), body.rfind(","))
    if last < 0:
        return body, ""
    separator, tail = body[last], body[last + 1 :]
    other = "," if separator == "." else "."
    is_decimal = other in body or (body.count(separator) == 1 and len(tail) != 3)
    if not is_decimal:
        return body, ""
    if not tail.isdigit():
        raise ValueProblem(_("{value} is not an amount."), value=text.strip())
    if len(tail) > 2:
        raise ValueProblem(_("{value} has more than two decimals."), value=text.strip())
    return body[:last], tail


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]*)?")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})")


def parse_date(text: str) -> date:
    """A date written dd/mm/yyyy, d/m/yy (20yy) or yyyy-mm-dd; impossible dates are refused."""
    raw = text.strip()
    if match := _ISO_DATE.fullmatch(raw):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DAY_FIRST.fullmatch(raw):
        day, month, year = (int(part) for part in match.groups())
        if len(match.group(3)) == 2:
            year += 2000
    else:
        raise ValueProblem(
            _("{value} is not a date; write it as dd/mm/yyyy or yyyy-mm-dd."), value=raw
        )
    try:
        return date(year, month, day)
    except ValueError as error:
        raise ValueProblem(
            _("{value} is not a date on the calendar (day, month and year read as dd/mm/yyyy)."),
            value=raw,
        ) from error


def parse_days_overdue(text: str) -> int:
    """A whole number of days overdue, zero or more."""
    raw = text.strip()
    if re.fullmatch(r"-\s*\d+", raw):
        raise ValueProblem(_("Days overdue cannot be negative ({value})."), value=raw)
    if not re.fullmatch(r"\d+", raw):
        raise ValueProblem(_("{value} is not a whole number of days."), value=raw)
    return int(raw)


@dataclass(frozen=True)
class Phone:
    """A phone number in E.164 and the kind of line phonenumbers says it is."""

    e164: str
    line_type: LineType


_LINE_TYPES: dict[int, LineType] = {
    phonenumbers.PhoneNumberType.MOBILE: LineType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE: LineType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE: LineType.FIXED_OR_MOBILE,
    phonenumbers.PhoneNumberType.VOIP: LineType.VOIP,
}


def parse_phone(text: str, *, region: str) -> Phone:
    """A phone in any local or international writing, normalised to E.164.

    Mexico's retired dialling prefixes are still common in creditors' files: 044/045 (a mobile
    dialled from a landline), 01 (long distance) and +52 1 (a mobile dialled from abroad). They
    are removed, and 044, 045 and +52 1 also tell us the line is a mobile.
    """
    raw = text.strip()
    number, known_mobile = _without_mexican_prefixes(raw, region.upper())
    fast = fast_number_type(number, region.upper())
    if fast is not None:
        e164, number_type = fast
    else:
        e164, number_type = _parsed_phone(number, raw, region.upper())
    line_type = LineType.MOBILE if known_mobile else _LINE_TYPES.get(number_type, LineType.OTHER)
    return Phone(e164, line_type)


def _parsed_phone(number: str, raw: str, region: str) -> tuple[str, int]:
    """E.164 and type through phonenumbers' full parser (every shape the fast path leaves)."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException as error:
        raise ValueProblem(_("{value} is not a phone number."), value=raw) from error
    number_type = phonenumbers.number_type(parsed)
    if number_type == phonenumbers.PhoneNumberType.UNKNOWN:
        raise ValueProblem(
            _("{value} is not a valid phone number (wrong number of digits or area code)."),
            value=raw,
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), number_type


def _without_mexican_prefixes(raw: str, region: str) -> tuple[str, bool]:
    digits = re.sub(r"\D", "", raw.split("ext")[0].split("x")[0])
    international = raw.startswith("+") or raw.startswith("00")
    if international and raw.startswith("00"):
        digits = digits[2:]
    if len(digits) == 13 and digits.startswith("521") and (international or region == "MX"):
        return "+52" + digits[3:], True
    if region == "MX" and not international:
        if len(digits) == 13 and digits[:3] in ("044", "045"):
            return digits[3:], True
        if len(digits) == 12 and digits.startswith("01"):
            return digits[2:], False
    return raw, False


_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[A-Za-z]{2,}")


def parse_email(text: str) -> str:
    """An e-mail address, lower-cased."""
    raw = text.strip()
    if len(raw) > 254 or not _EMAIL.fullmatch(raw):
        raise ValueProblem(_("{value} is not an e-mail address."), value=raw)
    return raw.lower()


_YES = frozenset({"si", "sí", "s", "yes", "y", "1", "true", "x", "verdadero", "acepta"})
_NO = frozenset({"", "no", "n", "0", "false", "falso"})


def parse_yes_no(text: str) -> bool:
    """Yes (si, sí, yes, 1, true, x) or no (blank, no, 0, false)."""
    word = text.strip().lower()
    if word not in _YES and word not in _NO:
        word = normalise_header(text)
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValueProblem(_("{value} is not yes or no (write si or no)."), value=text.strip())
