"""Reading a debtor's short reply as an opt-out or opt-in (the phrases live in opt_out_words.yaml).

The YAML file states the rule and the shape of a reply that counts; this module only applies it.
"""

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from campaigns.models import Channel

DATA_FILE = Path(__file__).with_name("opt_out_words.yaml")


class Scope(StrEnum):
    """Which channels of the number an opt-out phrase stops."""

    CHANNEL = "channel"
    CALLS = "calls"
    ALL = "all"


class Intent(StrEnum):
    """What a reply asks for."""

    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    REPLY = "reply"


_WIDTH = {Scope.CHANNEL: 0, Scope.CALLS: 1, Scope.ALL: 2}


@dataclass(frozen=True)
class Reading:
    """A reply as read: the intent, the widest scope of its opt-out phrases and the phrases."""

    intent: Intent
    scope: Scope | None = None
    phrases: tuple[str, ...] = ()

    def channels(self, arrived_on: Channel) -> tuple[Channel, ...]:
        """The channels of the number this reply opts out (none unless it is an opt-out)."""
        if self.intent != Intent.OPT_OUT:
            return ()
        if self.scope == Scope.ALL:
            return (Channel.VOICE, Channel.SMS, Channel.WHATSAPP)
        if self.scope == Scope.CALLS:
            return tuple(dict.fromkeys((arrived_on, Channel.VOICE)))
        return (arrived_on,)


@dataclass(frozen=True)
class Vocabulary:
    """The phrase lists of the data file, as tuples of normalised words."""

    max_words: int
    opt_out: dict[tuple[str, ...], Scope]
    courtesy: frozenset[tuple[str, ...]]
    anywhere: frozenset[str]
    opt_in: frozenset[tuple[str, ...]]


def words(text: str) -> tuple[str, ...]:
    """The reply's words: NFKC, lower case, no accents, punctuation as spaces."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return tuple("".join(ch if ch.isalnum() else " " for ch in plain).split())


@cache
def vocabulary() -> Vocabulary:
    """The phrase lists, read once from the data file."""
    data: dict[str, Any] = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    opt_out: dict[tuple[str, ...], Scope] = {}
    for group in data["opt_out"]:
        for phrase in group["phrases"]:
            opt_out[words(str(phrase))] = Scope(group["scope"])
    return Vocabulary(
        max_words=int(data["max_words"]),
        opt_out=opt_out,
        courtesy=frozenset(words(str(p)) for p in data["courtesy"]),
        anywhere=frozenset(str(w) for w in data["anywhere"]),
        opt_in=frozenset(words(str(p)) for p in data["opt_in"]),
    )


def _cover(
    tokens: tuple[str, ...], phrases: set[tuple[str, ...]], filler: frozenset[tuple[str, ...]]
) -> list[tuple[str, ...]] | None:
    """The listed phrases that, with filler, make up the whole reply (None if they cannot)."""
    longest = max((len(p) for p in phrases | set(filler)), default=1)
    # best[i]: the phrases used to cover tokens[i:], preferring covers that use a listed phrase.
    best: list[list[tuple[str, ...]] | None] = [None] * (len(tokens) + 1)
    best[len(tokens)] = []
    for start in range(len(tokens) - 1, -1, -1):
        for size in range(1, min(longest, len(tokens) - start) + 1):
            piece, rest = tokens[start : start + size], best[start + size]
            if rest is None:
                continue
            if piece in phrases:
                candidate = [piece, *rest]
            elif piece in filler:
                candidate = rest
            else:
                continue
            if best[start] is None or len(candidate) > len(best[start] or []):
                best[start] = candidate
    return best[0]


def read_reply(body: str) -> Reading:
    """What a debtor's reply asks for, by the rule of the data file."""
    vocab = vocabulary()
    tokens = words(body)
    if not tokens or len(tokens) > vocab.max_words:
        return Reading(Intent.REPLY)
    used = _cover(tokens, set(vocab.opt_out), vocab.courtesy)
    if used:
        scope = max((vocab.opt_out[p] for p in used), key=_WIDTH.__getitem__)
        return Reading(Intent.OPT_OUT, scope, tuple(" ".join(p) for p in used))
    keyword = next((t for t in tokens if t in vocab.anywhere), None)
    if keyword is not None:
        return Reading(Intent.OPT_OUT, Scope.CHANNEL, (keyword,))
    if _cover(tokens, set(vocab.opt_in), vocab.courtesy):
        return Reading(Intent.OPT_IN)
    return Reading(Intent.REPLY)
