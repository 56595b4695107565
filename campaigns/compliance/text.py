"""The wording check: pressure that must never reach a debtor, in Spanish and English.

Matching ignores case and accents ("PRISIÓN" = "prision") and respects word boundaries ("rata"
does not match "pirata"). A phrase ending in `*` matches any word that starts with it
("embarg*" covers embargar, embargaremos, embargado). Harmless idioms that contain a listed word
("sin embargo", "however") are blanked out before matching.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from campaigns.i18n import _, translate


class Category(StrEnum):
    JAIL = "jail"
    SEIZURE = "seizure"
    AUTHORITY = "authority"
    THIRD_PARTIES = "third_parties"
    EXPOSURE = "exposure"
    INSULT = "insult"
    CLIENT = "client"


FORBIDDEN: dict[Category, tuple[str, ...]] = {
    Category.JAIL: (
        "cárcel",
        "encarcel*",
        "prisión",
        "prisiones",
        "arrest*",
        "orden de aprehensión",
        "aprehensión",
        "aprehender*",
        "detención",
        "meter preso",
        "irá preso",
        "jail*",
        "prison",
        "imprison*",
        "warrant",
        "locked up",
    ),
    Category.SEIZURE: (
        "embarg*",
        "remate",
        "rematar*",
        "incautar*",
        "decomis*",
        "le quitaremos",
        "seize*",
        "seizure",
        "garnish*",
        "repossess*",
        "foreclos*",
    ),
    Category.AUTHORITY: (
        "juzgado",
        "notificación judicial",
        "actuario",
        "ministerio público",
        "fiscalía",
        "policía",
        "orden judicial",
        "demanda penal",
        "citatorio",
        "abogado del juzgado",
        "court order",
        "sheriff",
        "police",
        "marshal",
        "district attorney",
        "law enforcement",
        "legal summons",
        "subpoena",
    ),
    Category.THIRD_PARTIES: (
        "su familia",
        "sus familiares",
        "sus parientes",
        "su trabajo",
        "su empleador",
        "su jefe",
        "sus vecinos",
        "sus referencias",
        "sus conocidos",
        "your family",
        "your relatives",
        "your employer",
        "your boss",
        "your workplace",
        "your neighbors",
        "your neighbours",
        "your references",
        "your coworkers",
    ),
    Category.EXPOSURE: (
        "boletina*",
        "lista negra",
        "exhibir*",
        "exhibiremos",
        "lista de morosos",
        "publicaremos",
        "blacklist*",
        "black list",
        "expose",
        "publicly",
        "shame",
    ),
    Category.INSULT: (
        "ratero",
        "rata",
        "ratas",
        "ladrón",
        "ladrones",
        "estafador*",
        "sinvergüenza*",
        "tramposo*",
        "mentiroso*",
        "idiota*",
        "imbécil*",
        "estúpido*",
        "pendejo*",
        "muerto de hambre",
        "vago",
        "vividor*",
        "deadbeat*",
        "thief",
        "thieves",
        "liar*",
        "crook*",
        "scammer*",
        "idiot*",
        "stupid",
        "loser*",
        "fraudster*",
        "moron*",
    ),
}

HARMLESS = ("sin embargo", "no obstante")

MESSAGES: dict[Category, str] = {
    Category.JAIL: _('"{phrase}" threatens jail or arrest; remove it.'),
    Category.SEIZURE: _('"{phrase}" presents a seizure as imminent or certain; remove it.'),
    Category.AUTHORITY: _('"{phrase}" poses as a court or an authority; remove it.'),
    Category.THIRD_PARTIES: _(
        '"{phrase}" threatens to involve family, neighbours or the employer; remove it.'
    ),
    Category.EXPOSURE: _('"{phrase}" threatens public exposure; remove it.'),
    Category.INSULT: _('"{phrase}" is an insult; remove it.'),
    Category.CLIENT: _('"{phrase}" is on the creditor\'s list of forbidden phrases; remove it.'),
}


@dataclass(frozen=True)
class Finding:
    """A forbidden phrase found in a text: the listed phrase, the words as written and where."""

    phrase: str
    found: str
    category: Category
    start: int

    @property
    def message(self) -> str:
        """The untranslated explanation (a msgid)."""
        return MESSAGES[self.category]

    def render(self, locale: str | None = None) -> str:
        """The explanation in the reader's language."""
        return translate(locale, self.message, phrase=self.found)


def fold(text: str) -> tuple[str, list[int]]:
    """Lower-case, accent-free text, with each folded character's index in the original."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", char.casefold()):
            if not unicodedata.combining(part):
                chars.append(part)
                origin.append(index)
    return "".join(chars), origin


@lru_cache(maxsize=512)
def _pattern(phrase: str) -> re.Pattern[str]:
    folded = fold(phrase.strip())[0]
    prefix = folded.endswith("*")
    words = folded.rstrip("*").split()
    body = r"\W+".join(re.escape(word) for word in words)
    return re.compile(r"(?<!\w)" + body + (r"\w*" if prefix else r"(?!\w)"))


def check_text(text: str, *, extra_phrases: Iterable[str] = ()) -> list[Finding]:
    """Every forbidden phrase in the text (the floor list and the client's own), in order."""
    folded, origin = fold(text)
    for harmless in HARMLESS:
        folded = _pattern(harmless).sub(lambda m: " " * len(m.group()), folded)
    listed = [(c, p) for c, phrases in FORBIDDEN.items() for p in phrases]
    listed += [(Category.CLIENT, p) for p in extra_phrases if p.strip()]
    candidates: list[Finding] = []
    for category, phrase in listed:
        for match in _pattern(phrase).finditer(folded):
            start = origin[match.start()]
            found = text[start : origin[match.end() - 1] + 1]
            candidates.append(Finding(phrase.strip().rstrip("*"), found, category, start))
    candidates.sort(key=lambda f: (f.start, -len(f.found)))
    findings: list[Finding] = []
    for finding in candidates:
        if not findings or finding.start >= findings[-1].start + len(findings[-1].found):
            findings.append(finding)
    return findings
