"""A held message goes out when its debtor's window opens: `acuerdo worker` runs rq's scheduler."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Attempt, AttemptStatus, Channel, ContactPoint
from telephony.jobs import dispatch_attempt
from tests.factories import make_account, reachable_now
from tests.processes import eventually, run_worker, web_server
from tests.telephony.conftest import SandboxServer

pytestmark = pytest.mark.slow

PHONE = "+525512347001"


def test_a_held_message_is_sent_by_a_real_worker_once_the_window_has_opened(
    session: Session, sandbox: SandboxServer
) -> None:
    # The debtor lives where it is about midday now; eight hours ago it was night there.
    account = make_account(session, phone=PHONE, **reachable_now())
    point = session.scalars(select(ContactPoint)).one()
    night = datetime.now(UTC) - timedelta(hours=8)
    attempt = Attempt(
        client_id=account.client_id,
        account_id=account.id,
        contact_point_id=point.id,
        channel=Channel.SMS,
        body="Hola Juana, le recordamos su saldo. Responda BAJA para no recibir mensajes.",
        created_at=night,
    )
    session.add(attempt)
    session.commit()

    assert dispatch_attempt(attempt.id, night.isoformat()).startswith("held until")
    session.commit()
    assert attempt.hold_until is not None and attempt.hold_until <= datetime.now(UTC)
    assert [m for m in sandbox.messages() if m.get("to") == PHONE] == []

    with web_server() as url:
        run_worker(url)

    def sent() -> Attempt | None:
        session.rollback()
        row = session.get_one(Attempt, attempt.id)
        return row if row.provider_sid is not None else None

    row = eventually(sent)
    assert row.status != AttemptStatus.PENDING and row.hold_until is None
    assert len([m for m in sandbox.messages() if m.get("to") == PHONE]) == 1
