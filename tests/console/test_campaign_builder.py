"""The campaign builder's form posts, its live endpoints and the campaign lifecycle on the web."""

import csv
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.campaign_defs import parse_definition
from campaigns.models import (
    Account,
    AuditEvent,
    Campaign,
    CampaignAgent,
    CampaignStatus,
    Client,
    Debtor,
    Role,
    User,
    UserClientAccess,
)
from tests.console.conftest import sign_in
from tests.factories import make_account, make_client, make_user

RAW_RULE_CODE = re.compile(
    r"\b(outside_hours|retry_wait|step_not_due|in_flight|zero_balance|do_not_contact|"
    r"invalid_contact_point|day_not_allowed|holiday|no_consent|cap:)\b"
)


def local_today() -> object:
    """The debtors' date now: the pages judge days overdue by the real clock."""
    return datetime.now(ZoneInfo("America/Mexico_City")).date()


def portfolio(session: Session, client: Client) -> None:
    for index, (days, balance, product, region) in enumerate(
        [
            (10, "800.00", "Internet 50 Mbps", "Norte"),
            (20, "2500.00", "Internet 50 Mbps", "Centro"),
            (45, "1500.00", "TV Básica", "Norte"),
            (70, "9000.00", "TV Básica", "Sur"),
        ]
    ):
        account = make_account(
            session,
            client=client,
            days_overdue=days,
            balance=balance,
            ref=f"CV-{index + 1}",
            name=f"Deudor {index + 1} Pérez",
            phone=f"+52551234{index:04d}",
            today=local_today(),  # type: ignore[arg-type]
        )
        account.product = product
        session.get_one(Debtor, account.debtor_id).region = region
    session.flush()


def builder_form(client: Client, **changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "campaign_id": "",
        "client": client.name,
        "name": "Mora temprana web",
        "dialing_mode": "progressive",
        "priority": "10",
        "max_lines": "20",
        "caller_id": "+525555550100",
        "min_days_overdue": "1",
        "max_days_overdue": "60",
        "min_balance": "",
        "max_balance": "",
        "products": ["Internet 50 Mbps", "TV Básica"],
        "regions": ["Norte"],
        "aging_buckets": ["1-30", "31-60"],
        "statuses": ["active"],
        "step_day": ["0", "2", ""],
        "step_channel": ["sms", "voice", ""],
        "step_template": ["aviso", "", ""],
        "retry_busy_wait_minutes": "45",
        "retry_busy_max_tries": "2",
        "recycle_broken_promise_delay_minutes": "600",
        "recycle_broken_promise_max_recycles": "1",
        "recycle_step": "1",
        "script_start": "saludo",
        "script_key": ["s0", "s1", "s2"],
        "script_id": ["saludo", "acuerdo", ""],
        "script_text": [
            "{{ greeting }}, ¿hablo con {{ first_name }}?",
            "Podemos acordar un pago de {{ balance }}.",
            "",
        ],
        "branch_label_s0": ["Sí, soy yo", ""],
        "branch_next_s0": ["acuerdo", ""],
        "template_name": ["aviso", ""],
        "template_text": [
            "Hola {{ first_name }}, su saldo con {{ creditor }} es {{ balance }}.",
            "",
        ],
        "agents": ["agente7"],
        "supervisors": ["super1"],
    }
    form.update(changes)
    return form


def setup(session: Session) -> Client:
    client = make_client(session)
    client.caller_id = "+525555550100"
    client.extra_forbidden_phrases = ["cuenta congelada"]
    portfolio(session, client)
    make_user(session, username="gerente", role=Role.MANAGER, access=[client])
    make_user(session, username="agente7", role=Role.AGENT)
    make_user(session, username="super1", role=Role.SUPERVISOR)
    session.commit()
    return client


