"""Generated disguises: every listed phrase is still found, every listed opt-out still opts out."""

from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.compliance import check_text
from campaigns.compliance.text import rules
from campaigns.opt_out_words import Intent, read_reply, vocabulary

PHRASES = sorted({p for phrases in rules().phrases.values() for p in phrases})
LOOK_ALIKES = {"a": "\u0430", "e": "\u0435", "o": "\u03bf", "c": "\u0441", "p": "\u0440"}
DIGITS = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
INVISIBLE = ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
ACCENTED = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú", "n": "ñ"}


@st.composite
def disguised(draw: st.DrawFn) -> tuple[str, str]:
    phrase = draw(st.sampled_from(PHRASES))
    words = phrase.rstrip("*").split()
    spaced = len(words) == 1 and len(words[0]) >= 3 and draw(st.booleans())
    out_words = []
    for word in words:
        chars = []
        for index, char in enumerate(word):
            how = draw(st.sampled_from(["keep", "upper", "look", "digit", "hide", "hyphen"]))
            if how == "upper":
                char = char.upper()
            elif how == "look" and char in LOOK_ALIKES:
                char = LOOK_ALIKES[char]
            elif how == "digit" and char in DIGITS and index > 0:
                char = DIGITS[char]
            elif how == "hide" and index > 0:
                char = draw(st.sampled_from(INVISIBLE)) + char
            elif how == "hyphen" and index > 0 and not spaced:
                char = "-" + char
            chars.append(char)
        out_words.append((" " if spaced else "").join(chars))
    return phrase, f"Texto: {' '.join(out_words)} final."


@settings(max_examples=300, deadline=None)
@given(disguised())
def test_every_listed_phrase_is_found_however_it_is_disguised(case: tuple[str, str]) -> None:
    phrase, text = case
    assert check_text(text), (phrase, text)


OPT_OUT_PHRASES = sorted(vocabulary().opt_out)
COURTESY = sorted(vocabulary().courtesy)


@st.composite
def opt_out_reply(draw: st.DrawFn) -> tuple[tuple[str, ...], str]:
    phrase = draw(st.sampled_from(OPT_OUT_PHRASES))
    before = draw(st.lists(st.sampled_from(COURTESY), max_size=1))
    after = draw(st.lists(st.sampled_from(COURTESY), max_size=1))
    words = [w for part in [*before, phrase, *after] for w in part]
    styled = []
    for word in words:
        word = "".join(ACCENTED[c] if c in ACCENTED and draw(st.booleans()) else c for c in word)
        word = draw(st.sampled_from([word, word.upper(), word.capitalize()]))
        styled.append(word + draw(st.sampled_from(["", ",", ".", "!", "!!", "..."])))
    return phrase, draw(st.sampled_from(["", "¡", "  "])) + " ".join(styled)


@settings(max_examples=300, deadline=None)
@given(opt_out_reply())
def test_listed_opt_outs_with_courtesy_case_accents_and_punctuation_opt_out(
    case: tuple[tuple[str, ...], str],
) -> None:
    phrase, reply = case
    assert read_reply(reply).intent == Intent.OPT_OUT, (phrase, reply)


ORDINARY_WORDS = ["mañana", "tarde", "deuda", "pago", "cómo", "cuánto", "viernes", "saldo"]


@settings(max_examples=200, deadline=None)
@given(opt_out_reply(), st.sampled_from(ORDINARY_WORDS), st.booleans())
def test_an_ordinary_word_makes_it_a_reply_for_the_agents(
    case: tuple[tuple[str, ...], str], word: str, first: bool
) -> None:
    phrase, reply = case
    text = f"{word} {reply}" if first else f"{reply} {word}"
    anywhere = vocabulary().anywhere
    expected = Intent.OPT_OUT if anywhere & set(phrase) else Intent.REPLY
    assert read_reply(text).intent == expected, text
