"""Text as the wording check reads it: disguises removed, each character traced to the original.

`fold` turns a template or script into lower-case, accent-free Latin text:

- Unicode NFKC (full-width and mathematical letters become plain ones: "ｃá𝐫cel");
- characters that print nothing are dropped (soft hyphen, zero-width space and joiners, BOM);
- look-alike letters from other scripts become the Latin letter they imitate (Cyrillic "сárcel",
  Greek "εmbargo");
- case and accents are ignored ("CÁRCEL" = "carcel");
- a digit or symbol written for a letter inside a word becomes that letter ("c4rcel", "pr1sión",
  "emb@rgo", "pre50") — only in a word that has letters, so "$1,200.00" and "4 pagos" stay;
- separators inside a word are removed ("cár-cel", "c.á.r.c.e.l", "em_bargo"), and a run of three
  or more single letters separated by spaces or separators is joined ("c á r c e l").

`Folded.joined_runs` lists the spans of joined single-letter runs: inside one, word boundaries mean
nothing (the writer removed them), so the check also looks for phrases inside the run.
"""

import unicodedata
from dataclasses import dataclass

# Lower-case look-alikes from Cyrillic and Greek (after casefold), and Latin letters without a
# decomposition, mapped to the Latin letter they imitate.
CONFUSABLES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "з": "3", "и": "u", "к": "k", "м": "m", "н": "h",
    "о": "o", "п": "n", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ь": "b", "і": "i",
    "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "һ": "h", "ɡ": "g",
    "α": "a", "β": "b", "γ": "y", "δ": "d", "ε": "e", "ζ": "z", "η": "n", "ι": "i", "κ": "k",
    "μ": "u", "ν": "v", "ο": "o", "ρ": "p", "ς": "c", "σ": "o", "τ": "t", "υ": "u", "χ": "x",
    "ω": "w", "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŀ": "l", "ƚ": "l",
}  # fmt: skip

# A digit or symbol written for a letter, when it touches a letter.
LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s"}

# Separators writers put inside a word to break it up.
JOINERS = frozenset("-._·‐‑‒–—*•~+|")
SPACES = frozenset(" \t\n\r\f\v\u00a0\u2007\u202f")


@dataclass(frozen=True)
class Folded:
    """The folded text, each character's index in the original, and the joined letter runs."""

    text: str
    origin: list[int]
    joined_runs: list[tuple[int, int]]


def _fold_chars(text: str) -> list[tuple[str, int]]:
    chars: list[tuple[str, int]] = []
    for index, char in enumerate(text):
        if unicodedata.category(char) == "Cf":
            continue
        for part in unicodedata.normalize("NFKC", char).casefold():
            for piece in unicodedata.normalize("NFKD", part):
                if unicodedata.combining(piece) or unicodedata.category(piece) == "Cf":
                    continue
                chars.append((CONFUSABLES.get(piece, piece), index))
    return chars


def _wordish(char: str) -> bool:
    """A letter, or a digit or symbol that may stand for one."""
    return char.isalpha() or char in LEET


def _unleet(chars: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Digits and symbols inside a word that has letters become the letters they stand for."""
    out = list(chars)
    at = 0
    while at < len(chars):
        if not _wordish(chars[at][0]):
            at += 1
            continue
        end = at
        while end < len(chars) and _wordish(chars[end][0]):
            end += 1
        if any(chars[i][0].isalpha() for i in range(at, end)):
            for i in range(at, end):
                char, index = chars[i]
                if char in LEET:
                    out[i] = (LEET[char], index)
        at = end
    return out


def _drop_inner_joiners(chars: list[tuple[str, int]]) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    at = 0
    while at < len(chars):
        char = chars[at][0]
        if char in JOINERS and out and _wordish(out[-1][0]):
            end = at
            while end < len(chars) and chars[end][0] in JOINERS:
                end += 1
            if end < len(chars) and _wordish(chars[end][0]):
                at = end
                continue
        out.append(chars[at])
        at += 1
    return out


def _join_spaced_letters(
    chars: list[tuple[str, int]],
) -> tuple[list[tuple[str, int]], list[tuple[int, int]]]:
    """Join runs of 3+ single letters (or digits for letters) separated by spaces or joiners."""
    tokens: list[tuple[int, int]] = []  # [start, end) of each run of letters
    at = 0
    while at < len(chars):
        if _wordish(chars[at][0]):
            start = at
            while at < len(chars) and _wordish(chars[at][0]):
                at += 1
            tokens.append((start, at))
        else:
            at += 1
    drop: set[int] = set()
    runs: list[tuple[int, int]] = []  # in input positions
    group: list[tuple[int, int]] = []

    def close() -> None:
        if len(group) >= 3:
            for (_s1, e1), (s2, _e2) in zip(group, group[1:], strict=False):
                drop.update(range(e1, s2))
            runs.append((group[0][0], group[-1][1]))
        group.clear()

    for start, end in tokens:
        single = end - start == 1
        gap_ok = bool(group) and all(
            chars[i][0] in SPACES or chars[i][0] in JOINERS for i in range(group[-1][1], start)
        )
        if single and (not group or gap_ok):
            group.append((start, end))
            continue
        close()
        if single:
            group.append((start, end))
    close()
    out: list[tuple[str, int]] = []
    new_index: dict[int, int] = {}
    for at, pair in enumerate(chars):
        new_index[at] = len(out)
        if at not in drop:
            out.append(pair)
    new_index[len(chars)] = len(out)
    return out, [(new_index[s], new_index[e]) for s, e in runs]


def fold(text: str, *, join: bool = True) -> Folded:
    """The text as the check reads it (see the module docstring); `join=False` keeps separators."""
    chars = _fold_chars(text)
    runs: list[tuple[int, int]] = []
    if join:
        chars = _drop_inner_joiners(chars)
        chars, runs = _join_spaced_letters(chars)
    chars = _unleet(chars)
    return Folded("".join(c for c, _ in chars), [i for _, i in chars], runs)