def test_a_campaign_built_with_the_form_is_stored_with_its_agents_and_exports_as_a_file(
    session: Session, web: TestClient
) -> None:
    client = setup(session)
    sign_in(web, "gerente")
    page = web.get("/manager/campaigns/new")
    assert page.status_code == 200
    assert "Internet 50 Mbps" in page.text and "Norte" in page.text  # the creditor's real values
    assert "+525555550100" in page.text
    assert 'name="steps"' not in page.text and "YAML)" not in page.text

    saved = web.post("/manager/campaigns/save", data=builder_form(client), follow_redirects=False)
    assert saved.status_code == 303, saved.text
    session.rollback()
    campaign = session.scalars(select(Campaign)).one()
    assert campaign.steps == [
        {"day": 0, "channel": "sms", "template": "aviso"},
        {"day": 2, "channel": "voice", "template": None},
    ]
    assert campaign.account_filter["regions"] == ["Norte"]
    assert campaign.retry_rules["busy"] == {"wait_minutes": 45, "max_tries": 2}
    assert campaign.recycling["step"] == 1
    assert campaign.recycling["rules"]["broken_promise"] == {
        "delay_minutes": 600,
        "max_recycles": 1,
    }
    assert campaign.script["start"] == "saludo"
    assert campaign.script["steps"][0]["branches"] == [{"label": "Sí, soy yo", "next": "acuerdo"}]
    agent = session.scalars(select(User).where(User.username == "agente7")).one()
    assert session.scalars(select(CampaignAgent.user_id)).all() == [agent.id]
    supervisor = session.scalars(select(User).where(User.username == "super1")).one()
    granted = session.scalars(select(UserClientAccess.user_id)).all()
    assert agent.id in granted and supervisor.id in granted

    editor = web.get(f"/manager/campaigns/{campaign.id}")
    assert 'value="agente7" checked' in editor.text
    exported = web.get(f"/manager/campaigns/{campaign.id}/export")
    assert exported.headers["content-disposition"].endswith('.yaml"')
    definition = parse_definition(yaml.safe_load(exported.text))
    assert definition.agents == ["agente7"] and definition.steps[1].channel == "voice"
    as_json = web.get(f"/manager/campaigns/{campaign.id}/export", params={"format": "json"})
    assert as_json.json()["name"] == "Mora temprana web"

    imported = web.post(
        "/manager/campaigns/import",
        files={"file": ("copia.yaml", exported.text.replace("Mora temprana web", "Copia"))},
    )
    assert imported.status_code == 200
    assert 'value="Copia"' in imported.text and 'value="agente7" checked' in imported.text

    minimal = "name: Mínima\nclient: Cablevisión Norte\nsteps:\n  - {day: 0, channel: voice}\n"
    opened = web.post("/manager/campaigns/import", files={"file": ("m.yml", minimal)})
    assert 'value="Mínima"' in opened.text and "Se leyó el archivo" in opened.text
    broken = web.post(
        "/manager/campaigns/import",
        files={"file": ("b.json", '{"name": "B", "client": "Cablevisión Norte", "steps": []}')},
    )
    assert 'id="error-steps"' in broken.text and "Agregue al menos uno." in broken.text
    garbage = web.post("/manager/campaigns/import", files={"file": ("g.yaml", "a: [b")})
    assert "no es YAML ni JSON válido" in garbage.text
    session.rollback()
    assert len(session.scalars(select(Campaign)).all()) == 1  # opening a file saves nothing


def test_errors_are_shown_next_to_their_field_in_the_readers_language(
    session: Session, web: TestClient
) -> None:
    client = setup(session)
    sign_in(web, "gerente")
    bad = builder_form(
        client,
        max_days_overdue="95",
        max_lines="muchas",
        template_text=["Hola {{ first_name }}, su cuenta congelada espera.", ""],
    )
    refused = web.post("/manager/campaigns/save", data=bad)
    assert refused.status_code == 422
    assert 'id="error-max_lines"' in refused.text
    assert '<a href="#error-max_lines">' in refused.text  # the summary links to the field
    assert "Escriba un número entero." in refused.text
    assert 'value="muchas"' in refused.text  # what was typed is kept

    bad["max_lines"] = "20"
    refused = web.post("/manager/campaigns/save", data=bad)
    assert 'id="error-filter-max_days_overdue"' in refused.text
    assert "Días de atraso hasta es 95, pero solo se contactan" in refused.text

    bad["max_days_overdue"] = "60"
    refused = web.post("/manager/campaigns/save", data=bad)
    found = re.search(r'id="error-templates-aviso">([^<]*)<', refused.text)
    assert found is not None and found.group(1).startswith("Plantilla aviso se rechaza")
    assert "lista de frases prohibidas del acreedor" in found.group(1)

    web.post("/language", data={"locale": "en", "next": "/manager"})
    refused = web.post("/manager/campaigns/save", data=bad)
    found = re.search(r'id="error-templates-aviso">([^<]*)<', refused.text)
    assert found is not None and "creditor&#39;s list of forbidden phrases" in found.group(1)
    session.rollback()
    assert session.scalars(select(Campaign)).all() == []


