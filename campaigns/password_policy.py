"""What makes a password acceptable: long enough, not a common one, not the username."""

import re
import secrets
import unicodedata

from campaigns.errors import Invalid
from campaigns.i18n import _

MIN_PASSWORD_LENGTH = 10

# Passwords that lead every leaked-password list, in English and Spanish, at 10+ characters
# (shorter ones are refused by the length rule already). Compared without case and accents.
COMMON_PASSWORDS = frozenset(
    {
        "1234567890",
        "0123456789",
        "12345678910",
        "123456789a",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "qwertyuiop",
        "qwerty12345",
        "asdfghjkl1",
        "password12",
        "password123",
        "password1234",
        "passw0rd123",
        "iloveyou12",
        "contrasena",
        "contrasena1",
        "contrasena12",
        "contrasena123",
        "micontrasena",
        "teamo12345",
        "mexico1234",
        "mexico12345",
        "bienvenido1",
        "bienvenido123",
        "superman123",
        "administrador",
        "admin12345",
        "abc1234567",
        "abcdefghij",
        "aaaaaaaaaa",
        "acuerdo123",
        "acuerdo2024",
        "acuerdo2025",
        "acuerdo2026",
        "cobranza123",
        "cambiame123",
        "changeme123",
        "welcome123",
        "letmein123",
        "football123",
    }
)


class WeakPassword(Invalid):
    """A password the policy refuses, saying which rule and what to do."""


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


def check_password(password: str, *, username: str) -> None:
    """Refuse a short, common or username-like password (422 saying which)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(_("The password needs at least {n} characters."), n=MIN_PASSWORD_LENGTH)
    plain = _plain(password)
    if plain in COMMON_PASSWORDS or len(set(plain)) <= 2:
        raise WeakPassword(
            _("That password is one of the most common ones; choose a less predictable one.")
        )
    letters = re.sub(r"[^a-z]", "", plain)
    name = re.sub(r"[^a-z]", "", _plain(username))
    if plain == _plain(username) or (name and letters == name):
        raise WeakPassword(_("The password cannot be the username."))


def temporary_password() -> str:
    """A random password to read out once; its owner must change it at the next sign-in."""
    return secrets.token_urlsafe(12)
