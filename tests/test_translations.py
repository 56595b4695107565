"""Every user-facing message in the code has a Spanish translation; English falls back."""

from pathlib import Path

from babel.messages.extract import extract_from_dir

from campaigns.i18n import translate, translations

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
