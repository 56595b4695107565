"""After-commit effects end to end: a real tick, a real rq queue and worker, the sandbox."""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.events import DISPATCH_QUEUE, get_queue
from campaigns.models import Attempt, AttemptStatus
from campaigns.scheduler import run_tick
from tests.campaigns.test_scheduler_eligibility import account, make_campaign
from tests.factories import make_client, reachable_now
from tests.processes import run_worker
from tests.telephony.conftest import Receiver, SandboxServer


def test_a_broken_campaign_does_not_drop_the_dispatch_jobs_of_a_good_one(
    session: Session, sandbox: SandboxServer, receiver: Receiver
) -> None:
    good_client = make_client(session)
    phones = [f"+5255222200{n}1" for n in range(3)]
    for n, phone in enumerate(phones):
        account(session, good_client, f"G{n}", phone=phone, **reachable_now())
    good = make_campaign(session, good_client, name="Buena", priority=10)
    broken_client = make_client(session, name="Internet del Sur")
    account(session, broken_client, "B0", phone="+525522229991", **reachable_now())
    broken = make_campaign(session, broken_client, name="Rota", priority=0)
    broken.steps = [{"day": 0, "channel": "sms", "template": "no-existe"}]
    session.commit()

    summary = run_tick(session, now=datetime.now(UTC))  # the worker sends on the real clock
    session.commit()

    assert set(summary.failed) == {broken.id}
    attempts = session.scalars(select(Attempt).order_by(Attempt.id)).all()
    assert {a.campaign_id for a in attempts} == {good.id}
    assert sorted(get_queue(DISPATCH_QUEUE).job_ids) == sorted(
        f"dispatch-attempt-{a.id}" for a in attempts
    )
    run_worker(receiver.url)
    session.rollback()
    for attempt in session.scalars(select(Attempt)):
        assert attempt.status != AttemptStatus.PENDING and attempt.provider_sid is not None
    assert sorted(m["to"] for m in sandbox.messages()) == sorted(phones)
