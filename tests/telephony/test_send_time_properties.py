"""Property: whatever the queue, the clock and the replies, nothing reaches a debtor outside their
window or after they opted out.

Hypothesis generates debtors in several countries and zones, a queue of SMS and calls, and a
sequence of steps: the clock advances, a queued attempt's job runs (the real
`telephony.jobs.dispatch_attempt`, at the generated moment, against the carrier sandbox over
HTTP), or a debtor replies BAJA (the real inbound handling). Every provider request the sandbox
received must come from a job run inside the debtor's window, and no SMS may follow the debtor's
opt-out.
"""

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.compliance import effective_profile
from campaigns.compliance.windows import closed_rule
from campaigns.models import Account, Attempt, Channel, Client, ComplianceProfile, ContactPoint
from campaigns.redis_conn import get_redis
from telephony.inbound import receive
from telephony.jobs import dispatch_attempt
from tests.factories import make_account, make_client
from tests.telephony.conftest import SandboxServer

PLACES = [
    (ComplianceProfile.MX, "America/Mexico_City", "MXN"),
    (ComplianceProfile.MX, "America/Tijuana", "MXN"),
    (ComplianceProfile.CO, "America/Bogota", "COP"),
    (ComplianceProfile.CL, "America/Santiago", "CLP"),
    (ComplianceProfile.PE, "America/Lima", "PEN"),
    (ComplianceProfile.US, "America/Chicago", "USD"),
    (ComplianceProfile.US, "Pacific/Honolulu", "USD"),
]
START = datetime(2026, 11, 23, tzinfo=UTC)  # the factories' TODAY; accounts are 30 days overdue
_numbers = itertools.count(1)


@dataclass(frozen=True)
class Queued:
    debtor: int
    channel: Channel
    minute: int  # when it was queued, minutes after the start


steps = st.one_of(
    st.tuples(st.just("advance"), st.integers(min_value=1, max_value=16 * 60)),
    st.tuples(st.just("advance"), st.integers(min_value=1, max_value=10)),
    st.tuples(st.just("run"), st.integers(min_value=0, max_value=5)),
    st.tuples(st.just("run"), st.integers(min_value=0, max_value=5)),
    st.tuples(st.just("opt_out"), st.integers(min_value=0, max_value=2)),
)
queues = st.lists(
    st.builds(
        Queued,
        debtor=st.integers(min_value=0, max_value=2),
        channel=st.sampled_from([Channel.SMS, Channel.SMS, Channel.VOICE]),
        minute=st.integers(min_value=0, max_value=60),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    places=st.lists(st.sampled_from(PLACES), min_size=3, max_size=3),
    start_minute=st.integers(min_value=0, max_value=7 * 24 * 60 - 1),
    queue=queues,
    plan=st.lists(steps, min_size=1, max_size=16),
)
def test_nothing_reaches_a_debtor_outside_the_window_or_after_an_opt_out(
    session: Session,
    sandbox: SandboxServer,
    places: list[tuple[ComplianceProfile, str, str]],
    start_minute: int,
    queue: list[Queued],
    plan: list[tuple[str, int]],
) -> None:
    now = START + timedelta(minutes=start_minute)
    debtors: list[tuple[Client, str, str]] = []  # creditor, zone, phone
    for profile, zone, currency in places:
        n = next(_numbers)
        client = make_client(
            session,
            name=f"Acreedor {n}",
            country=str(profile),
            timezone=zone,
            currency=currency,
            profile=profile,
        )
        client.sms_sender = f"+5255{n:08d}"
        phone = f"+5215{n:08d}"
        make_account(session, client=client, phone=phone, timezone=zone)
        debtors.append((client, zone, phone))
    attempts: list[tuple[int, Queued]] = []
    for item in queue:
        client, zone, phone = debtors[item.debtor]
        point = session.scalars(select(ContactPoint).where(ContactPoint.value == phone)).one()
        attempt = Attempt(
            client_id=client.id,
            account_id=_account_of(session, point),
            contact_point_id=point.id,
            channel=item.channel,
            body="Hola, le recordamos su saldo. Responda BAJA para no recibir mensajes.",
            created_at=now + timedelta(minutes=item.minute),
        )
        session.add(attempt)
        session.flush()
        attempts.append((attempt.id, item))
    session.commit()

    sent: list[tuple[int, datetime]] = []  # debtor, the moment its job sent
    opted_out_at: dict[int, datetime] = {}
    for action, value in plan:
        if action == "advance":
            now += timedelta(minutes=value)
        elif action == "opt_out":
            _client, _zone, phone = debtors[value]
            receive(
                session,
                channel=Channel.SMS,
                sid=f"SM{next(_numbers):032d}",
                sender=phone,
                body="BAJA",
                now=now,
            )
            session.commit()
            opted_out_at.setdefault(value, now)
        else:
            attempt_id, item = attempts[value % len(attempts)]
            now = max(now, START + timedelta(minutes=start_minute + item.minute))
            get_redis().delete("acuerdo:rate:calls", *get_redis().keys("acuerdo:rate:messages*"))
            result = dispatch_attempt(attempt_id, now.isoformat())
            event(f"{item.channel}: {result.split(' (')[0].split(' until')[0]}")
            if result == "sent":
                sent.append((item.debtor, now))
                if item.channel == Channel.SMS:
                    assert item.debtor not in opted_out_at or now < opted_out_at[item.debtor]

    for debtor, moment in sent:
        client, zone, _phone = debtors[debtor]
        assert closed_rule(effective_profile(client), zone, client.country, moment) is None
    phones = {phone for _c, _z, phone in debtors}
    provider_requests = [m for m in sandbox.messages() if m.get("to") in phones] + [
        c for c in sandbox.calls() if c.get("to") in phones
    ]
    assert len(provider_requests) == len(sent)


def _account_of(session: Session, point: ContactPoint) -> int:
    account_id = session.scalar(select(Account.id).where(Account.debtor_id == point.debtor_id))
    assert account_id is not None
    return int(account_id)