def test_the_live_count_and_the_text_check_answer_as_the_manager_types(
    session: Session, web: TestClient
) -> None:
    client = setup(session)
    sign_in(web, "gerente")
    everyone = web.get(
        "/manager/campaigns/match-count",
        params={"client": client.name, "min_days_overdue": "1", "max_days_overdue": "90"},
    ).json()
    assert everyone["count"] == 4
    north_tv = web.get(
        "/manager/campaigns/match-count",
        params=[
            ("client", client.name),
            ("min_days_overdue", "1"),
            ("max_days_overdue", "90"),
            ("regions", "Norte"),
            ("products", "TV Básica"),
        ],
    ).json()
    assert north_tv["count"] == 1 and "1" in north_tv["text"]
    rich = web.get(
        "/manager/campaigns/match-count",
        params={"client": client.name, "min_balance": "2000", "aging_buckets": "1-30"},
    ).json()
    assert rich["count"] == 1
    halfway = web.get(
        "/manager/campaigns/match-count", params={"client": client.name, "min_balance": "12a"}
    ).json()
    assert halfway["count"] is None

    checked = web.post(
        "/manager/campaigns/check-text",
        data={"client": client.name, "text": "Hola {{ first_name }}, su saldo es {{ balance }}."},
    ).json()
    assert checked["ok"] and checked["rendered"].startswith("Hola Deudor, su saldo es $")
    assert "GSM-7" in checked["length"] and "1 segmento" in checked["length"]
    southern = web.post(
        "/manager/campaigns/check-text",
        data={
            "client": client.name,
            "text": "{{ name }}",
            "max_days_overdue": "90",
            "regions": "Sur",
        },
    ).json()
    assert southern["rendered"] == "Deudor 4 Pérez"  # the sample is an account the filter matches
    nobody = web.post(
        "/manager/campaigns/check-text",
        data={"client": client.name, "text": "{{ name }}", "regions": "Atlántida"},
    ).json()
    assert nobody["rendered"] == "Deudor 1 Pérez"  # none matches: the creditor's first account
    threat = web.post(
        "/manager/campaigns/check-text",
        data={"client": client.name, "text": "Su Cuenta  Congelada, {{ first_name }}."},
    ).json()
    assert not threat["ok"] and "frases prohibidas del acreedor" in threat["problem"]
    assert threat["rendered"] == "Su Cuenta  Congelada, Deudor."
    long_accented = web.post(
        "/manager/campaigns/check-text", data={"client": client.name, "text": "Pagó á tiempo. " * 6}
    ).json()
    assert "UCS-2" in long_accented["length"] and "2 segmento" in long_accented["length"]


def test_another_creditors_accounts_cannot_be_counted_or_sampled(
    session: Session, web: TestClient
) -> None:
    setup(session)
    other = make_client(session, name="Red Veloz")
    make_account(session, client=other, ref="RV-1")
    session.commit()
    sign_in(web, "gerente")
    assert (
        web.get("/manager/campaigns/match-count", params={"client": "Red Veloz"}).status_code == 404
    )
    sampled = web.post("/manager/campaigns/check-text", data={"client": "Red Veloz", "text": "x"})
    assert sampled.status_code == 404
    assert (
        web.get("/manager/campaigns/new", params={"client": "Red Veloz"}).text.count("Red Veloz")
        == 0
    )


