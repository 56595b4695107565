"""Faults on real processes: `acuerdo serve`, `acuerdo worker`, `acuerdo scheduler` and the carrier
sandbox keep working through a Redis restart, a database outage and a web server that is down
when a call ends. Every attempt reaches a final state, nothing is sent twice (counted in the
sandbox per attempt), the agent of a call whose last callback was lost is released, and
`acuerdo doctor` shows a clean bill afterwards."""

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from campaigns.campaign_defs import CampaignIn, create_campaign, start_campaign
from campaigns.models import Attempt, AttemptStatus, Client, Role, utcnow
from campaigns.redis_conn import get_redis
from campaigns.settings import get_settings
from telephony.statuses import TERMINAL
from tests.agent_socket import go_ready, open_socket, receive, sign_in
from tests.factories import make_account, make_campaign, make_client, make_user
from tests.factories import zone_where_it_is_midday as midday
from tests.fault_injection import private_redis, tcp_proxy
from tests.processes import (
    eventually,
    kill_worker,
    process_env,
    start_worker,
    wait_seconds,
    web_server,
)
from tests.telephony.conftest import SandboxServer, free_port

pytestmark = pytest.mark.slow
DEBTORS = 12
RECOVERY = {
    "ACUERDO_RECOVERY_SWEEP_SECONDS": "1",
    "ACUERDO_STUCK_PENDING_SECONDS": "5",
    "ACUERDO_DISPATCH_LOCK_SECONDS": "5",
    "ACUERDO_RECONCILE_AFTER_SECONDS": "3",
    "ACUERDO_AGENT_RELEASE_GRACE_SECONDS": "2",
    "ACUERDO_MESSAGES_PER_SECOND": "4",
    "ACUERDO_CALLS_PER_SECOND": "5",
    "ACUERDO_RING_TIMEOUT_SECONDS": "10",
    "ACUERDO_WRAP_UP_SECONDS": "4",
}
SMS_WORLD: dict[str, Any] = {
    "speed": 1,
    "numbers": [],
    "sms": {
        "delivered": 1,
        "undelivered": 0,
        "failed": 0,
        "reply_probability": 0,
        "delivery_seconds": {"min": 1, "max": 4},
    },
}
TEMPLATE = "Hola {{ first_name }}, su saldo con {{ creditor }} es {{ balance }}. {{ opt_out_text }}"


