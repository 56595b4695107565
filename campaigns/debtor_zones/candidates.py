"""A debtor's candidate time zones: from a stated zone, the region, the phones, or the creditor.

The rule (docs/compliance.md, "The debtor's time zones"):
1. a zone stated in the portfolio file (`zona_horaria` / `timezone`) is authoritative alone;
2. otherwise the union of the region's zones and the zones of every valid phone number that
   places the debtor somewhere (region first, then phones in priority order; see `phone_zones`);
3. the creditor's zone only when neither gives any.

The stored form is one string: the zones in that order, primary first, separated by spaces
(`"America/Chicago America/Denver"`), so the scheduler can group debtors by it in SQL.
"""

import json
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers
from phonenumbers import timezone as phone_timezone
from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

from campaigns.phone_fast_path import country_code, decisive_prefix
from campaigns.tabular import normalise_header

SEPARATOR = " "
# A number whose prefix maps to more zones than this is not geographic (toll-free, a whole
# country): it says nothing about where the debtor lives.
MAX_PHONE_ZONES = 3
UNKNOWN_ZONE = "Etc/Unknown"


def encode_zones(zones: Iterable[str]) -> str:
    """The stored form of candidate zones: in order, without repeats, space-separated."""
    return SEPARATOR.join(dict.fromkeys(z for z in zones if z))


def decode_zones(stored: str) -> tuple[str, ...]:
    """The candidate zones of a stored value, primary first."""
    return tuple(stored.split())


@cache
def _canonical_names() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def parse_zone(text: str) -> str | None:
    """An IANA Area/Location zone name as written in a file (any case), or None.

    Legacy abbreviations and fixed offsets (`EST`, `CST6CDT`, `Etc/GMT+5`) are refused: "EST"
    written for New York would be an hour off all summer.
    """
    name = _canonical_names().get(text.strip().lower().replace(" ", "_"))
    if name is None or "/" not in name or name.startswith("Etc/"):
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


@cache
def _regions() -> dict[str, dict[str, tuple[str, ...]]]:
    source = resources.files("campaigns.debtor_zones").joinpath("regions.json")
    data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    by_country: dict[str, dict[str, tuple[str, ...]]] = {}
    for country, entries in data["countries"].items():
        names: dict[str, tuple[str, ...]] = {}
        for entry in entries:
            zones = tuple(entry["zones"])
            code = entry["code"]
            for name in (entry["name"], code, f"{country}-{code}", *entry["aliases"]):
                key = normalise_header(name)
                if names.get(key, zones) != zones:
                    raise ValueError(f"regions.json: {country} {name!r} names two regions")
                names[key] = zones
        by_country[country] = names
    return by_country


@lru_cache(maxsize=4096)  # a file names a few dozen regions over and over
def region_zones(region: str, *, country: str) -> tuple[str, ...] | None:
    """The zones of a region of a country (a split state has several), or None when unknown."""
    known = _regions().get(country.upper())
    if known is None:
        return None
    return known.get(normalise_header(region))


def knows_regions(country: str) -> bool:
    """Whether the region data covers this country (an unknown region there is worth a warning)."""
    return country.upper() in _regions()


_PHONE_ZONES: dict[tuple[str, str | None], tuple[str, ...]] = {}


def phone_zones(e164: str, *, country: str | None = None) -> tuple[str, ...]:
    """The zones a phone number's prefix places it in (see `_phone_zones`), cached by the
    leading digits that decide them where that is exact (`decisive_prefix`)."""
    key = decisive_prefix(e164, digits=_zone_digits(country_code(e164)))
    if key is None:
        return _phone_zones(e164, country)
    found = _PHONE_ZONES.get((key, country))
    if found is None:
        found = _PHONE_ZONES[(key, country)] = _phone_zones(e164, country)
    return found


@cache
def _zone_digits(code: str) -> int:
    """How many leading digits (country code included) decide the zones of a number with this
    country code: phonenumbers looks zones up by the longest known prefix, and country codes are
    prefix-free, so the longest prefix under the code is enough (Mexico: 5, "52" and the lada)."""
    if not code:
        return TIMEZONE_LONGEST_PREFIX
    return max((len(prefix) for prefix in TIMEZONE_DATA if prefix.startswith(code)), default=0)


def _phone_zones(e164: str, country: str | None) -> tuple[str, ...]:
    """The zones a phone number's prefix places it in (NANP area codes, Mexican ladas).

    A number says nothing when its prefix maps to more than a few zones (toll-free, a whole
    continent) or, for a number of the debtor's own `country`, when it maps only to that
    country's zones as a whole (phonenumbers knows Chile, Colombia and Peru only per country: a
    Chilean mobile would otherwise place a debtor in Magallanes in Santiago as well).
    """
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return ()
    zones = tuple(z for z in phone_timezone.time_zones_for_number(number) if z != UNKNOWN_ZONE)
    if len(zones) > MAX_PHONE_ZONES:
        return ()
    own = country is not None and phonenumbers.region_code_for_number(number) == country.upper()
    if own and set(zones) == set(TIMEZONE_DATA.get(str(number.country_code), ())):
        return ()
    return tuple(z for z in zones if parse_zone(z) == z)


def candidate_zones(
    *,
    stated: str | None,
    region: str | None,
    country: str,
    phones: Iterable[str],
    creditor_zone: str,
) -> tuple[str, ...]:
    """A debtor's candidate zones, primary first (see the module docstring for the rule)."""
    if stated:
        return (stated,)
    found: list[str] = []
    if region:
        found.extend(region_zones(region, country=country) or ())
    for phone in phones:
        found.extend(phone_zones(phone, country=country))
    return tuple(dict.fromkeys(found)) or (creditor_zone,)
