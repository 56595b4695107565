"""`acuerdo doctor` and the supervisors' health panel count what is stuck, late or failing
(real database, real Redis, a real rq worker failing a real job)."""

import json
import re
import subprocess
import sys
from datetime import timedelta

from fastapi.testclient import TestClient
from rq import Queue, SimpleWorker
from sqlalchemy.orm import Session

from campaigns.dispatch_queue import dispatch_job_id as job_id
from campaigns.events import DISPATCH_QUEUE
from campaigns.models import Attempt, AttemptStatus, Channel, Client, Role, utcnow
from campaigns.redis_conn import get_redis
from console.doctor import diagnose
from tests.console.conftest import sign_in
from tests.factories import make_account, make_client, make_user

LONG_AGO = timedelta(hours=1)


def _attempt(session: Session, client: Client, status: AttemptStatus, **fields: object) -> int:
    account = make_account(session, client=client, phone=None)
    attempt = Attempt(
        client_id=client.id,
        account_id=account.id,
        channel=Channel.SMS,
        status=status,
        **{"created_at": utcnow() - LONG_AGO, **fields},
    )
    session.add(attempt)
    session.flush()
    return attempt.id


def _counts(report: dict[str, object]) -> dict[str, tuple[int, bool]]:
    checks = report["checks"]
    assert isinstance(checks, list)
    return {c["code"]: (c["count"], c["problem"]) for c in checks}


def test_doctor_lists_what_is_stuck_and_exits_non_zero(session: Session, child_env: dict) -> None:
    client = make_client(session)
    pending = _attempt(session, client, AttemptStatus.PENDING)
    _attempt(session, client, AttemptStatus.DISPATCHING, dispatching_at=utcnow() - LONG_AGO)
    _attempt(
        session,
        client,
        AttemptStatus.QUEUED,
        provider_sid="CA" + "1" * 32,
        dispatched_at=utcnow() - LONG_AGO,
    )
    over = _attempt(session, client, AttemptStatus.COMPLETED, ended_at=utcnow() - LONG_AGO)
    done = _attempt(session, client, AttemptStatus.DELIVERED, ended_at=utcnow() - LONG_AGO)
    _attempt(session, client, AttemptStatus.PENDING, created_at=utcnow())
    agent = make_user(session, username="agente1", role=Role.AGENT)
    session.commit()
    redis = get_redis()
    redis.sadd("acuerdo:agents", agent.id)
    redis.hset(f"acuerdo:agent:{agent.id}", mapping={"state": "on_call", "attempt_id": over})
    queue = Queue(DISPATCH_QUEUE, connection=redis)
    for attempt_id in (pending, done):
        queue.enqueue("telephony.jobs.no_such_job", attempt_id, job_id=job_id(attempt_id))
    SimpleWorker([queue], connection=redis).work(burst=True)
    queue.enqueue("telephony.jobs.dispatch_attempt", 0)

    result = subprocess.run(
        [sys.executable, "-m", "console", "doctor", "--json"],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["healthy"] is False
    counts = _counts(report)
    assert counts["attempts_pending_late"] == (1, True), "the fresh pending one is not late"
    assert counts["attempts_dispatching_late"] == (1, True)
    assert counts["attempts_unconfirmed"] == (1, True)
    assert counts["failed_jobs"] == (1, True), "the delivered attempt's failed job is superseded"
    assert counts["agents_held"] == (1, True)
    assert counts["queue_dispatch"] == (1, False), "one job waiting, not yet late"
    assert counts["webhooks_failing"] == (0, False)


def test_doctor_shows_a_clean_bill_when_nothing_is_wrong(session: Session, child_env: dict) -> None:
    client = make_client(session)
    _attempt(session, client, AttemptStatus.DELIVERED, ended_at=utcnow())
    session.commit()
    result = subprocess.run(
        [sys.executable, "-m", "console", "doctor"],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout
    assert "Todo en orden." in result.stdout


def test_a_supervisor_sees_health_for_their_creditors_only(
    session: Session, web: TestClient
) -> None:
    own = make_client(session, name="Cable Norte")
    other = make_client(session, name="Telefonía Sur")
    _attempt(session, own, AttemptStatus.PENDING)
    for _n in range(2):
        _attempt(session, other, AttemptStatus.PENDING)
    make_user(session, username="supervisora", role=Role.SUPERVISOR, access=[own])
    session.commit()
    assert _counts(diagnose(session, client=get_redis(), now=utcnow()).as_json("en"))[
        "attempts_pending_late"
    ] == (3, True)

    sign_in(web, "supervisora")
    page = web.get("/supervisor")

    assert page.status_code == 200
    row = re.search(r'data-check="attempts_pending_late".*?class="num">(\d+)<', page.text, re.S)
    assert row is not None and row.group(1) == "1"
    assert 'data-check="queue_dispatch"' not in page.text, "BPO-wide items are not a creditor's"
