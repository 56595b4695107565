"""No card number is stored or broadcast, however it is written; ordinary text passes."""

import json
from datetime import UTC, datetime, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.agreements import contains_card_number, redact_card_numbers
from campaigns.agreements.errors import CardNumberInNotes
from campaigns.agreements.notes import luhn_valid
from campaigns.models import Channel, InboundMessage
from campaigns.redis_conn import redis_url
from console.agents import commands, work
from telephony.inbound import receive
from tests.event_loop import run_async
from tests.factories import TODAY, make_account

SEPARATORS = [
    ".",
    " ",
    "  ",
    "/",
    " - ",
    "\n",
    "_",
    "\u00a0",
    "\u200b",
    ",",
    "\r\n",
    "\t",
    "\u2060",
]


def _luhn_complete(body: str) -> str:
    """The body with the check digit that makes it Luhn-valid."""
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


cards = st.integers(min_value=12, max_value=18).flatmap(
    lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n).map(_luhn_complete)
)


@st.composite
def written_cards(draw: st.DrawFn) -> tuple[str, str]:
    """A card number with any mix of separators between its digits, and the number itself."""
    number = draw(cards)
    gaps = draw(
        st.lists(
            st.lists(st.sampled_from(SEPARATORS), max_size=3).map("".join),
            min_size=len(number) - 1,
            max_size=len(number) - 1,
        )
    )
    digits = [draw(st.sampled_from([d, chr(0xFF10 + int(d))])) for d in number]  # or full-width
    written = digits[0] + "".join(gap + d for gap, d in zip(gaps, digits[1:], strict=True))
    return written, number


@given(written_cards(), st.sampled_from(["tarjeta ", "Mi número es: ", ""]))
@settings(max_examples=300)
def test_any_card_number_however_written_is_found(card: tuple[str, str], before: str) -> None:
    written, number = card
    text = f"{before}{written} gracias"
    assert contains_card_number(text)
    redacted = redact_card_numbers(text)
    assert not contains_card_number(redacted)
    assert redacted.endswith(f"****{number[-4:]} gracias")


WORDS = st.sampled_from(
    ["pagará", "el", "cliente", "llamar", "a las", "monto", "referencia", "tel", "vence", "y"]
)
DIGITS = st.integers(min_value=0, max_value=9).map(str)


@st.composite
def ordinary_numbers(draw: st.DrawFn) -> str:
    """A date, an amount, a phone in any format or an account reference."""
    day, month = draw(st.integers(1, 28)), draw(st.integers(1, 12))
    year = draw(st.integers(2020, 2030))
    phone = "".join(draw(st.lists(DIGITS, min_size=8, max_size=8)))
    area = draw(st.sampled_from(["55", "33", "81"]))
    amount = draw(st.integers(1, 999_999))
    cents = draw(st.integers(0, 99))
    return draw(
        st.sampled_from(
            [
                f"{day:02d}/{month:02d}/{year}",
                f"{year}-{month:02d}-{day:02d}",
                f"{day}.{month}.{year}",
                f"${amount:,}.{cents:02d}",
                f"{amount}.{cents:02d} MXN",
                f"+52{area}{phone}",
                f"+52 {area} {phone[:4]} {phone[4:]}",
                f"({area}) {phone[:4]}-{phone[4:]}",
                f"{area}{phone}",
                f"{area} {phone[:4]} {phone[4:]}",
                f"BN-{amount:07d}",
                f"ACC-{phone}",
                f"{day}:{cents:02d}",
            ]
        )
    )


@given(st.lists(st.tuples(WORDS, ordinary_numbers()), min_size=1, max_size=8))
@settings(max_examples=300)
def test_ordinary_text_with_dates_amounts_phones_and_references_is_accepted(
    parts: list[tuple[str, str]],
) -> None:
    text = " ".join(f"{word} {number}" for word, number in parts) + "."
    assert not contains_card_number(text)
    assert redact_card_numbers(text) == text


def test_digits_added_around_a_card_do_not_hide_it() -> None:
    assert contains_card_number("ref 4111 1111 1111 1111 00")
    assert contains_card_number("99 4111.1111.1111.1111")
    assert not contains_card_number("folio 12345678901234567890123")  # one 23-digit reference


def _agent_work(agent_id: int, attempt_id: int) -> None:
    async def save() -> None:
        async with Redis.from_url(redis_url()) as redis:
            await work.start(redis, agent_id, work.Work(attempt_id=attempt_id))

    run_async(save())


def _draft(agent_id: int, form: dict[str, object]) -> work.Work:
    async def send() -> work.Work:
        async with Redis.from_url(redis_url()) as redis:
            message = {"type": "draft", "attempt_id": 7, "form": form}
            await commands.handle(redis, agent_id, message)
            return await work.load(redis, agent_id)

    return run_async(send())


def test_a_draft_with_a_card_number_or_too_large_is_refused_and_not_kept() -> None:
    _agent_work(3, 7)
    kept = _draft(3, {"disposition": "callback", "notes": "llamar el 12/12/2026 a las 10"})
    assert kept.draft["notes"] == "llamar el 12/12/2026 a las 10"
    with pytest.raises(CardNumberInNotes):
        _draft(3, {"disposition": "callback", "notes": "tarjeta 4111.1111.1111.1111"})
    with pytest.raises(CardNumberInNotes):
        _draft(3, {"disposition": "callback", "extra": ["4111\u200b1111\u200b1111\u200b1111"]})
    with pytest.raises(commands.Invalid) as refused:
        _draft(3, {"disposition": "callback", "notes": "x" * 5_000_000})
    assert "16384" in refused.value.render("es_MX")
    after = _draft(3, {"disposition": "callback", "notes": "ok"})
    assert json.dumps(after.draft) == '{"disposition": "callback", "notes": "ok"}'


def test_an_inbound_reply_is_stored_with_the_card_number_masked(session: Session) -> None:
    account = make_account(session)
    session.commit()
    receive(
        session,
        channel=Channel.SMS,
        sid="SM00000000000000000000000000000001",
        sender="+525512345678",
        body="Pago con 4111\u00a01111\u00a01111\u00a01111, ¿me confirman?",
        now=datetime.combine(TODAY, time(15), tzinfo=UTC),
    )
    session.commit()
    stored = session.scalar(select(InboundMessage.body))
    assert stored == "Pago con ****1111, ¿me confirman?"
    assert account.id is not None
