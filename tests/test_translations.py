"""Every user-facing message in the code has a Spanish translation; English falls back."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from campaigns.i18n import translate, translations

pytestmark = pytest.mark.backend_free

ROOT = Path(__file__).resolve().parent.parent


def _marked_messages() -> set[str]:
    found: set[str] = set()
    for package in ("campaigns", "telephony", "console"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords={"_": None}
        ):
            if isinstance(message, str):
                found.add(message)
    return found | _template_messages()


def _template_messages() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "frontend" / "templates",
        method_map=[("**.html", "jinja2")],
        options_map={"**.html": {"extensions": "jinja2.ext.i18n"}},
    ):
        messages = message if isinstance(message, tuple) else (message,)
        found.update(m for m in messages if isinstance(m, str) and m)
    return found


def test_templates_mark_their_words_for_translation() -> None:
    assert "Sign in" in _template_messages()
    assert "Outcome saved." in _template_messages()


def test_every_marked_message_has_a_spanish_translation() -> None:
    spanish = translations("es_MX")
    missing = sorted(m for m in _marked_messages() if spanish.gettext(m) == m)
    assert missing == [], f"add these to a .po file under frontend/locale/es_MX: {missing}"


def test_spanish_is_the_default_and_english_is_the_source() -> None:
    message = "A creditor named {name} already exists."
    assert translate(None, message, name="Cable") == "Ya existe un acreedor llamado Cable."
    assert translate("en", message, name="Cable") == "A creditor named Cable already exists."
    assert translate("es-MX", message, name="Cable") == "Ya existe un acreedor llamado Cable."


def test_no_message_has_two_different_translations_across_catalog_files() -> None:
    # Each area keeps its own .po file and they are merged at first use: a message translated
    # twice, differently, would read one way or the other depending on the files' order.
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for folder in sorted((ROOT / "frontend" / "locale").iterdir()):
        seen.clear()
        for path in sorted((folder / "LC_MESSAGES").glob("*.po")):
            with path.open("rb") as handle:
                catalog = read_po(handle)
            for message in catalog:
                if not message.id or not isinstance(message.id, str):
                    continue
                text = str(message.string)
                first = seen.setdefault(message.id, (path.name, text))
                if first[1] != text:
                    clashes.append((folder.name, message.id, first[0], path.name))
    assert clashes == []
