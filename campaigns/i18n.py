"""Translations from the gettext catalogs in frontend/locale (Spanish first, English second).

Message ids are English source strings marked with `_()`; es_MX is the default language.
Each locale's folder holds one .po file per area of the product (imports.po, telephony.po, ...);
they are merged and read at first use, so no compile step is needed.
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
SUPPORTED_LOCALES = ("es_MX", "en")


def _(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def normalise_locale(locale: str | None) -> str:
    """The supported locale closest to the one asked for."""
    if not locale:
        return DEFAULT_LOCALE
    locale = locale.replace("-", "_")
    if locale in SUPPORTED_LOCALES:
        return locale
    if locale.split("_")[0] == "en":
        return "en"
    return DEFAULT_LOCALE


@cache
def translations(locale: str) -> NullTranslations:
    """The gettext translations for a locale."""
    merged = Catalog(locale=normalise_locale(locale), domain=DOMAIN)
    for po_path in sorted((LOCALE_DIR / normalise_locale(locale) / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as po_file:
            for message in read_po(po_file, locale=normalise_locale(locale)):
                if message.id and message.string:
                    merged.add(message.id, message.string)
    if not len(merged):
        return NullTranslations()
    buffer = BytesIO()
    write_mo(buffer, merged)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def translate(locale: str | None, message: str, **params: Any) -> str:
    """The message in the locale's language, with its values filled in."""
    text = translations(normalise_locale(locale)).gettext(message)
    return text.format(**params) if params else text
