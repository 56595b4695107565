"""Translations from the gettext catalogs in frontend/locale (Spanish first, English second).

Message ids are English source strings marked with `_()`; es_MX is the default language.
Each locale's folder holds one .po file per area of the product (imports.po, telephony.po, ...);
they are merged and read at first use, so no compile step is needed. Regional Spanish (es_CO,
es_CL, es_PE, es_US) is es_MX with the regional folder's entries on top: a regional folder holds
only the words that differ, and everything else falls back to es_MX.
"""

from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

import frontend

LOCALE_DIR = Path(frontend.__file__).parent / "locale"
DOMAIN = "acuerdo"
DEFAULT_LOCALE = "es_MX"
SPANISH = "es_MX"
SUPPORTED_LOCALES = ("es_MX", "es_CO", "es_CL", "es_PE", "es_US", "en")


def _(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


LOCALE_NAMES = {
    "es_MX": _("Spanish (Mexico)"),
    "es_CO": _("Spanish (Colombia)"),
    "es_CL": _("Spanish (Chile)"),
    "es_PE": _("Spanish (Peru)"),
    "es_US": _("Spanish (United States)"),
    "en": _("English"),
}


def normalise_locale(locale: str | None) -> str:
    """The supported locale closest to the one asked for."""
    if not locale:
        return DEFAULT_LOCALE
    locale = locale.replace("-", "_")
    if locale in SUPPORTED_LOCALES:
        return locale
    language, _sep, region = locale.partition("_")
    if language.lower() == "en":
        return "en"
    regional = f"{language.lower()}_{region.upper()}"
    return regional if regional in SUPPORTED_LOCALES else DEFAULT_LOCALE


def _catalog_folders(locale: str) -> list[Path]:
    """The folders whose entries make up a locale, the base first and the overrides last."""
    if locale == "en":
        return [LOCALE_DIR / "en"]
    if locale == SPANISH:
        return [LOCALE_DIR / SPANISH]
    return [LOCALE_DIR / SPANISH, LOCALE_DIR / locale]


@cache
def translations(locale: str) -> NullTranslations:
    """The gettext translations for a locale (regional Spanish on top of es_MX)."""
    code = normalise_locale(locale)
    entries: dict[Any, Any] = {}
    for folder in _catalog_folders(code):
        for po_path in sorted((folder / "LC_MESSAGES").glob("*.po")):
            with po_path.open("rb") as po_file:
                for message in read_po(po_file, locale=code):
                    if message.id and message.string:
                        entries[message.id] = message.string
    merged = Catalog(locale=code, domain=DOMAIN)
    for message_id, string in entries.items():
        merged.add(message_id, string)
    if not len(merged):
        return NullTranslations()
    buffer = BytesIO()
    write_mo(buffer, merged)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def translate(locale: str | None, message: str, /, **params: Any) -> str:
    """The message in the locale's language, with its values filled in (any parameter names)."""
    text = translations(normalise_locale(locale)).gettext(message)
    return text.format(**params) if params else text
