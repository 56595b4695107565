"""The wording check: pressure that must never reach a debtor, in Spanish and English.

The phrases, the rule each category enforces and a courteous wording to suggest instead live in
`forbidden_phrases.yaml`. Text is normalised first (`normalise.fold`: NFKC, look-alike letters,
accents, case, separators and digits inside words), so "c á r c e l", "cár-cel" and "c4rcel" are
found. Matching respects word boundaries ("rata" does not match "pirata"); a phrase ending in `*`
matches any word that starts with it ("embarg*" covers embargar, embargaremos, embargado).
Harmless idioms that contain a listed word ("sin embargo", "a su juicio") are blanked first.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from campaigns.compliance.normalise import Folded, fold
from campaigns.i18n import _, normalise_locale, translate

DATA_FILE = Path(__file__).with_name("forbidden_phrases.yaml")


class Category(StrEnum):
    JAIL = "jail"
    SEIZURE = "seizure"
    LEGAL_ACTION = "legal_action"
    VISIT = "visit"
    CREDIT_BUREAU = "credit_bureau"
    VAGUE_THREAT = "vague_threat"
    AUTHORITY = "authority"
    THIRD_PARTIES = "third_parties"
    EXPOSURE = "exposure"
    INSULT = "insult"
    CLIENT = "client"


MESSAGES: dict[Category, str] = {
    Category.JAIL: _('"{phrase}" threatens jail or arrest; remove it.'),
    Category.SEIZURE: _('"{phrase}" presents a seizure as imminent or certain; remove it.'),
    Category.LEGAL_ACTION: _('"{phrase}" threatens legal action to pressure payment; remove it.'),
    Category.VISIT: _('"{phrase}" announces a visit to the home or workplace; remove it.'),
    Category.CREDIT_BUREAU: _(
        '"{phrase}" uses a credit-bureau report as a threat; remove it (a lawful report may be '
        "stated as information)."
    ),
    Category.VAGUE_THREAT: _('"{phrase}" is a veiled threat; remove it.'),
    Category.AUTHORITY: _('"{phrase}" poses as a court or an authority; remove it.'),
    Category.THIRD_PARTIES: _(
        '"{phrase}" threatens to involve family, neighbours or the employer; remove it.'
    ),
    Category.EXPOSURE: _('"{phrase}" threatens public exposure; remove it.'),
    Category.INSULT: _('"{phrase}" is an insult; remove it.'),
    Category.CLIENT: _('"{phrase}" is on the creditor\'s list of forbidden phrases; remove it.'),
}
SUGGESTION = _("A courteous wording, for example: {suggestion}")


@dataclass(frozen=True)
class Rules:
    """The data file: phrases by category, each category's rule and suggestion, harmless idioms."""

    phrases: dict[Category, tuple[str, ...]]
    rules: dict[Category, str]
    suggestions: dict[Category, dict[str, str]]
    harmless: tuple[str, ...]
    conditional: tuple[tuple[Category, tuple[str, ...], tuple[str, ...]], ...] = ()


@cache
def rules() -> Rules:
    """The forbidden phrases, read once from forbidden_phrases.yaml."""
    data: dict[str, Any] = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    categories: dict[str, dict[str, Any]] = data["categories"]
    return Rules(
        phrases={Category(k): tuple(str(p) for p in v["phrases"]) for k, v in categories.items()},
        rules={Category(k): " ".join(str(v["rule"]).split()) for k, v in categories.items()},
        suggestions={
            Category(k): {str(lang): str(text) for lang, text in v["suggestion"].items()}
            for k, v in categories.items()
        },
        harmless=tuple(str(p) for p in data["harmless"]),
        conditional=tuple(
            (
                Category(group["category"]),
                tuple(str(p) for p in group["conditions"]),
                tuple(str(p) for p in group["consequences"]),
            )
            for group in data.get("conditional_threats", [])
        ),
    )


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

    def suggestion(self, locale: str | None = None) -> str:
        """A courteous wording to use instead, in the reader's language ("" for client phrases)."""
        texts = rules().suggestions.get(self.category, {})
        text = texts.get("en" if normalise_locale(locale) == "en" else "es", "")
        return translate(locale, SUGGESTION, suggestion=text) if text else ""

    def render(self, locale: str | None = None) -> str:
        """The explanation and a courteous alternative, in the reader's language."""
        explanation = translate(locale, self.message, phrase=self.found)
        return " ".join(part for part in (explanation, self.suggestion(locale)) if part)