@contextmanager
def scheduler(url: str, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    """`acuerdo scheduler` with the tick, the dialing loop and the recovery sweep."""
    process = subprocess.Popen(
        [sys.executable, "-m", "console", "scheduler", "--interval", "1"],
        env=process_env(url, **env),
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def sms_campaign(session: Session, client: Client) -> None:
    definition = CampaignIn.model_validate(
        {
            "name": "Recordatorio",
            "client": client.name,
            "dialing_mode": "progressive",
            "steps": [{"day": 0, "channel": "sms", "template": "recordatorio"}],
            "templates": {"recordatorio": TEMPLATE},
        }
    )
    campaign = create_campaign(
        session, definition=definition, by_id=None, by_label="test", now=datetime.now(UTC)
    )
    start_campaign(session, campaign_id=campaign.id, by_id=None, by_label="test", now=utcnow())


def debtors(session: Session, client: Client, zone: str, prefix: str) -> list[str]:
    today = datetime.now(UTC).date()
    phones = [f"{prefix}{n:04d}" for n in range(DEBTORS)]
    for phone in phones:
        make_account(session, client=client, phone=phone, timezone=zone, today=today)
    return phones


def all_final(session: Session, expected: int) -> bool:
    session.rollback()
    attempts = session.scalars(select(Attempt)).all()
    return len(attempts) == expected and all(a.status in TERMINAL for a in attempts)


def assert_each_sent_once(session: Session, sandbox: SandboxServer, phones: list[str]) -> None:
    session.rollback()
    attempts = session.scalars(select(Attempt)).all()
    assert sorted(a.account_id for a in attempts) == sorted({a.account_id for a in attempts})
    sent: dict[str, int] = {}
    for message in sandbox.messages():
        if message["direction"] != "inbound":
            sent[message["to"]] = sent.get(message["to"], 0) + 1
    assert sent == {phone: 1 for phone in phones}, "each attempt sent exactly one message"
    assert {a.provider_sid for a in attempts} == {
        m["sid"] for m in sandbox.messages() if m["direction"] != "inbound"
    }


def doctor(url: str, **env: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "console", "doctor", "--json"],
        env=process_env(url, **env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    report: dict[str, Any] = json.loads(result.stdout)
    report["exit_code"] = result.returncode
    return report


def assert_clean_bill(url: str, **env: str) -> None:
    reports: list[dict[str, Any]] = []

    def clean() -> bool:
        reports.append(doctor(url, **env))
        return reports[-1]["exit_code"] == 0 and bool(reports[-1]["healthy"])

    try:
        eventually(clean, timeout=20)
    except AssertionError:
        problems = [c for c in reports[-1].get("checks", []) if c["problem"]]
        raise AssertionError(f"acuerdo doctor is not clean: {problems or reports[-1]}") from None


def signed_status(url: str, sid: str, status: str) -> int:
    """Post a signed message-status webhook as Twilio would; the HTTP status it got."""
    target = f"{url}/twilio/messages/status"
    params = {"MessageSid": sid, "MessageStatus": status}
    signature = RequestValidator(get_settings().auth_token).compute_signature(target, params)
    response = httpx.post(
        target, data=params, headers={"X-Twilio-Signature": signature}, timeout=30
    )
    return response.status_code


def test_a_redis_restart_loses_no_message_and_sends_none_twice(
    session: Session, sandbox: SandboxServer
) -> None:
    sandbox.reset(SMS_WORLD)
    zone = midday()
    client = make_client(session, timezone=zone)
    phones = debtors(session, client, zone, "+52551881")
    sms_campaign(session, client)
    session.commit()

    with private_redis() as redis_server:
        env = {**RECOVERY, "ACUERDO_REDIS_URL": redis_server.url}
        with web_server(**env) as url:
            worker = start_worker(url, burst=False, **env)
            try:
                with scheduler(url, **env) as tick:
                    eventually(lambda: len(sandbox.messages()) >= 2, timeout=30)
                    redis_server.kill()
                    wait_seconds(3)
                    redis_server.start()

                    eventually(lambda: all_final(session, DEBTORS), timeout=45)
                    assert tick.poll() is None, "the scheduler survived"
                    assert worker.poll() is None, "the worker survived"
                    assert httpx.get(f"{url}/auth/me", timeout=5).status_code == 401
                    assert_each_sent_once(session, sandbox, phones)
                    assert_clean_bill(url, **env)
            finally:
                kill_worker(worker)


POSTGRES = get_settings().resolved_database_url.startswith("postgres")


@pytest.mark.skipif(
    not POSTGRES,
    reason="PostgreSQL only: the outage is a TCP proxy cut between the processes and the "
    "database server; SQLite is a file in the same process with no connection to lose "
    "(CI runs the suite on PostgreSQL too, where this test runs)",
)
def test_a_database_outage_answers_webhooks_5xx_and_loses_nothing(
    session: Session, sandbox: SandboxServer
) -> None:
    sandbox.reset(SMS_WORLD)
    zone = midday()
    client = make_client(session, timezone=zone)
    phones = debtors(session, client, zone, "+52551882")
    sms_campaign(session, client)
    session.commit()

    direct = urlsplit(get_settings().resolved_database_url)
    with tcp_proxy(direct.hostname or "127.0.0.1", direct.port or 5432) as proxy:
        netloc = direct.netloc.rsplit("@", 1)
        host = f"127.0.0.1:{proxy.port}"
        proxied = urlunsplit(
            direct._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) > 1 else host)
        )
        env = {**RECOVERY, "ACUERDO_DATABASE_URL": proxied}
        with web_server(**env) as url:
            worker = start_worker(url, burst=False, **env)
            try:
                with scheduler(url, **env) as tick:
                    eventually(lambda: len(sandbox.messages()) >= 2, timeout=30)
                    proxy.cut()
                    sid = sandbox.messages()[0]["sid"]
                    assert signed_status(url, sid, "delivered") == 503, "Twilio will retry"
                    wait_seconds(10)
                    proxy.restore()
                    assert signed_status(url, sid, "delivered") == 204

                    eventually(lambda: all_final(session, DEBTORS), timeout=45)
                    assert tick.poll() is None, "the scheduler survived"
                    assert worker.poll() is None, "the worker survived"
                    assert_each_sent_once(session, sandbox, phones)
                    assert_clean_bill(url, **env)
            finally:
                kill_worker(worker)


def test_a_final_callback_lost_while_the_web_is_down_is_recovered_and_the_agent_released(
    session: Session, sandbox: SandboxServer
) -> None:
    sandbox.reset(
        {
            "speed": 1,
            "answer_probability_by_hour": {h: 1.0 for h in range(24)},
            "machine_rate": 0,
            "busy_rate": 0,
            "failed_rate": 0,
            "ring_seconds": {"min": 1, "max": 2},
            "amd_seconds": {"min": 0.5, "max": 1},
            "talk_seconds": {"min": 8, "max": 8},
            "numbers": [],
        }
    )
    zone = midday()
    client = make_client(session, timezone=zone)
    agent = make_user(session, username="agente1", role=Role.AGENT, access=[client])
    make_campaign(session, client=client, agents=[agent], mode="progressive")
    make_account(
        session, client=client, phone="+525518830001", timezone=zone, today=datetime.now(UTC).date()
    )
    session.commit()

    port = free_port()
    first_web = ExitStack()
    url = first_web.enter_context(web_server(port, **RECOVERY))
    worker = start_worker(url, burst=False, **RECOVERY)
    try:
        with scheduler(url, **RECOVERY) as tick:
            with open_socket(url, sign_in(url, "agente1")) as socket:
                go_ready(socket)
                offer = receive(socket, "offer", timeout=30)
            attempt_id = int(offer["attempt_id"])
            assert state_of(agent.id) == ("on_call", str(attempt_id))
            first_web.close()

            def call_over_unheard() -> bool:
                call = debtor_call(sandbox)
                return call is not None and call["status"] == "completed"

            eventually(call_over_unheard, timeout=30)
            call = debtor_call(sandbox)
            assert call is not None
            lost = [c for c in call["callbacks"] if c.get("event") == "completed"]
            assert lost and all(c["status_code"] is None for c in lost), "the callback was lost"

            with web_server(port, **RECOVERY):

                def recovered() -> bool:
                    session.rollback()
                    attempt = session.get_one(Attempt, attempt_id)
                    return attempt.status == AttemptStatus.COMPLETED

                eventually(recovered, timeout=30)
                eventually(lambda: state_of(agent.id)[0] != "on_call", timeout=15)
                assert tick.poll() is None
                assert_clean_bill(url, **RECOVERY)
    finally:
        first_web.close()
        kill_worker(worker)


def state_of(agent_id: int) -> tuple[str, str]:
    values = get_redis().hmget(f"acuerdo:agent:{agent_id}", "state", "attempt_id")
    return tuple(v.decode() if v else "" for v in values)  # type: ignore[return-value]


def debtor_call(sandbox: SandboxServer) -> dict[str, Any] | None:
    calls = [c for c in sandbox.calls() if not c["to"].startswith("client:")]
    return calls[0] if calls else None