def test_start_pause_finish_and_duplicate_are_recorded_with_who_and_when(
    session: Session, web: TestClient
) -> None:
    client = setup(session)
    make_user(session, username="super2", role=Role.SUPERVISOR, access=[client])
    session.commit()
    sign_in(web, "gerente")
    web.post("/manager/campaigns/save", data=builder_form(client), follow_redirects=False)
    session.rollback()
    campaign = session.scalars(select(Campaign)).one()
    base = f"/manager/campaigns/{campaign.id}"
    assert web.post(f"{base}/start", follow_redirects=False).status_code == 303
    assert web.post(f"{base}/pause", follow_redirects=False).status_code == 303
    copy = web.post(f"{base}/duplicate", follow_redirects=False)
    assert copy.status_code == 303
    assert web.post(f"{base}/finish", follow_redirects=False).status_code == 303
    session.rollback()
    session.refresh(campaign)
    assert campaign.status == CampaignStatus.FINISHED
    duplicate = session.scalars(select(Campaign).where(Campaign.id != campaign.id)).one()
    assert duplicate.name == "Mora temprana web (2)" and duplicate.status == CampaignStatus.DRAFT
    assert duplicate.steps == campaign.steps
    assert (
        len(
            session.scalars(
                select(CampaignAgent).where(CampaignAgent.campaign_id == duplicate.id)
            ).all()
        )
        == 1
    )
    actions = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.entity_id == campaign.id, AuditEvent.entity_type == "campaigns")
        .order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "campaign.created",
        "campaign.active",
        "campaign.paused",
        "campaign.finished",
    ]
    preview = web.get(f"{base}/preview")
    history = preview.text[preview.text.index('id="history"') :]
    for word in ("Creada", "Iniciada", "En pausa", "Terminada"):
        assert word in history
    assert "gerente" in history
    assert f'action="/manager/campaigns/{campaign.id}/start"' not in preview.text

    again = web.post(f"{base}/start")
    assert again.status_code == 409
    assert "no puede pasar a Activa" in again.text and "finished" not in again.text
    changed = web.post(
        "/manager/campaigns/save", data=builder_form(client, campaign_id=str(campaign.id))
    )
    assert changed.status_code == 422
    assert "Solo se pueden cambiar" in changed.text and "finished" not in changed.text
    disordered = web.post(
        "/manager/campaigns/save",
        data=builder_form(
            client, name="Otra", step_day=["0", "3", "1"], step_channel=["voice"] * 3
        ),
    )
    found = re.search(r'id="error-steps-2">([^<]*)<', disordered.text)
    assert found is not None and "antes del paso de arriba" in found.group(1)

    web.cookies.clear()
    sign_in(web, "super2")
    assert web.post(f"/manager/campaigns/{duplicate.id}/finish").status_code == 403
    started = web.post(f"/supervisor/campaigns/{duplicate.id}/start", follow_redirects=False)
    assert started.status_code == 303


def test_the_preview_names_and_explains_every_rule_and_exports_the_list(
    session: Session, web: TestClient
) -> None:
    client = setup(session)
    for index in range(60):
        make_account(
            session,
            client=client,
            days_overdue=15,
            ref=f"LOTE-{index:03d}",
            name=f"Cliente {index:03d} Gómez",
            phone=f"+52559000{index:04d}",
            today=local_today(),  # type: ignore[arg-type]
        )
    make_account(
        session,
        client=client,
        days_overdue=15,
        balance="0.00",
        ref="CERO-1",
        phone="+525590009999",
        today=local_today(),
    )  # type: ignore[arg-type]
    session.commit()
    campaign = _saved_by_the_manager(session, web, client)

    page = web.get(f"/manager/campaigns/{campaign.id}/preview")
    assert page.status_code == 200
    assert "<svg" in page.text and 'class="bar-chart"' in page.text
    assert "Saldo en cero" in page.text or "El saldo es cero" in page.text
    visible = re.sub(r"<[^>]+>", " ", page.text)
    assert not RAW_RULE_CODE.search(visible), RAW_RULE_CODE.search(visible)

    found = web.get(f"/manager/campaigns/{campaign.id}/preview", params={"q": "cliente 007"})
    assert "LOTE-007" in found.text and "LOTE-008" not in found.text

    eligible = int(
        re.sub(r"\D", "", re.search(r'id="eligible-count">([^<]*)<', page.text).group(1))
    )  # type: ignore[union-attr]
    exported = web.get(f"/manager/campaigns/{campaign.id}/eligible.csv")
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert rows[0] == ["Cuenta", "Deudor", "Días de atraso", "Saldo", "Paso", "Canal"]
    assert len(rows) - 1 == eligible
    if eligible > 50:
        second = web.get(f"/manager/campaigns/{campaign.id}/preview", params={"page": "2"})
        assert "Página 2" in second.text

    web.post("/language", data={"locale": "en", "next": "/manager"})
    english = web.get(f"/manager/campaigns/{campaign.id}/eligible.csv")
    assert (
        english.text.lstrip("\ufeff").splitlines()[0]
        == "Account,Debtor,Days overdue,Balance,Step,Channel"
    )
    page = web.get(f"/manager/campaigns/{campaign.id}/preview")
    assert "Balance is zero" in page.text
    assert account_count(session) == 65