@lru_cache(maxsize=1024)
def _pattern(phrase: str, *, bounded: bool = True) -> re.Pattern[str]:
    folded = fold(phrase.strip(), join=False).text
    prefix = folded.endswith("*")
    words = folded.rstrip("*").split()
    body = r"\W+".join(re.escape(word) for word in words)
    if not bounded:
        return re.compile(body)
    return re.compile(r"(?<!\w)" + body + (r"\w*" if prefix else r"(?!\w)"))


def _blank_harmless(folded: str) -> str:
    for harmless in rules().harmless:
        folded = _pattern(harmless).sub(lambda m: " " * len(m.group()), folded)
    return folded


def _listed(extra_phrases: Iterable[str]) -> list[tuple[Category, str]]:
    listed = [(c, p) for c, phrases in rules().phrases.items() for p in phrases]
    return listed + [(Category.CLIENT, p) for p in extra_phrases if p.strip()]


def _find(text: str, view: Folded, listed: list[tuple[Category, str]]) -> list[Finding]:
    folded = _blank_harmless(view.text)
    found: list[Finding] = []

    def add(category: Category, phrase: str, start: int, end: int) -> None:
        first, last = view.origin[start], view.origin[end - 1]
        found.append(Finding(phrase.strip().rstrip("*"), text[first : last + 1], category, first))

    for category, phrase in listed:
        for match in _pattern(phrase).finditer(folded):
            add(category, phrase, match.start(), match.end())
        for run_start, run_end in view.joined_runs:  # letters spaced out: boundaries are gone
            for match in _pattern(phrase, bounded=False).finditer(folded, run_start, run_end):
                add(category, phrase, match.start(), match.end())
    return found


SENTENCE_END = re.compile(r"[.!?¡¿\n]+")


def _first(phrases: tuple[str, ...], folded: str, start: int, end: int) -> re.Match[str] | None:
    found = [m for p in phrases if (m := _pattern(p).search(folded, start, end))]
    return min(found, key=lambda m: m.start()) if found else None


def _conditional(text: str, view: Folded) -> list[Finding]:
    """A condition on paying and a consequence in one sentence: pressure, in either order."""
    folded = _blank_harmless(view.text)
    bounds = [0, *(m.end() for m in SENTENCE_END.finditer(folded)), len(folded)]
    found: list[Finding] = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        for category, conditions, consequences in rules().conditional:
            condition = _first(conditions, folded, start, end)
            consequence = _first(consequences, folded, start, end) if condition else None
            if condition is None or consequence is None:
                continue
            first = view.origin[min(condition.start(), consequence.start())]
            last = view.origin[max(condition.end(), consequence.end()) - 1]
            found.append(Finding(consequence.group(), text[first : last + 1], category, first))
    return found


def check_text(text: str, *, extra_phrases: Iterable[str] = ()) -> list[Finding]:
    """Every forbidden phrase in the text (the floor list and the client's own), in order."""
    listed = _listed(extra_phrases)
    plain = fold(text, join=False)
    candidates = _find(text, fold(text), listed) + _find(text, plain, listed)
    candidates += _conditional(text, plain)
    candidates.sort(key=lambda f: (f.start, -len(f.found)))
    findings: list[Finding] = []
    for finding in candidates:
        if not findings or finding.start >= findings[-1].start + len(findings[-1].found):
            findings.append(finding)
    return findings
