"""No debtor's name, phone, e-mail or document in any process's log after a full end-to-end run.

Real processes, each with its output captured: the carrier sandbox, the web app, `acuerdo
import`, `acuerdo campaigns create/start`, `acuerdo scheduler --once` and an rq worker. A
portfolio is imported, a campaign texts every debtor, calls are placed (answered, machine,
busy and an invalid number, whose Twilio error names the number), a debtor replies by SMS; then
every line of every log is searched for every debtor's data in every way it can be written.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import engine, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from campaigns.db import create_db_engine
from campaigns.dispatch_queue import enqueue_attempt
from campaigns.log_privacy import mask_personal_data, mask_query_values
from campaigns.models import Account, Attempt, AttemptStatus, Channel, ContactPoint, utcnow
from campaigns.settings import get_settings
from tests.factories import iana_zone_where_it_is_midday, make_client
from tests.processes import eventually, process_env, run_worker, web_server
from tests.telephony.conftest import SandboxServer, free_port, wait_until

pytestmark = pytest.mark.slow

# name, phone as written in the file, E.164, CURP, e-mail, what the sandbox does with a call
DEBTORS = [
    (
        "Ana Ruiz Zamora",
        "55 1234 0101",
        "+525512340101",
        "RUZA800101MDFZMNA9",
        "ana.ruiz@correo.mx",
        "human",
    ),
    (
        "Bruno Castañeda Ortiz",
        "+52 55 1234 0102",
        "+525512340102",
        "CAOB750505HJCSRR02",
        "bruno.c@correo.mx",
        "machine",
    ),
    (
        "Celia Domínguez Prado",
        "(55) 1234-0103",
        "+525512340103",
        "DOPC900909MNLMRL05",
        "celia@correo.mx",
        "busy",
    ),
    (
        "Darío Esquivel Luna",
        "5512340104",
        "+525512340104",
        "EULD851212HSRSNR08",
        "dario@correo.mx",
        "invalid",
    ),
]
TEMPLATE = "Hola {{ name }}, su saldo con {{ creditor }} es {{ balance }}. {{ opt_out_text }}"


def _portfolio() -> bytes:
    # The debtors live where it is midday now: the worker checks the contact rules on the clock.
    zone = iana_zone_where_it_is_midday()
    lines = ["Cuenta,Nombre,Teléfono,Saldo,Días de atraso,Documento,Correo,Zona horaria"]
    for n, (name, phone, _e164, curp, email, _call) in enumerate(DEBTORS, start=1):
        lines.append(f'PRV-{n:04d},{name},"{phone}",1500.00,20,{curp},{email},{zone}')
    return ("\r\n".join(lines) + "\r\n").encode()


def _secrets() -> list[str]:
    found: list[str] = []
    for name, phone, e164, curp, email, _call in DEBTORS:
        national = e164.removeprefix("+52")
        found += [name, *(part for part in name.split() if len(part) > 3), phone, e164]
        found += [e164.lstrip("+"), f"%2B{e164[1:]}", national]
        found += [f"{national[:2]} {national[2:6]} {national[6:]}"]
        found += [curp, email, email.split("@")[0]]
    return found


def _run(log: Path, env: dict[str, str], *args: str) -> None:
    with log.open("ab") as output:
        result = subprocess.run(
            [sys.executable, "-m", "console", *args],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=120,
        )
    assert result.returncode == 0, log.read_text(errors="replace")[-2000:]


def test_a_full_run_logs_no_debtor_data(session: Session, tmp_path: Path) -> None:
    client = make_client(session, name="Cable Privado")
    session.commit()
    logs = tmp_path / "logs"
    logs.mkdir()
    port = free_port()
    sandbox = SandboxServer(f"http://127.0.0.1:{port}")
    env_extra = {"ACUERDO_SANDBOX_URL": sandbox}
    with (logs / "sandbox.log").open("ab") as sandbox_log:
        sandbox_process = subprocess.Popen(
            [sys.executable, "-m", "telephony.sandbox", "--port", str(port), "--speed", "60"],
            env=process_env(**env_extra),
            stdout=sandbox_log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(lambda: _healthy(sandbox) or sandbox_process.poll() is not None, timeout=20)
        with (
            (logs / "web.log").open("ab") as web_log,
            web_server(output=web_log, **env_extra) as url,
        ):
            env = process_env(url, **env_extra)
            numbers = [{"number": d[2], "call": d[5], "sms": "delivered"} for d in DEBTORS]
            sandbox.reset({"numbers": numbers}, sms_inbound_url=f"{url}/twilio/sms/inbound")
            _full_run(session, logs, env, url, client.id, tmp_path, sandbox)
    finally:
        sandbox_process.terminate()
        sandbox_process.wait(timeout=10)

    lines = [
        (path.name, line)
        for path in sorted(logs.iterdir())
        for line in path.read_text(errors="replace").splitlines()
    ]
    assert {path.name for path in logs.iterdir()} == {
        "sandbox.log",
        "web.log",
        "worker.log",
        "cli.log",
        "scheduler.log",
    }
    assert any("/twilio/sms/inbound" in line for _n, line in lines)  # the web log is captured
    assert any("Job OK" in line or "Successfully completed" in line for _n, line in lines)
    # Whole words only: "dario" is a leak, "calendario" is not.
    patterns = [re.compile(rf"(?<!\w){re.escape(s)}(?!\w)", re.IGNORECASE) for s in _secrets()]
    leaks = [(name, p.pattern, line) for name, line in lines for p in patterns if p.search(line)]
    assert leaks == []


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/sandbox/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _full_run(
    session: Session,
    logs: Path,
    env: dict[str, str],
    url: str,
    client_id: int,
    tmp_path: Path,
    sandbox: SandboxServer,
) -> None:
    portfolio = tmp_path / "cartera.csv"
    portfolio.write_bytes(_portfolio())
    _run(logs / "cli.log", env, "import", str(portfolio), "--client", "Cable Privado")
    campaign = tmp_path / "campaign.json"
    campaign.write_text(
        json.dumps(
            {
                "name": "Privacidad",
                "client": "Cable Privado",
                "steps": [{"day": 0, "channel": "sms", "template": "aviso"}],
                "templates": {"aviso": TEMPLATE},
            }
        ),
        encoding="utf-8",
    )
    _run(logs / "cli.log", env, "campaigns", "create", str(campaign))
    _run(logs / "cli.log", env, "campaigns", "start", "Privacidad")
    at = utcnow().isoformat()  # the worker sends on the clock: the tick runs on it too
    _run(logs / "scheduler.log", env, "scheduler", "--once", "--at", at, "--no-dial")

    session.rollback()  # see what the CLI processes committed
    for _name, _phone, e164, *_rest in DEBTORS:
        point = session.scalars(select(ContactPoint).where(ContactPoint.value == e164)).one()
        account = session.scalars(select(Account).where(Account.debtor_id == point.debtor_id)).one()
        attempt = Attempt(
            client_id=client_id,
            account_id=account.id,
            contact_point_id=point.id,
            channel=Channel.VOICE,
            created_at=utcnow(),
        )
        if e164 == DEBTORS[2][2]:  # a response lost before: the worker reconciles by number
            attempt.status, attempt.dispatching_at = AttemptStatus.DISPATCHING, utcnow()
        session.add(attempt)
        session.commit()
        enqueue_attempt(attempt.id)
    with (logs / "worker.log").open("ab") as worker_log:
        run_worker(url, output=worker_log, timeout=120, ACUERDO_SANDBOX_URL=sandbox)

    def all_ended() -> bool:
        session.rollback()
        attempts = session.scalars(select(Attempt)).all()
        sms = [a for a in attempts if a.channel == Channel.SMS]
        return len(sms) == len(DEBTORS) and all(a.ended_at for a in attempts)

    eventually(all_ended, timeout=60)
    name, _phone, e164, _curp, email, _call = DEBTORS[0]
    sandbox.inbound(from_number=e164, to="+525550000200", body=f"Soy {name}, escríbanme a {email}")
    eventually(lambda: "/twilio/sms/inbound" in (logs / "web.log").read_text(errors="replace"))
    # A manager's search for a debtor by name: the name is in the request's query string.
    httpx.get(f"{url}/accounts?q=Ana+Ruiz+Zamora&page=2", follow_redirects=False)
    eventually(lambda: "/accounts?q=***&page=2" in (logs / "web.log").read_text(errors="replace"))


def test_sql_errors_never_carry_their_parameters() -> None:
    probe = create_db_engine(get_settings().resolved_database_url)
    try:
        with probe.connect() as connection, pytest.raises(SQLAlchemyError) as failed:
            connection.execute(
                text("SELECT * FROM no_such_table WHERE name = :name"),
                {"name": "Ana Ruiz Zamora"},
            )
    finally:
        probe.dispose()
    assert "Ana Ruiz Zamora" not in str(failed.value)
    assert isinstance(probe, engine.Engine) and probe.hide_parameters


KEPT = [
    "tick at 2026-11-25T17:00:00+00:00: 12 attempts",
    "attempt 123456 SID CA0123456789abcdef0123456789abcdef",
    "job 516ffeb1-4497-4a14-9b92-e40c0c6375d1 on 127.0.0.1:8081, 23/11/2026",
]


@pytest.mark.parametrize(
    ("text_in", "text_out"),
    [
        ("sending to +525512340101", "sending to ***01"),
        ("tel 55 1234 0101 / (55) 1234-0103", "tel ***01 / ***03"),
        ("To=%2B525512340101&Body=x", "To=***01&Body=x"),
        ("whatsapp:+525512340104 ok", "whatsapp:***04 ok"),
        ("doc RUZA800101MDFZMNA9 rfc RUZA800101AB1", "doc *** rfc ***"),
        ("mail ana.ruiz@correo.mx", "mail ***@correo.mx"),
        *((kept, kept) for kept in KEPT),
    ],
)
def test_the_mask_hides_phones_documents_and_emails_but_not_ids_or_times(
    text_in: str, text_out: str
) -> None:
    assert mask_personal_data(text_in) == text_out


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/accounts?q=Ana+Ruiz&page=2", "/accounts?q=***&page=2"),
        ("/twilio/voice/status?attempt=1186", "/twilio/voice/status?attempt=1186"),
        ("/reports?from=2026-11-01&client=", "/reports?from=***&client="),
        ("/accounts/12", "/accounts/12"),
    ],
)
def test_the_access_log_keeps_paths_and_ids_and_masks_other_query_values(
    path: str, logged: str
) -> None:
    assert mask_query_values(path) == logged


LEAKY_PROCESS = """
import logging
logging.basicConfig(level=logging.INFO)
from campaigns.log_privacy import install_log_privacy
install_log_privacy()
from telephony.client import twilio_client
log = logging.getLogger("acuerdo.test")
log.info("calling %s for %s", "+525512340101", {"email": "ana.ruiz@correo.mx"})
try:
    raise ValueError("The 'To' number 55 1234 0101 is not valid")
except ValueError:
    log.exception("dispatch failed")
try:
    twilio_client().calls.list(to="+525512340101", limit=1)
except Exception as error:
    log.info("sandbox down: %s", type(error).__name__)
"""


def test_a_process_that_logs_personal_data_prints_it_masked(tmp_path: Path) -> None:
    """Our own lines are masked; the twilio SDK's request lines are not printed at all."""
    result = subprocess.run(
        [sys.executable, "-c", LEAKY_PROCESS],
        env=process_env(ACUERDO_SANDBOX_URL=f"http://127.0.0.1:{free_port()}"),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    log = result.stderr
    assert "calling ***01 for {'email': '***@correo.mx'}" in log
    assert "The 'To' number ***01 is not valid" in log  # the traceback is masked too
    assert "sandbox down: ConnectionError" in log
    assert "twilio.http_client" not in log
    assert "+525512340101" not in log and "1234 0101" not in log and "ana.ruiz" not in log


def test_timestamps_in_logs_are_left_readable() -> None:
    line = "tick at 2026-11-30T07:12:03.123451+00:00: 3 attempts; call to 5512345678"
    assert mask_personal_data(line) == (
        "tick at 2026-11-30T07:12:03.123451+00:00: 3 attempts; call to ***78"
    )