def test_the_preview_pages_through_the_left_out_accounts_by_rule_then_reference(
    session: Session, web: TestClient
) -> None:
    client = setup(session)
    for index in range(52):
        make_account(
            session,
            client=client,
            days_overdue=15,
            balance="0.00",
            ref=f"CERO-{index:03d}",
            phone=f"+52559100{index:04d}",
            today=local_today(),  # type: ignore[arg-type]
        )
    session.commit()
    campaign = _saved_by_the_manager(session, web, client)

    first = web.get(f"/manager/campaigns/{campaign.id}/preview")
    second = web.get(f"/manager/campaigns/{campaign.id}/preview", params={"left_page": "2"})
    assert first.status_code == second.status_code == 200
    assert "CERO-000" in first.text and "CERO-051" not in first.text
    assert "CERO-051" in second.text and "CERO-000" not in second.text


def _saved_by_the_manager(session: Session, web: TestClient, client: Client) -> Campaign:
    """The manager signs in and saves a campaign over every active account of `client`."""
    sign_in(web, "gerente")
    form = builder_form(client, regions=[], products=[], aging_buckets=[], statuses=["active"])
    web.post("/manager/campaigns/save", data=form, follow_redirects=False)
    session.rollback()
    return session.scalars(select(Campaign)).one()


def account_count(session: Session) -> int:
    return len(session.scalars(select(Account.id)).all())


def test_only_managers_use_the_builder_and_the_lifecycle_pages(
    session: Session, web: TestClient
) -> None:
    client = setup(session)
    sign_in(web, "gerente")
    web.post("/manager/campaigns/save", data=builder_form(client), follow_redirects=False)
    session.rollback()
    campaign_id = session.scalars(select(Campaign.id)).one()
    make_user(session, username="agente9", role=Role.AGENT, access=[client])
    make_user(session, username="super9", role=Role.SUPERVISOR, access=[client])
    make_user(session, username="visor9", role=Role.CLIENT_VIEWER, client=client)
    session.commit()
    base = f"/manager/campaigns/{campaign_id}"
    calls = [
        ("GET", "/manager/campaigns/new"),
        ("GET", "/manager/campaigns/match-count"),
        ("POST", "/manager/campaigns/check-text"),
        ("POST", "/manager/campaigns/save"),
        ("POST", "/manager/campaigns/import"),
        ("GET", base),
        ("GET", f"{base}/export"),
        ("GET", f"{base}/preview"),
        ("GET", f"{base}/eligible.csv"),
        ("POST", f"{base}/finish"),
        ("POST", f"{base}/duplicate"),
    ]
    for username in ("agente9", "super9", "visor9"):
        web.cookies.clear()
        sign_in(web, username)
        for method, path in calls:
            answer = web.request(method, path, follow_redirects=False)
            assert answer.status_code == 403, (username, method, path, answer.status_code)
    session.rollback()
    assert session.scalars(select(Campaign.status)).all() == [CampaignStatus.DRAFT]
